"""Browser tests: a real ``wanjia run`` server and Debian's Chromium driven by Playwright.

One server per session (seeded with ``wanjia demo``) and one browser per session keep the whole
module to a few seconds; every test gets fresh browser contexts, so cookies never leak between
tests. Never ``playwright install``: the browser is the system's ``/usr/bin/chromium``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api")

from tests.e2e.helpers import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE_GEOLOCATION,
    ROOT,
    WANJIA,
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is an e2e test (``-m "not e2e"`` skips them all)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the whole process group: the server and anything it started (the embedded worker)."""
    for sig, grace in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break  # nobody left in the group
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; whatever it left behind in the group gets SIGKILL next round.
    process.wait(timeout=5)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (no trailing slash) of a seeded demo server on a free port of 127.0.0.1."""
    instance = tmp_path_factory.mktemp("e2e-instance")
    env = {
        **os.environ,
        "WANJIA_INSTANCE_PATH": str(instance),
        # As in the unit tests' TestConfig: scrypt costs 0.12 s a login, and this module logs in
        # about fifteen times; what is tested here is the pages, not the hash.
        "WANJIA_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("WANJIA_DATABASE_URL", None)
    env.pop("WANJIA_REDIS_URL", None)
    env.pop("WANJIA_PRODUCTION", None)
    demo = subprocess.run(
        [str(WANJIA), "demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        check=False,
    )
    assert demo.returncode == 0, f"wanjia demo failed:\n{demo.stdout}\n{demo.stderr}"

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = instance / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(WANJIA), "run", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so the teardown reaches every child
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                pytest.fail(f"wanjia run exited with {process.returncode}:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"wanjia run did not answer /healthz in 20 s:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        _stop(process)
    assert process.returncode is not None


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
        browser, live_server, viewport={"width": 360, "height": 740}, device_scale_factor=2,
        is_mobile=True, has_touch=True, geolocation=PHONE_GEOLOCATION,
        permissions=["geolocation"],
    )


@pytest.fixture
def desktop(browser: Any, live_server: str) -> Iterator[Any]:
    """A browser context like the police room's PC: 1440x900, Chinese."""
    yield from _context(browser, live_server, viewport={"width": 1440, "height": 900})
