"""The pages a phone opens from a poster are light: our stylesheet and the check-in script,
gzipped and by hashed names; no map library, no socket client, no framework; a first visit
well under 30 KB; a second visit takes every static file from the phone's cache.

(A check-in made offline and sent when the phone is back online is covered, with
``context.set_offline``, in test_checkin.py.)
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.helpers import DEMO_LOGINS, DEMO_PASSWORD, shot

pytestmark = pytest.mark.e2e

# Each test's own people: the check-in rules (cooldown, cap, speed) are per person.
VOLUNTEER_FIRST = "13600000031"
VOLUNTEER_AGAIN = "13600000032"
VOLUNTEER_LOGGED_OUT = "13600000033"
FIRST_VISIT_BUDGET = 30 * 1024
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
STATIC_ALLOWED = re.compile(r"^/static/(css/app|js/checkin)\.[0-9a-f]{10}\.(css|js)$")
HEAVY = re.compile(r"leaflet|socket\.io|vendor/", re.IGNORECASE)
FRAMEWORKS = ["L", "io", "jQuery", "$", "Vue", "React", "angular", "htmx", "Alpine"]


class Traffic:
    """Every request a page makes, as Chromium's DevTools protocol reports it: its path, the
    bytes that crossed the network (headers and body as sent), whether the cache served it."""

    def __init__(self, context: Any, page: Any) -> None:
        self.paths: dict[str, str] = {}
        self.hosts: set[str] = set()
        self.bytes: dict[str, int] = {}
        self.cached: set[str] = set()
        self.encoding: dict[str, str] = {}
        cdp = context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.send("Network.enable")

    def _sent(self, event: dict[str, Any]) -> None:
        url = urlsplit(event["request"]["url"])
        self.paths[event["requestId"]] = url.path
        self.hosts.add(url.netloc)

    def _response(self, event: dict[str, Any]) -> None:
        response = event["response"]
        if response.get("fromDiskCache"):
            self.cached.add(event["requestId"])
        headers = {k.lower(): v for k, v in response["headers"].items()}
        self.encoding[event["requestId"]] = headers.get("content-encoding", "")

    def _finished(self, event: dict[str, Any]) -> None:
        self.bytes[event["requestId"]] = event["encodedDataLength"]

    def settle(self, page: Any) -> None:
        """Wait for the last loadingFinished events (they may trail the page's own answer)."""
        for _ in range(50):
            if set(self.paths) <= set(self.bytes):
                return
            page.wait_for_timeout(50)
        raise AssertionError(f"unfinished requests: {set(self.paths) - set(self.bytes)}")

    def find(self, path: str) -> str:
        return next(rid for rid, seen in self.paths.items() if seen == path)

    def static(self) -> list[str]:
        return [rid for rid, path in self.paths.items() if path.startswith("/static/")]

    def total(self) -> int:
        return sum(self.bytes.values())


def api_log_in(context: Any, phone_number: str) -> None:
    """Log in through the context's request API: the context's cookies, not its page cache."""
    page = context.request.get("/login")
    token = CSRF_META.search(page.text())
    assert token, "no CSRF token on the login page"
    answer = context.request.post(
        "/login",
        data={"phone": phone_number, "password": DEMO_PASSWORD},
        headers={"Accept": "application/json", "X-CSRFToken": token.group(1)},
    )
    assert answer.status == 200, answer.text()


@pytest.fixture(scope="module")
def poster(browser: Any, live_server: str) -> dict[str, Any]:
    """One demo patrol point (its poster path and position), from the officer's API."""
    context = browser.new_context(base_url=live_server)
    try:
        api_log_in(context, DEMO_LOGINS["officer"])
        answer = context.request.get("/api/points", headers={"Accept": "application/json"})
        assert answer.status == 200, answer.text()
        point = answer.json()["points"][30]
    finally:
        context.close()
    return {
        "path": urlsplit(point["url"]).path,
        # A few metres off: exactly on the point's coordinates is held (checkins/evidence.py).
        "geolocation": {"latitude": point["lat"] + 4e-5, "longitude": point["lon"], "accuracy": 10},
    }


def no_framework(page: Any) -> None:
    present = page.evaluate("(names) => names.filter((n) => n in window)", FRAMEWORKS)
    assert present == [], f"the phone page loaded {present}"


def test_a_poster_page_is_light_and_a_second_visit_comes_from_the_cache(
    phone: Any, poster: dict[str, Any]
) -> None:
    """A logged-in phone opens a poster URL with an empty cache: every request is recorded,
    none is for Leaflet or Socket.IO, the only static files are app.css and checkin.js (by
    hashed names, gzipped), and the visit takes under 30 KB. Opened again (another volunteer
    logged in on the same phone), the page fetches no static file: the cache serves them."""
    phone.set_geolocation(poster["geolocation"])
    api_log_in(phone, VOLUNTEER_FIRST)
    page = phone.new_page()
    first = Traffic(phone, page)
    page.goto(poster["path"])
    page.locator("#status.done").wait_for(timeout=10_000)
    first.settle(page)

    paths = list(first.paths.values())
    assert not [p for p in paths if HEAVY.search(p)], paths
    assert first.hosts == {urlsplit(page.url).netloc}, "everything comes from our server"
    static = sorted(first.paths[rid] for rid in first.static())
    assert len(static) == 2 and all(STATIC_ALLOWED.match(p) for p in static), static
    for rid in [*first.static(), first.find(poster["path"])]:  # the files and the page
        assert first.encoding[rid] == "gzip", first.paths[rid]
    assert set(paths) == {poster["path"], *static, "/api/checkins"}, paths
    assert first.total() < FIRST_VISIT_BUDGET, {first.paths[r]: first.bytes[r] for r in first.bytes}
    no_framework(page)
    shot(page, "phone-light-checkin-done", full_page=False)
    page.close()

    api_log_in(phone, VOLUNTEER_AGAIN)  # a new session cookie: the files must still be cached
    page = phone.new_page()
    again = Traffic(phone, page)
    page.goto(poster["path"])
    page.locator("#status.done").wait_for(timeout=10_000)
    again.settle(page)
    assert sorted(again.paths[rid] for rid in again.static()) == static
    for rid in again.static():
        assert rid in again.cached, f"{again.paths[rid]} was fetched again"
        assert again.bytes[rid] == 0, f"{again.paths[rid]} crossed the network"
    assert again.total() < first.total() / 2


def test_the_login_page_a_poster_leads_through_is_light_too(
    phone: Any, poster: dict[str, Any]
) -> None:
    """Logged out, the poster leads through the login page: it loads only the stylesheet,
    which the check-in page then takes from the cache."""
    phone.set_geolocation(poster["geolocation"])
    page = phone.new_page()
    traffic = Traffic(phone, page)
    page.goto(poster["path"])
    assert urlsplit(page.url).path == "/login"
    page.fill("input[name=phone]", VOLUNTEER_LOGGED_OUT)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    page.locator("#status.done").wait_for(timeout=10_000)
    traffic.settle(page)

    paths = list(traffic.paths.values())
    assert not [p for p in paths if HEAVY.search(p)], paths
    static = [traffic.paths[rid] for rid in traffic.static()]
    assert all(STATIC_ALLOWED.match(p) for p in static), static
    fetched = [traffic.paths[rid] for rid in traffic.static() if rid not in traffic.cached]
    assert sorted(fetched) == sorted(set(static)), "each file crosses the network once"
    no_framework(page)
