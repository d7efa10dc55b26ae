"""A sighting with three camera photos, sent from a cheap phone on a slow link, to the console.

A real `wanjia demo` + `wanjia run` on 127.0.0.1 (temp instance folder); the police room's
console is a python-socketio client logged in as the demo officer on `/console`, stamping the
wall-clock time each `sighting` event arrives. The phone is Debian's Chromium through
Playwright (360x740, touch, Chinese, its position in the demo area) on the link of
bench/phone.py: CDP `Network.emulateNetworkConditions`, 400 ms latency and 50 KB/s each way,
from the page's first byte. A volunteer (another one each run) picks a category, types what is
happening, adds three 12-megapixel camera photos (tests/media_samples.py: 4000 x 3000 JPEGs of
about 3 MB with EXIF GPS) which the page makes small on the phone, and taps send.

Measured from the tap (stamped by the page, wall clock): `to_console_s`, until the console gets
the report; `photos_done_s`, until the console's report holds all three photos; `delivered_s`,
until the phone shows "delivered" (the whole round trip). Chromium's emulation delays answers
rather than requests, so `to_console_s` holds little of the link's latency; `delivered_s`, a full
round trip at 400 ms, bounds it from above. `upload_kb`: what the phone sent over the link
after the tap: request headers (Playwright's `request.sizes()`), the report's JSON and each
upload's body as the browser sent it (the XHR's `upload` progress total).

The baseline, in the same run: the naive upload of the three original photos as the camera
saved them (no resizing), by XHR from the same page on the same link, to a report of its own;
its bytes and seconds are measured (one round; with `--quick`, one photo, scaled by three).
Also noted: what opening the report page costs a fresh phone on that link (`report_page_kb`,
`report_page_s`, until its map shows the phone's spot). Last line, JSON: `upload_kb`,
`to_console_s` (median), `photos_done_s` (median), their worst, and the baseline's
`naive_upload_kb` and `naive_photos_s`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests
import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.phone import CSRF_META, EMULATED, PASSWORD, LinkLog  # noqa: E402
from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, PHONE, PHONE_GEOLOCATION  # noqa: E402
from tests.media_samples import camera_jpeg_12mp  # noqa: E402
from tests.servers import launch, seed_demo, stop  # noqa: E402

OFFICER = "13900000001"
FIRST_VOLUNTEER = 13600000001
TARGET_CONSOLE_S = 2.5
TARGET_UPLOAD_KB = 900.0
# Stamped by the page (wall clock, ms): the tap on send (`wjSendAt`), the moment it shows the
# report delivered (`wjDeliveredAt`); and each upload's body size as the browser sends it
# (`wjUploaded`: Playwright's request sizes count no multipart body).
STAMP = """
document.addEventListener("submit", () => { window.wjSendAt = Date.now(); }, true);
new MutationObserver(() => {
  const s = document.getElementById("outcome-status");
  if (s && s.classList.contains("done") && !window.wjDeliveredAt) {
    window.wjDeliveredAt = Date.now();
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["class"] });
window.wjUploaded = 0;
const send = XMLHttpRequest.prototype.send;
XMLHttpRequest.prototype.send = function (body) {
  this.upload.addEventListener("loadend", (e) => { window.wjUploaded += e.total || 0; });
  return send.call(this, body);
};
"""
# The naive upload: the files as chosen, one by one by XHR, to a report of their own.
NAIVE = """async (body) => {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const began = Date.now();
  const made = await fetch("/api/sightings", { method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf } });
  const report = await made.json();
  const input = document.getElementById("naive");
  for (let i = 0; i < input.files.length; i++) {
    const form = new FormData();
    form.append("kind", "photo"); form.append("part", String(i));
    form.append("file", input.files[i]);
    const status = await new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/sightings/" + report.id + "/media");
      xhr.setRequestHeader("X-CSRFToken", csrf);
      xhr.onload = () => resolve(xhr.status); xhr.onerror = reject;
      xhr.send(form);
    });
    if (status >= 300) { throw new Error("naive upload answered " + status); }
  }
  return (Date.now() - began) / 1000;
}"""


def link_kb(page: Any, requests_sent: list[Any]) -> float:
    """Kilobytes the phone sent: every POST's headers, the JSON bodies and the uploads."""
    headers = sum(r.sizes()["requestHeadersSize"] for r in requests_sent)
    json_bodies = sum(
        r.sizes()["requestBodySize"] for r in requests_sent if not r.url.endswith("/media")
    )
    return (headers + json_bodies + page.evaluate("() => window.wjUploaded")) / 1024


