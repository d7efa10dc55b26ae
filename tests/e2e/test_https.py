"""Phones reach the server by a host name that is not localhost: over HTTPS the check-in works;
Chromium maps the
made-up name wanjia.test to 127.0.0.1, so all traffic stays on loopback."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from checkins import tokens
from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, ROOT, WANJIA

HOST = "wanjia.test"
GUARD = "13700000012"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    instance = tmp_path_factory.mktemp("https-instance")
    env = {
        **os.environ,
        "WANJIA_INSTANCE_PATH": str(instance),
        "WANJIA_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    subprocess.run(
        [str(WANJIA), "demo"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120
    )
    port = _free_port()
    log = (instance / "server.log").open("wb")
    server = subprocess.Popen(
        [str(WANJIA), "run", "--port", str(port), "--tls", "--no-worker"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"https://127.0.0.1:{port}/healthz", verify=False, timeout=1)  # noqa: S501
            break
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                pytest.fail((instance / "server.log").read_text())
            time.sleep(0.2)
    yield port, instance
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=10)


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
        geolocation={"latitude": lat, "longitude": lon, "accuracy": 10},
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
