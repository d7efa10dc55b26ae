"""Real Socket.IO clients against the real server on a real port (websocket transport)."""

from __future__ import annotations

import threading

import pytest
import requests
import socketio as socketio_client
from werkzeug.serving import make_server

from app.roles import Role
from realtime import events
from tests.conftest import PASSWORD


@pytest.fixture
def server(app):
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(timeout=5)


def _login_cookie(base: str, phone: str) -> str:
    session = requests.Session()
    response = session.post(f"{base}/login", json={"phone": phone, "password": PASSWORD}, timeout=5)
    assert response.status_code == 200
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def test_a_dispatcher_connects_over_websocket_and_gets_the_roster(server, make_user):
    dispatcher = make_user(Role.DISPATCHER)
    client = socketio_client.Client(reconnection=False)
    client.connect(
        server,
        namespaces=[events.CONSOLE_NS],
        transports=["websocket"],
        headers={"Cookie": _login_cookie(server, dispatcher.phone)},
        wait_timeout=5,
    )
    try:
        roster = client.call(events.ROSTER, None, namespace=events.CONSOLE_NS, timeout=5)
        assert roster == {"people": []}
    finally:
        client.disconnect()


@pytest.mark.parametrize("origin", ["https://evil.example", "http://127.0.0.1:1"])
def test_a_handshake_from_a_foreign_origin_is_refused(server, make_user, origin):
    dispatcher = make_user(Role.DISPATCHER)
    client = socketio_client.Client(reconnection=False)
    with pytest.raises(socketio_client.exceptions.ConnectionError):
        # polling: the websocket client would add its own same-site Origin beside ours
        client.connect(
            server,
            namespaces=[events.CONSOLE_NS],
            transports=["polling"],
            headers={"Cookie": _login_cookie(server, dispatcher.phone), "Origin": origin},
            wait_timeout=5,
        )
    client.disconnect()


def test_an_anonymous_socket_is_refused_with_the_error_shape(server):
    client = socketio_client.Client(reconnection=False)
    refusals = []
    client.on("connect_error", refusals.append, namespace=events.FIELD_NS)
    with pytest.raises(socketio_client.exceptions.ConnectionError):
        client.connect(
            server,
            namespaces=[events.FIELD_NS],
            transports=["websocket"],
            headers={"Accept-Language": "en"},
            wait_timeout=5,
        )
    client.disconnect()
    assert refusals == [
        {
            "message": "Please log in first.",
            "data": {"error": {"code": "login_required", "message": "Please log in first."}},
        }
    ]
