"""realtime.login_rooms on a Redis database of these tests' own (12): a request to close a
login's room, published on Redis as another server process publishes it, closes this process's
sockets in that room and no others; the listener outlives a malformed request and a lost
connection. (Across real processes: test_logout_across_processes.py.)"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import socketio as socketio_client
from flask import Flask
from redis import Redis
from sqlalchemy import select
from werkzeug.serving import make_server

from app.extensions import db
from app.roles import Role
from realtime import events
from realtime.login_rooms import CHANNEL, channel_of
from tests.conftest import PASSWORD
from volunteers.models import LoginSession, User

REDIS = "redis://127.0.0.1:6379/12"


@pytest.fixture
def app_settings() -> dict[str, Any]:
    return {"REDIS_URL": REDIS}


@pytest.fixture
def redis_client() -> Iterator[Redis]:
    client = Redis.from_url(REDIS)
    yield client
    client.close()


@pytest.fixture
def server(app) -> Iterator[str]:
    """The app on a port of its own (Flask-SocketIO's test client refuses a message queue)."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(timeout=5)


class Phone:
    """A new login of a person with a real Socket.IO client on /field."""

    def __init__(self, app: Flask, base: str, user: User) -> None:
        http = requests.Session()
        answer = http.post(f"{base}/login", json={"phone": user.phone, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        self.closed = threading.Event()
        self.client = socketio_client.Client(reconnection=False)
        self.client.on("disconnect", lambda *_: self.closed.set(), namespace=events.FIELD_NS)
        cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
        self.client.connect(
            base,
            namespaces=[events.FIELD_NS],
            transports=["websocket"],
            headers={"Cookie": cookie},
            wait_timeout=5,
        )
        with app.app_context():
            login = db.session.scalars(
                select(LoginSession.id)
                .where(LoginSession.user_id == user.id)
                .order_by(LoginSession.created_at.desc())
            ).first()
        assert login is not None
        self.login: str = login

    def closed_within(self, seconds: float, *, asking: tuple[Redis, str] | None = None) -> bool:
        """Whether the server closed the socket within ``seconds``, ``asking`` again and again."""
        deadline = time.monotonic() + seconds
        while not self.closed.wait(0.2):
            if time.monotonic() > deadline:
                return False
            if asking is not None:
                _ask(*asking)
        return True

    def still_open(self) -> bool:
        """Open, and answering: a ping's echo comes back."""
        reply = self.client.call(events.PING, "here", namespace=events.FIELD_NS, timeout=5)
        return not self.closed.is_set() and reply == {"pong": "here"}


def _ask(client: Redis, room: str) -> None:
    """What another server process (or a Celery worker) sends: nothing of this app used."""
    message = {"room": room, "namespaces": list(events.ALL_NAMESPACES)}
    client.publish(f"{CHANNEL}:12", json.dumps(message))


def test_the_channel_names_the_redis_database():
    """Redis shares channels between its numbered databases; deployments on two must not
    close each other's sockets."""
    assert channel_of(Redis.from_url(REDIS)) == "wanjia:sockets:close:12"
    assert channel_of(Redis.from_url("redis://127.0.0.1:6379")) == "wanjia:sockets:close:0"


def test_a_request_from_another_process_closes_that_logins_sockets_only(
    app, server, make_user, redis_client
):
    guard = make_user(Role.GUARD)
    first, second = Phone(app, server, guard), Phone(app, server, guard)
    stranger = Phone(app, server, make_user(Role.VOLUNTEER))
    _ask(redis_client, events.login_room(first.login))
    assert first.closed_within(5)
    assert second.still_open() and stranger.still_open()
    _ask(redis_client, events.user_room(guard.id))
    assert second.closed_within(5)
    assert stranger.still_open()
    stranger.client.disconnect()


def test_the_listener_ignores_malformed_requests_and_keeps_listening(
    app, server, make_user, redis_client
):
    phone = Phone(app, server, make_user(Role.VOLUNTEER))
    channel = f"{CHANNEL}:12"
    for junk in ("not json", "[]", json.dumps({"room": "x"}), json.dumps({"namespaces": 5})):
        redis_client.publish(channel, junk)
    _ask(redis_client, events.login_room(phone.login))
    assert phone.closed_within(5)


def test_the_listener_subscribes_again_after_losing_its_connection(
    app, server, make_user, redis_client
):
    """As when Redis restarts: the connection drops and the process carries on by itself."""
    phone = Phone(app, server, make_user(Role.VOLUNTEER))
    name = f"wanjia-login-rooms-{os.getpid()}"
    listeners = [c for c in redis_client.client_list(_type="pubsub") if c["name"] == name]
    assert listeners, "the listener's connection carries this process's name"
    for listener in listeners:
        redis_client.client_kill_filter(_id=listener["id"])
    # Asked again and again: a request sent while it was away is lost, as on Socket.IO's queue.
    assert phone.closed_within(10, asking=(redis_client, events.login_room(phone.login)))
    again = [c for c in redis_client.client_list(_type="pubsub") if c["name"] == name]
    assert again and {c["id"] for c in again}.isdisjoint({c["id"] for c in listeners})
