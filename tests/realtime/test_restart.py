"""Escalation survives a server crash: the deadline is a row, the sweep runs in the restarted
server's embedded Celery beat, and the new round reaches a phone that reconnected."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import socketio as socketio_client

from realtime import events
from tests.checkins.conftest import offset

WANJIA = str(Path(sys.executable).with_name("wanjia"))
SPOT = (33.3800, 120.1600)
PASSWORD = "wanjia2026"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [WANJIA, "run", "--port", str(port)],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return server
        except requests.ConnectionError:
            time.sleep(0.2)
    server.kill()
    pytest.fail(f"server did not start:\n{log.read_text()[-3000:]}")


def _login(base: str, phone: str) -> str:
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=5).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)[1]
    response = session.post(
        f"{base}/login",
        json={"phone": phone, "password": PASSWORD},
        headers={"X-CSRFToken": token},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def _client(base: str, phone: str, namespace: str, received: list | None = None):
    client = socketio_client.Client(reconnection=False)
    if received is not None:
        client.on(events.OFFER, received.append, namespace=namespace)
    client.connect(
        base,
        namespaces=[namespace],
        transports=["websocket"],
        headers={"Cookie": _login(base, phone)},
        wait_timeout=10,
    )
    return client


def _on_duty_at(client, metres: float) -> None:
    assert (
        client.call(
            events.SET_DUTY,
            {"on_duty": True, "share_location": True},
            namespace=events.FIELD_NS,
            timeout=10,
        )["on_duty"]
        is True
    )
    lat, lon = offset(*SPOT, metres)
    assert client.call(
        events.POSITION,
        {"lat": lat, "lon": lon, "accuracy": 10},
        namespace=events.FIELD_NS,
        timeout=10,
    ) == {"ok": True}


def test_an_offer_that_runs_out_during_a_crash_escalates_after_the_restart(tmp_path):
    instance = tmp_path / "instance"
    env = dict(
        os.environ,
        WANJIA_INSTANCE_PATH=str(instance),
        WANJIA_DISPATCH_OFFER_SECONDS="3",
        # A slow restart can let a round pass before the far phone is on duty: allow more.
        WANJIA_DISPATCH_MAX_ROUNDS="6",
        WANJIA_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
        WANJIA_RATELIMIT_ENABLED="false",
    )
    log = tmp_path / "server.log"
    subprocess.run([WANJIA, "demo"], env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start(env, port, log)
    clients = []
    try:
        console = _client(base, "13900000010", events.CONSOLE_NS)
        near = _client(base, "13700000001", events.FIELD_NS)
        clients += [console, near]
        _on_duty_at(near, 300)
        incident = console.call(
            events.CREATE_INCIDENT,
            {"kind": "fire", "priority": 1, "lat": SPOT[0], "lon": SPOT[1]},
            namespace=events.CONSOLE_NS,
            timeout=10,
        )
        sent = console.call(
            events.SEND_OFFERS,
            {"incident_id": incident["id"], "user_ids": [incident_user(instance, "13700000001")]},
            namespace=events.CONSOLE_NS,
            timeout=10,
        )
        assert sent["offers"][0]["status"] == "offered"
        os.killpg(server.pid, signal.SIGKILL)  # a crash, not a shutdown
        server.wait(timeout=10)
        for client in clients:
            client.disconnect()
        clients.clear()

        server = _start(env, port, log)
        received: list = []
        far = _client(base, "13700000002", events.FIELD_NS, received)
        clients.append(far)
        _on_duty_at(far, 1500)  # outside the first round's 1 km: only round 2 reaches
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not received:
            time.sleep(0.2)
        assert received, f"no escalated offer arrived:\n{log.read_text()[-3000:]}"
        # Round 2 at the earliest (round 1's 1 km never reached it); later if the restart was slow.
        assert received[0]["round"] >= 2 and received[0]["incident"]["id"] == incident["id"]
        with sqlite3.connect(instance / "wanjia.db") as db:
            statuses = dict(
                db.execute(
                    "SELECT u.phone, o.status FROM offers o JOIN users u "
                    "ON u.id = o.user_id WHERE o.incident_id = ?",
                    (incident["id"],),
                ).fetchall()
            )
        assert statuses == {"13700000001": "expired", "13700000002": "offered"}
    finally:
        for client in clients:
            client.disconnect()
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)


def incident_user(instance: Path, phone: str) -> int:
    with sqlite3.connect(instance / "wanjia.db") as db:
        return db.execute("SELECT id FROM users WHERE phone = ?", (phone,)).fetchone()[0]
