"""Browser tests: a real ``wanjia run`` server and Debian's Chromium driven by Playwright.

One server per session (seeded with ``wanjia demo``) and one browser per session keep the whole
module to a few seconds; every test gets fresh browser contexts, so cookies never leak between
tests. Never ``playwright install``: the browser is the system's ``/usr/bin/chromium``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api")

from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, PHONE_GEOLOCATION  # noqa: E402
from tests.servers import Server, running, seed_demo  # noqa: E402


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is an e2e test (``-m "not e2e"`` skips them all)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (no trailing slash) of a seeded demo server on a free port of 127.0.0.1, with
    its embedded Celery worker."""
    instance = tmp_path_factory.mktemp("e2e-instance")
    seed_demo(instance)
    with running(instance, worker=True) as server:
        yield server.base


@pytest.fixture(scope="session")
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server on an empty database, without the demo: no station yet, so ``wanjia run``
    printed its one-time set-up link into ``server.log``."""
    instance = tmp_path_factory.mktemp("e2e-fresh-instance")
    with running(instance) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    with playwright_sync.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _context(browser: Any, live_server: str, **options: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server, locale="zh-CN", **options)
    context.set_default_timeout(5_000)
    context.set_default_navigation_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def phone(browser: Any, live_server: str) -> Iterator[Any]:
    """A browser context like a cheap Android phone: 360x740, touch, Chinese, its position
    inside the demo area. ``page = phone.new_page()``; relative URLs go to the live server."""
    yield from _context(
        browser,
        live_server,
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        geolocation=PHONE_GEOLOCATION,
        permissions=["geolocation"],
    )


@pytest.fixture
def desktop(browser: Any, live_server: str) -> Iterator[Any]:
    """A browser context like the police room's PC: 1440x900, Chinese."""
    yield from _context(browser, live_server, viewport={"width": 1440, "height": 900})


@pytest.fixture
def fresh_desktop(browser: Any, fresh_server: Server) -> Iterator[Any]:
    """The police room's PC (1440x900, Chinese) on the server without the demo."""
    yield from _context(browser, fresh_server.base, viewport={"width": 1440, "height": 900})


@pytest.fixture
def fresh_phone(browser: Any, fresh_server: Server) -> Iterator[Any]:
    """A cheap Android phone (360x740, touch, Chinese) on the server without the demo."""
    yield from _context(
        browser,
        fresh_server.base,
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
