"""The scaled mode: a login ended on one server process closes its sockets on every process.

Two real ``wanjia run`` processes share a PostgreSQL database of this test's own and a Redis
database of its own (13), as nginx's sticky sessions would place a person's page on A and their
phone's socket on B. Real python-socketio clients, real logins with the CSRF token of the page.
"""

from __future__ import annotations

import re
import secrets
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio as socketio_client
from flask import Flask
from flask_migrate import upgrade
from redis import Redis
from sqlalchemy import create_engine, make_url, text

from app import create_app
from app.extensions import db
from app.roles import Role
from realtime import events
from tests.conftest import PASSWORD, PG_SERVER, _settings
from tests.servers import Server, launch, stop
from volunteers.models import User

REDIS = "redis://127.0.0.1:6379/13"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
CLOSE_WITHIN_S = 5.0


@pytest.fixture
def database() -> Iterator[str]:
    """A PostgreSQL database of this test's own, dropped afterwards."""
    name = f"wj_logout_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def app(database: str, tmp_path: Path) -> Iterator[Flask]:
    """Replaces conftest's ``app``: migrates this test's database, where ``make_user`` adds
    people the two servers then log in."""
    instance = tmp_path / "setup"
    instance.mkdir()
    application = create_app(_settings(DATABASE_URL=database), str(instance))
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def servers(app: Flask, database: str, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    """Processes A and B: one database, one Redis, one secret key (a cookie from A works on
    B, as behind nginx)."""
    key = secrets.token_hex(32)
    started: list[Any] = []
    try:
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            started.append(
                launch(
                    tmp_path / name,
                    DATABASE_URL=database,
                    REDIS_URL=REDIS,
                    SECRET_KEY=key,
                    RATELIMIT_ENABLED="false",  # the same people log in on every run
                )
            )
        yield started[0][1], started[1][1]
    finally:
        for process, _server in started:
            stop(process)
        Redis.from_url(REDIS).flushdb()  # this test's own database number: tasks, limits


class Login:
    """One login (a browser or phone session), made through a server's login page."""

    def __init__(self, server: Server, user: User) -> None:
        self.http = requests.Session()
        answer = self.http.post(
            f"{server.base}/login",
            json={"phone": user.phone, "password": PASSWORD},
            headers={"X-CSRFToken": self.csrf(server), "Accept": "application/json"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text

    def csrf(self, server: Server) -> str:
        page = self.http.get(f"{server.base}/login", timeout=10)
        found = CSRF_META.search(page.text)
        assert found is not None, page.status_code
        return found.group(1)

    def post(self, server: Server, path: str, body: dict[str, Any]) -> requests.Response:
        return self.http.post(
            f"{server.base}{path}",
            json=body,
            headers={"X-CSRFToken": self.csrf(server), "Accept": "application/json"},
            timeout=10,
        )

    def socket(self, server: Server, namespace: str) -> Socket:
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        return Socket(server, namespace, cookie)


class Socket:
    """A real Socket.IO client of one namespace; notes when the server closes it."""

    def __init__(self, server: Server, namespace: str, cookie: str) -> None:
        self.namespace = namespace
        self.closed = threading.Event()
        self.client = socketio_client.Client(reconnection=False)
        self.client.on("disconnect", lambda *_: self.closed.set(), namespace=namespace)
        self.client.connect(
            server.base,
            namespaces=[namespace],
            transports=["websocket"],
            headers={"Cookie": cookie},
            wait_timeout=5,
        )

    def still_open(self) -> bool:
        """Open, and answering: a ping's echo comes back."""
        reply = self.client.call(events.PING, "here", namespace=self.namespace, timeout=5)
        return not self.closed.is_set() and reply == {"pong": "here"}

    def close(self) -> None:
        self.client.disconnect()


def test_a_logout_on_one_process_closes_that_logins_sockets_on_the_other(servers, make_user):
    a, b = servers
    guard = make_user(Role.GUARD)
    officer = make_user(Role.OFFICER)
    dispatcher = make_user(Role.DISPATCHER)
    shared_phone, own_phone = Login(a, guard), Login(b, guard)
    on_b = shared_phone.socket(b, events.FIELD_NS)
    also_on_a = shared_phone.socket(a, events.FIELD_NS)
    other_login = own_phone.socket(b, events.FIELD_NS)
    console = Login(a, dispatcher)
    console_on_b = console.socket(b, events.CONSOLE_NS)
    sockets = [on_b, also_on_a, other_login, console_on_b]
    try:
        # Logging out on A ends that login: its sockets close on B as on A.
        assert shared_phone.post(a, "/logout", {}).status_code == 200
        assert on_b.closed.wait(CLOSE_WITHIN_S), "the login's socket on B stayed open"
        assert also_on_a.closed.wait(CLOSE_WITHIN_S)
        # Only that login's: the same person's other login keeps its socket.
        assert other_login.still_open()
        assert console_on_b.still_open()

        # An officer disabling the account on A ends every login of the person, on B too.
        answer = Login(a, officer).post(a, f"/officer/people/{guard.id}/active", {"active": False})
        assert answer.status_code == 200, answer.text
        assert other_login.closed.wait(CLOSE_WITHIN_S), "the person's other login stayed open"
        assert console_on_b.still_open()

        # Logging out everywhere (here a dispatcher, on A) closes their console on B.
        assert console.post(a, "/logout", {"everywhere": True}).status_code == 200
        assert console_on_b.closed.wait(CLOSE_WITHIN_S), "the console on B stayed open"
    finally:
        for sock in sockets:
            sock.close()
