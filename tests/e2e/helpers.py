"""Helpers for the browser tests: screenshots, logging in, layout checks, demo logins."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
WANJIA = Path(sys.executable).with_name("wanjia")
CHROMIUM = os.environ.get("WANJIA_E2E_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "wanjia2026"
DEMO_LOGINS = {
    "officer": "13900000001",
    "dispatcher": "13900000010",
    "volunteer": "13600000001",
    "guard": "13700000001",
    "grid_worker": "13800000001",
    "admin": "13900000000",
}
# A cheap Android phone: what every phone context in the browser tests starts from.
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
# Where the demo police area is: the phone's faked position is inside it.
PHONE_GEOLOCATION = {"latitude": 33.38, "longitude": 120.16, "accuracy": 15}


def shot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot to test-artifacts/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
    path = SCREENSHOTS / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path


def log_in(
    page: Any, phone_number: str, password: str = DEMO_PASSWORD, *, landing: str | None = None
) -> None:
    """Log in through the form and wait for the page it leads to (``landing``, when given,
    instead of the person's home)."""
    page.goto(f"/login?next={landing}" if landing else "/login")
    page.fill("input[name=phone]", phone_number)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")


def no_horizontal_scroll(page: Any) -> None:
    """Nothing sticks out to the right: a phone must never scroll sideways."""
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"page scrolls sideways: scrollWidth {widths[0]} > {widths[1]}"


def small_touch_targets(page: Any, minimum: int = 48) -> list[str]:
    """Visible links, buttons and fields smaller than ``minimum`` CSS px in height (or width)."""
    return page.evaluate(
        """(minimum) => {
          const out = [];
          for (const el of document.querySelectorAll(
              'a, button, input:not([type=hidden]), select, textarea, label.check')) {
            const r = el.getBoundingClientRect();
            if (!r.width || !r.height) continue;
            const style = getComputedStyle(el);
            if (style.visibility === 'hidden' || style.display === 'none') continue;
            let h = r.height, w = r.width;
            // A checkbox counts with its label: the whole label is the touch target.
            const label = el.closest('label');
            if (label && el.matches('input[type=checkbox], input[type=radio]')) {
              const lr = label.getBoundingClientRect(); h = lr.height; w = lr.width;
            }
            // An inline link inside running text (e.g. a phone number) may be as tall as the line.
            if (el.tagName === 'A' && style.display === 'inline') continue;
            if (h < minimum || w < minimum) {
              const text = (el.textContent || el.name || '').trim().slice(0, 30);
              out.push(`${el.tagName.toLowerCase()}.${el.className} "${text}" `
                       + `${Math.round(w)}x${Math.round(h)}`);
            }
          }
          return out;
        }""",
        minimum,
    )


def go_on_duty(page: Any) -> str:
    """On the patrol page, agree to share the position if asked and go on duty; returns the
    person's name as the footer shows it."""
    name = page.locator(".who").inner_text().split("·")[0].strip()
    page.goto("/field")
    page.locator("#live.ok").wait_for()
    consent = page.locator("#consent")
    if consent.is_visible():
        consent.check()
    page.get_by_role("button", name="上岗").tap()
    page.locator("#duty.on").wait_for()
    return name


# The first place, centre outwards, where the map itself (not a marker, popup or control) takes
# the click: another test's incident or sighting marker there would be selected instead.
_FREE_SPOT_ON_MAP = """(selector) => {
  const map = document.querySelector(selector), box = map.getBoundingClientRect();
  const steps = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8];
  for (const fy of steps) for (const fx of steps) {
    const x = box.left + box.width * fx, y = box.top + box.height * fy;
    const hit = document.elementFromPoint(x, y);
    const covered = hit && hit.closest('.leaflet-marker-icon, .leaflet-popup, .leaflet-control');
    if (hit && map.contains(hit) && !covered) { return [x, y]; }
  }
  return null;
}"""


def raise_incident_form(console: Any) -> Any:
    """On the console, click a free place on the map; returns the new-incident form it opens."""
    spot = console.evaluate(_FREE_SPOT_ON_MAP, "#map")
    assert spot, "every place tried on the console's map is covered by a marker"
    console.mouse.click(*spot)
    form = console.locator("#new-incident")
    form.wait_for()
    return form


def pick_only(console: Any, name: str) -> None:
    """On the console, with an incident selected: find the nearest people and tick ``name``
    alone (the dispatch button is the caller's to press)."""
    console.get_by_role("button", name="查找最近的人").click()
    candidate = console.locator("#candidates li", has_text=name)
    candidate.wait_for()
    for tick in console.locator("#candidates input[type=checkbox]").all():
        tick.uncheck()
    candidate.locator("input[type=checkbox]").check()


def trusting_home(authority: Path, home: Path) -> dict[str, Any]:
    """An environment for Chromium whose $HOME has an NSS database (what Chromium on Linux
    reads, ``~/.pki/nssdb``) trusting ``authority`` to identify web sites: what a phone has
    after following the set-up page. Needs ``certutil`` (Debian's libnss3-tools)."""
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True, exist_ok=True)
    store = f"sql:{nssdb}"
    subprocess.run(["certutil", "-N", "-d", store, "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", store, "-t", "C,,", "-n", "wanjia-watch", "-i", str(authority)],
        check=True,
    )
    return {**os.environ, "HOME": str(home)}
