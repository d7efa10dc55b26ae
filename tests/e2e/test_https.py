"""Phones reach the server by a host name that is not localhost: over HTTPS the check-in works;
Chromium maps the
made-up name wanjia.test to 127.0.0.1, so all traffic stays on loopback."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checkins import tokens
from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, shot
from tests.servers import running, seed_demo

HOST = "wanjia.test"
GUARD = "13700000012"


def _server(
    tmp_path_factory: pytest.TempPathFactory, *, tls: bool
) -> Iterator[tuple[int, Path]]:
    instance = tmp_path_factory.mktemp("https-instance" if tls else "http-instance")
    seed_demo(instance)
    with running(instance, tls=tls) as server:
        yield server.port, instance


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    yield from _server(tmp_path_factory, tls=True)


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    yield from _server(tmp_path_factory, tls=False)


@pytest.fixture(scope="module")
def mapped_browser(browser: Any) -> Iterator[Any]:
    mapped = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {HOST} 127.0.0.1"],
    )
    yield mapped
    mapped.close()


def _point_and_token(instance: Path) -> tuple[float, float, str]:
    with sqlite3.connect(instance / "wanjia.db") as db:
        point_id, lat, lon, version = db.execute(
            "SELECT id, lat, lon, poster_version FROM patrol_points ORDER BY id LIMIT 1"
        ).fetchone()
    key = tokens.signing_key((instance / "secret_key").read_text().strip())
    return lat, lon, tokens.sign(key, point_id, version)


def _phone(browser: Any, base: str, lat: float, lon: float) -> Any:
    context = browser.new_context(
        base_url=base,
        ignore_https_errors=True,
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        viewport={"width": 360, "height": 740},
        # A few metres off: exactly on the point's coordinates is held (checkins/evidence.py).
        geolocation={"latitude": lat + 4e-5, "longitude": lon, "accuracy": 10},
        permissions=["geolocation"],
    )
    return context.new_page()


def test_a_phone_checks_in_over_https_by_host_name(mapped_browser, https_server):
    port, instance = https_server
    lat, lon, token = _point_and_token(instance)
    page = _phone(mapped_browser, f"https://{HOST}:{port}", lat, lon)
    page.goto(f"/c/{token}")
    page.fill("input[name=phone]", GUARD)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form.stack button[type=submit]")
    page.locator("#status.done").wait_for(timeout=15000)
    assert page.evaluate("window.isSecureContext") is True
    cookies = page.context.cookies()
    assert all(c["secure"] for c in cookies if c["name"] in ("session", "remember_token"))
    page.context.close()


def test_the_address_typed_without_https_lands_on_the_https_check_in(mapped_browser, https_server):
    """People type 192.168.x.x:5000 as they see it; the same port answers plain HTTP with a
    redirect, so the phone ends on the secure page and checks in."""
    port, instance = https_server
    lat, lon, token = _point_and_token(instance)
    page = _phone(mapped_browser, f"http://{HOST}:{port}", lat, lon)
    page.goto(f"/c/{token}")
    assert page.url.startswith(f"https://{HOST}:{port}/login")
    page.fill("input[name=phone]", "13700000013")  # not GUARD: that one is in its cooldown here
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form.stack button[type=submit]")
    page.locator("#status.done").wait_for(timeout=15000)
    assert page.url == f"https://{HOST}:{port}/c/{token}"
    page.context.close()


def test_over_plain_http_by_host_name_the_page_explains_why_there_is_no_location(
    mapped_browser, plain_server
):
    """A server started without HTTPS, reached by a name that is not localhost: Chromium
    gives the page no location, and the page says why instead of "allow location"."""
    port, instance = plain_server
    lat, lon, token = _point_and_token(instance)
    before = _checkin_count(instance)
    page = _phone(mapped_browser, f"http://{HOST}:{port}", lat, lon)
    page.goto(f"/c/{token}")
    assert page.url.startswith(f"http://{HOST}:{port}/login")
    page.fill("input[name=phone]", GUARD)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form.stack button[type=submit]")
    status = page.locator("#status.refused")
    status.wait_for(timeout=15000)
    assert page.evaluate("window.isSecureContext") is False
    assert page.evaluate("'geolocation' in navigator && window.isSecureContext") is False
    assert status.get_attribute("data-code") == "insecure_origin"
    assert "HTTPS" in status.inner_text()
    shot(page, "phone-checkin-plain-http")
    assert _checkin_count(instance) == before  # nothing was sent without a position
    page.context.close()


def _checkin_count(instance: Path) -> int:
    with sqlite3.connect(instance / "wanjia.db") as db:
        return db.execute("SELECT count(*) FROM checkins").fetchone()[0]