class Console:
    """The police room: a socket on /console that notes when each report and its photos arrive."""

    def __init__(self, base: str) -> None:
        session = requests.Session()
        page = session.get(f"{base}/login", timeout=10)
        token = CSRF_META.search(page.text)
        if token is None:
            raise RuntimeError("no CSRF token on /login")
        answer = session.post(
            f"{base}/login",
            json={"phone": OFFICER, "password": PASSWORD},
            headers={"X-CSRFToken": token.group(1), "Accept": "application/json"},
            timeout=10,
        )
        if answer.status_code != 200:
            raise RuntimeError(f"officer login answered {answer.status_code}")
        cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        self.arrived: dict[str, float] = {}  # behaviour -> first event
        self.photos: dict[str, float] = {}  # behaviour -> the event with three photos
        self.changed = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        self.client.on("sighting", self._sighting, namespace="/console")
        self.client.connect(
            base,
            namespaces=["/console"],
            transports=["websocket"],
            headers={"Cookie": cookie},
            wait_timeout=10,
        )

    def _sighting(self, report: dict[str, Any]) -> None:
        now = time.time()
        with self.changed:
            self.arrived.setdefault(report["behaviour"], now)
            if sum(1 for m in report.get("media", []) if m["kind"] == "photo") >= 3:
                self.photos.setdefault(report["behaviour"], now)
            self.changed.notify_all()

    def wait(self, found: dict[str, float], behaviour: str, timeout: float) -> float:
        with self.changed:
            if not self.changed.wait_for(lambda: behaviour in found, timeout):
                raise RuntimeError(f"the console never got {behaviour!r}")
            return found[behaviour]

    def close(self) -> None:
        self.client.disconnect()


def camera_files(folder: Path) -> list[Path]:
    """Three 12-megapixel camera photos (the same picture under three names)."""
    picture = camera_jpeg_12mp()
    paths = [folder / f"IMG_2026120{i}.jpg" for i in range(3)]
    for path in paths:
        path.write_bytes(picture)
    return paths


def log_in(context: Any, phone: str) -> None:
    """Log in through the context's request API (its cookies), not over the emulated link."""
    page = context.request.get("/login")
    csrf = CSRF_META.search(page.text())
    if page.status != 200 or csrf is None:
        raise RuntimeError(f"GET /login answered {page.status}")
    answer = context.request.post(
        "/login",
        data=json.dumps({"phone": phone, "password": PASSWORD}),
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-CSRFToken": csrf.group(1),
        },
    )
    if answer.status != 200:
        raise RuntimeError(f"login of {phone} answered {answer.status}: {answer.text()[:200]}")


def slow_page(context: Any) -> tuple[Any, LinkLog]:
    """A page on the slow link, and the log of what its requests cost over it."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    log = LinkLog(cdp)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", EMULATED)
    return page, log


def one_report(context: Any, console: Console, photos: list[Path], n: int) -> dict[str, float]:
    """One volunteer's report over the slow link; seconds and kilobytes from the tap."""
    page, log = slow_page(context)
    began = time.time()
    page.goto("/report", timeout=120_000)
    page.locator("#where", has_text="15").wait_for(timeout=60_000)  # the map shows the spot
    opened = time.time() - began
    page_kb = sum(log.sizes.values()) / 1024
    page.locator(".cat-suspicious_vehicle .cat-face").tap()
    behaviour = f"一辆没有牌照的面包车在小区门口来回开了好几趟（第 {n} 次测量）"
    page.fill("#behaviour", behaviour)
    for i, path in enumerate(photos):
        page.set_input_files("#photo-input", str(path))
        page.locator("#thumbs .thumb").nth(i).wait_for(timeout=60_000)
    sent: list[Any] = []
    page.on("requestfinished", lambda r: sent.append(r) if r.method == "POST" else None)
    page.locator("#send").tap()
    arrived = console.wait(console.arrived, behaviour, 60)
    done = console.wait(console.photos, behaviour, 300)
    tapped = page.evaluate("() => window.wjSendAt") / 1000
    page.locator("#outcome-text", has_text="全部发送完毕").wait_for(timeout=60_000)
    delivered = page.evaluate("() => window.wjDeliveredAt") / 1000
    result = {
        "to_console_s": arrived - tapped,
        "delivered_s": delivered - tapped,
        "photos_done_s": done - tapped,
        "upload_kb": link_kb(page, sent),
        "page_kb": page_kb,
        "page_s": opened,
    }
    page.close()
    return result


def naive(context: Any, photos: list[Path]) -> tuple[float, float]:
    """The three originals sent as they are, on the same link: kilobytes and seconds."""
    page, _log = slow_page(context)
    page.goto("/report", timeout=120_000)
    page.evaluate("""() => { const i = document.createElement("input"); i.type = "file";
        i.id = "naive"; i.multiple = true; i.hidden = true; document.body.appendChild(i); }""")
    page.set_input_files("#naive", [str(p) for p in photos])
    lat, lon = PHONE_GEOLOCATION["latitude"], PHONE_GEOLOCATION["longitude"]
    body = {
        "client_id": f"bench-naive-{int(time.time())}",
        "category": "suspicious_vehicle",
        "behaviour": "基线：原图直接上传",
        "appearance": {},
        "name_hidden": False,
        "lat": lat,
        "lon": lon,
        "accuracy_m": 15,
        "position_source": "gps",
        "photos": len(photos),
        "voice": False,
    }
    sent: list[Any] = []
    page.on("requestfinished", lambda r: sent.append(r) if r.url.endswith("/media") else None)
    seconds = page.evaluate(NAIVE, body)
    kb = link_kb(page, sent)
    page.close()
    return kb, seconds


