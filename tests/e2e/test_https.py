"""Phones reach the server by a host name that is not localhost: over HTTPS the check-in works.
Chromium maps the made-up name wanjia.test to 127.0.0.1, so all traffic stays on loopback, and
trusts the instance's certificate authority from an NSS database under a temporary $HOME, as
a phone does once the set-up page's steps are followed (no "ignore HTTPS errors")."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app import tls
from checkins import tokens
from tests.e2e.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    no_horizontal_scroll,
    shot,
    small_touch_targets,
    trusting_home,
)
from tests.servers import free_port, running, seed_demo

HOST = "wanjia.test"
GUARD = "13700000012"


def _server(tmp_path_factory: pytest.TempPathFactory, *, tls: bool) -> Iterator[tuple[int, Path]]:
    instance = tmp_path_factory.mktemp("https-instance" if tls else "http-instance")
    seed_demo(instance)
    port = free_port()
    # The public address names wanjia.test, so the server certificate made on start does too.
    scheme = "https" if tls else "http"
    with running(instance, tls=tls, port=port, PUBLIC_URL=f"{scheme}://{HOST}:{port}") as server:
        yield server.port, instance


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    yield from _server(tmp_path_factory, tls=True)


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    yield from _server(tmp_path_factory, tls=False)


def _mapped(browser: Any, env: dict[str, str] | None = None) -> Any:
    return browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {HOST} 127.0.0.1"],
        env=env,
    )


@pytest.fixture(scope="module")
def mapped_browser(
    browser: Any, https_server: tuple[int, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """Chromium trusting the HTTPS server's authority (installed as the set-up page says)."""
    _port, instance = https_server
    home = tmp_path_factory.mktemp("phone-home")
    mapped = _mapped(browser, trusting_home(tls.own_authority(instance)[0], home))
    yield mapped
    mapped.close()


@pytest.fixture(scope="module")
def untrusting_browser(browser: Any) -> Iterator[Any]:
    """Chromium that has not installed the authority: its warning clicked through."""
    mapped = _mapped(browser)
    yield mapped
    mapped.close()


def _point_and_token(instance: Path) -> tuple[float, float, str]:
    with sqlite3.connect(instance / "wanjia.db") as db:
        point_id, lat, lon, version = db.execute(
            "SELECT id, lat, lon, poster_version FROM patrol_points ORDER BY id LIMIT 1"
        ).fetchone()
    key = tokens.signing_key((instance / "secret_key").read_text().strip())
    return lat, lon, tokens.sign(key, point_id, version)


def _phone(browser: Any, base: str, lat: float, lon: float, **options: Any) -> Any:
    context = browser.new_context(
        base_url=base,
        **options,
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
    # Trusted: the trust probe's service worker installs and the page says nothing about it.
    page.wait_for_function("async () => (await navigator.serviceWorker.getRegistrations()).length")
    assert page.locator("#untrusted").is_hidden()
    page.context.close()


def test_the_scans_requests_share_connections(mapped_browser, https_server):
    """HTTP/1.1 keep-alive as the browser sees it: the scan's requests (the page, its script
    and stylesheet, the check-in) share connections (Chromium's connection ids, over CDP); with
    ``Connection: close`` each request had a connection of its own."""
    port, instance = https_server
    lat, lon, token = _point_and_token(instance)
    page = _phone(mapped_browser, f"https://{HOST}:{port}", lat, lon)
    page.goto("/login")
    page.fill("input[name=phone]", "13700000014")
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    cdp = page.context.new_cdp_session(page)
    connections: dict[str, int] = {}
    cdp.on(
        "Network.responseReceived",
        lambda e: connections.setdefault(
            e["response"]["url"].split("/")[-1].split("?")[0], e["response"]["connectionId"]
        ),
    )
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")  # the script must come over the network
    page.goto(f"/c/{token}")
    page.locator("#status.done").wait_for(timeout=15000)
    assert any(name.startswith("checkin.") for name in connections), connections
    # Chromium spreads requests over a few connections as it sees fit (one may be busy when the
    # next request starts); what keep-alive guarantees is that connections are reused at all.
    assert len(set(connections.values())) < len(connections), connections
    page.context.close()


def test_a_phone_that_does_not_trust_the_server_is_told_so_in_one_line(
    untrusting_browser, https_server
):
    """The warning clicked through, the phone still checks in, but it caches nothing: the
    page says the connection is not trusted (the browser refused its service worker)."""
    port, instance = https_server
    lat, lon, token = _point_and_token(instance)
    page = _phone(untrusting_browser, f"https://{HOST}:{port}", lat, lon, ignore_https_errors=True)
    page.goto(f"/c/{token}")
    page.fill("input[name=phone]", "13700000015")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form.stack button[type=submit]")
    page.locator("#status.done").wait_for(timeout=15000)
    untrusted = page.locator("#untrusted")
    untrusted.wait_for(timeout=5000)
    assert "未被信任" in untrusted.inner_text()
    shot(page, "phone-checkin-untrusted")
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


@pytest.mark.parametrize(
    "screen",
    [{"width": 360, "height": 740}, {"width": 1440, "height": 900}],
    ids=["phone", "desktop"],
)
def test_the_setup_page_offers_the_authority_to_download(mapped_browser, https_server, screen):
    port, _instance = https_server
    context = mapped_browser.new_context(
        base_url=f"https://{HOST}:{port}", locale="zh-CN", viewport=screen
    )
    page = context.new_page()
    page.goto("/login?next=/officer/setup")
    page.fill("input[name=phone]", DEMO_LOGINS["officer"])
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    assert page.url.endswith("/officer/setup")
    assert page.locator("[data-authority-qr]").evaluate("img => img.naturalWidth") > 0
    href = page.locator("[data-authority-url]").get_attribute("href")
    assert href == f"https://{HOST}:{port}/tls/certificate.pem"
    assert "BEGIN CERTIFICATE" in page.evaluate("async (u) => (await fetch(u)).text()", href)
    assert page.locator("[data-trust-steps] li").count() == 3
    no_horizontal_scroll(page)
    assert small_touch_targets(page) == []
    shot(page, f"setup-https-{screen['width']}")
    context.close()