Measured = list[dict[str, float]]


def run(base: str, folder: Path, runs: int, quick: bool) -> tuple[Measured, tuple[float, float]]:
    from playwright.sync_api import sync_playwright

    photos = camera_files(folder)
    console = Console(base)
    measured: list[dict[str, float]] = []
    baseline = (0.0, 0.0)
    try:
        with sync_playwright() as pw:
            browser: Any = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                for i in range(runs + 1):
                    context = browser.new_context(
                        base_url=base,
                        geolocation=PHONE_GEOLOCATION,
                        permissions=["geolocation"],
                        **PHONE,
                    )
                    context.add_init_script(STAMP)
                    log_in(context, str(FIRST_VOLUNTEER + i))
                    if i < runs:
                        measured.append(one_report(context, console, photos, i + 1))
                        shown = ", ".join(f"{k} {v:.2f}" for k, v in measured[-1].items())
                        print(f"run {i + 1}: {shown}", flush=True)
                    else:
                        kb, seconds = naive(context, photos[:1] if quick else photos)
                        scale = 3 if quick else 1
                        baseline = (kb * scale, seconds * scale)
                    context.close()
            finally:
                browser.close()
    finally:
        console.close()
    return measured, baseline


def report(measured: Measured, baseline: tuple[float, float], quick: bool) -> dict[str, Any]:
    def pick(key: str) -> list[float]:
        return [m[key] for m in measured]

    upload = max(pick("upload_kb"))
    console_s, console_worst = statistics.median(pick("to_console_s")), max(pick("to_console_s"))
    delivered_s, delivered_worst = statistics.median(pick("delivered_s")), max(pick("delivered_s"))
    photos_s, photos_worst = statistics.median(pick("photos_done_s")), max(pick("photos_done_s"))
    print(
        f"sent {upload:.0f} KB after the tap (worst of {len(measured)}); console got the report "
        f"{console_s:.2f} s median, {console_worst:.2f} s worst; the phone showed it delivered "
        f"{delivered_s:.2f} s median, {delivered_worst:.2f} s worst; all three photos "
        f"{photos_s:.1f} s median, {photos_worst:.1f} s worst"
    )
    print(
        f"the report page opened (a fresh phone, the map showing its spot) in "
        f"{statistics.median(pick('page_s')):.1f} s median, {max(pick('page_kb')):.0f} KB"
    )
    print(
        f"baseline (originals unresized{', one photo x 3' if quick else ''}): "
        f"{baseline[0]:.0f} KB, {baseline[1]:.1f} s"
    )
    kb_met, s_met = upload <= TARGET_UPLOAD_KB, console_s <= TARGET_CONSOLE_S
    print(
        f"targets: report on the console <= {TARGET_CONSOLE_S:g} s: "
        f"{'met' if s_met else 'NOT met'}; three photos <= {TARGET_UPLOAD_KB:g} KB: "
        f"{'met' if kb_met else 'NOT met'}"
    )
    print(f"1-min load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return {
        "upload_kb": round(upload, 1),
        "to_console_s": round(console_s, 2),
        "photos_done_s": round(photos_s, 2),
        "to_console_worst_s": round(console_worst, 2),
        "delivered_s": round(delivered_s, 2),
        "delivered_worst_s": round(delivered_worst, 2),
        "photos_done_worst_s": round(photos_worst, 2),
        "naive_upload_kb": round(baseline[0], 1),
        "naive_photos_s": round(baseline[1], 2),
        "report_page_kb": round(max(pick("page_kb")), 1),
        "report_page_s": round(statistics.median(pick("page_s")), 2),
        "runs": len(measured),
        "targets_met": kb_met and s_met,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2 runs, a one-photo baseline (CI)")
    args = parser.parse_args()
    runs = 2 if args.quick else 5
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="bench-sighting-"))
    process = None
    began = time.perf_counter()
    try:
        seed_demo(tmp)
        process, server = launch(tmp, RATELIMIT_ENABLED="false")
        measured, baseline = run(server.base, tmp, runs, args.quick)
        result = report(measured, baseline, args.quick)
        result["seconds"] = round(time.perf_counter() - began, 1)
        print(json.dumps(result))
        return 0
    except Exception as exc:  # noqa: BLE001 - the JSON line still ends the output
        print(f"FAILED: {exc}", file=sys.stderr)
        print(json.dumps({"upload_kb": None, "error": str(exc)[:500]}))
        return 1
    finally:
        if process is not None:
            stop(process)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
