"""The server ``wanjia run`` starts: HTTPS and the plain-HTTP redirect on one port, the TLS
handshake off the accept loop. Real sockets on 127.0.0.1 against a real FieldServer."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
import socketio as socketio_client
from flask import Flask, request

from app import serving, tls
from app.roles import Role
from realtime import events
from tests.conftest import PASSWORD


@pytest.fixture(scope="module")
def https_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    app = Flask("probe")

    @app.get("/c/<token>")
    def scan(token: str) -> dict:
        return {"token": token, "scheme": request.scheme, "q": request.args.get("q")}

    cert, key = tls.generate(tmp_path_factory.mktemp("tls"), ["127.0.0.1"])
    server = serving.FieldServer("127.0.0.1", 0, app, serving.tls_context(str(cert), str(key)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.port
    server.shutdown()


def test_https_reaches_the_app_as_https(https_port):
    answer = requests.get(f"https://127.0.0.1:{https_port}/c/abc", verify=False, timeout=5)  # noqa: S501
    assert answer.json() == {"token": "abc", "scheme": "https", "q": None}


def test_plain_http_on_the_same_port_is_sent_to_https_with_host_and_path(https_port):
    answer = requests.get(
        f"http://127.0.0.1:{https_port}/c/abc?q=1",
        headers={"Host": f"wanjia.test:{https_port}"},
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 301
    assert answer.headers["Location"] == f"https://wanjia.test:{https_port}/c/abc?q=1"
    assert "请使用安全连接" in answer.text


def test_following_the_redirect_ends_on_the_page(https_port):
    answer = requests.get(f"http://127.0.0.1:{https_port}/c/xyz", verify=False, timeout=5)  # noqa: S501
    assert answer.url == f"https://127.0.0.1:{https_port}/c/xyz"
    assert answer.json()["scheme"] == "https"


def test_a_silent_or_broken_connection_does_not_hold_up_others(https_port):
    silent = socket.create_connection(("127.0.0.1", https_port))
    broken = socket.create_connection(("127.0.0.1", https_port))
    broken.sendall(b"\x16\x03\x01\x00\x05hello")  # looks like TLS, is not
    try:
        began = time.monotonic()
        answer = requests.get(f"https://127.0.0.1:{https_port}/c/ok", verify=False, timeout=5)  # noqa: S501
        assert answer.status_code == 200 and time.monotonic() - began < 3
        _wait_until_closed(broken)  # the bad handshake ends that connection only
    finally:
        silent.close()
        broken.close()
    again = requests.get(f"https://127.0.0.1:{https_port}/c/still", verify=False, timeout=5)  # noqa: S501
    assert again.json()["token"] == "still"


def _wait_until_closed(conn: socket.socket) -> None:
    """Read until the server hangs up; a server that keeps it open fails with a timeout."""
    conn.settimeout(5)
    try:
        while conn.recv(4096):  # a TLS alert may come first
            pass
    except ConnectionResetError:
        pass


@pytest.mark.parametrize(
    ("head", "local", "port", "expected"),
    [
        (
            b"GET /c/a HTTP/1.1\r\nHost: 192.168.1.5:5000\r\n\r\n",
            "192.168.1.5",
            5000,
            "https://192.168.1.5:5000/c/a",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: wanjia.test\r\n\r\n",
            "10.0.0.2",
            5000,
            "https://wanjia.test:5000/",
        ),
        (
            b"GET / HTTP/1.1\r\nHost: police.example\r\n\r\n",
            "10.0.0.2",
            443,
            "https://police.example/",
        ),
        (
            b"GET /x HTTP/1.1\r\nHost: [fe80::1]:8443\r\n\r\n",
            "fe80::1",
            8443,
            "https://[fe80::1]:8443/x",
        ),
        # A Host or path that could inject a header or a script is replaced.
        (
            b'GET /x HTTP/1.1\r\nHost: a"><script>\r\n\r\n',
            "10.0.0.2",
            5000,
            "https://10.0.0.2:5000/x",
        ),
        (
            b"GET http://evil.example/ HTTP/1.1\r\nHost: 10.0.0.2:5000\r\n\r\n",
            "10.0.0.2",
            5000,
            "https://10.0.0.2:5000/",
        ),
        (b"\x00\x01garbage", "::1", 5000, "https://[::1]:5000/"),
    ],
)
def test_the_redirect_target_keeps_host_and_path_and_nothing_else(head, local, port, expected):
    assert serving.https_location(head, local, port) == expected


def test_a_phone_is_told_an_address_it_can_open_not_0_0_0_0():
    lan = lambda: ["127.0.1.1", "192.168.1.5", "10.8.0.2", "192.168.1.5"]  # noqa: E731
    assert serving.addresses_to_open("0.0.0.0", lan) == ["10.8.0.2", "192.168.1.5"]
    assert serving.addresses_to_open("0.0.0.0", lambda: ["127.0.1.1"]) == ["127.0.0.1"]
    assert serving.addresses_to_open("192.168.1.5", lan) == ["192.168.1.5"]
    assert "0.0.0.0" not in serving.addresses_to_open("0.0.0.0")


# Slow or silent connections must not hold threads: the idle timeout, the greeting deadline
# and the cap on connections (see app/serving.py). Short limits keep these tests quick.
QUICK = serving.Limits(idle_timeout=1.0, max_connections=50, greeting_deadline=1.5)


@contextmanager
def field_server(app: Flask, tls_context: ssl.SSLContext | None, limits: serving.Limits):
    server = serving.FieldServer("127.0.0.1", 0, app, tls_context, limits)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def tls_pair(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    cert, key = tls.generate(tmp_path_factory.mktemp("tls-limits"), ["127.0.0.1"])
    return serving.tls_context(str(cert), str(key))


def _probe_app() -> Flask:
    app = Flask("probe")

    @app.get("/c/<token>")
    def scan(token: str) -> dict:
        return {"token": token}

    return app


def _tls_client(port: int) -> ssl.SSLSocket:
    """A connection that finishes the TLS handshake, then says nothing."""
    client = ssl.create_default_context()
    client.check_hostname, client.verify_mode = False, ssl.CERT_NONE
    return client.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5))


def _connection_threads() -> int:
    return sum("process_request_thread" in t.name for t in threading.enumerate())


def _closed_within(conn: socket.socket, seconds: float) -> bool:
    """Whether the server hangs up on ``conn`` within ``seconds`` (reading whatever comes)."""
    conn.settimeout(seconds)
    try:
        while conn.recv(4096):
            pass
    except (ConnectionResetError, ssl.SSLError):
        pass
    except TimeoutError:
        return False
    return True


def test_idle_connections_are_closed_after_the_idle_timeout_while_others_are_served(tls_pair):
    """Twenty connections that finished the TLS handshake and then said nothing held twenty
    threads for ever; now each is closed after the idle timeout, and meanwhile the server
    keeps answering everyone else."""
    with field_server(_probe_app(), tls_pair, QUICK) as server:
        before = _connection_threads()
        idle = [_tls_client(server.port) for _ in range(20)]
        silent = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(5)]
        began = time.monotonic()
        try:
            for n in range(5):
                answer = requests.get(
                    f"https://127.0.0.1:{server.port}/c/{n}",
                    verify=False,
                    timeout=5,  # noqa: S501
                )
                assert answer.json() == {"token": str(n)}
            assert all(_closed_within(conn, 5) for conn in idle + silent)
            assert time.monotonic() - began < 5
        finally:
            for conn in idle + silent:
                conn.close()
        deadline = time.monotonic() + 5
        while _connection_threads() > before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _connection_threads() == before  # every thread they held is gone


def test_an_idle_plain_http_connection_is_closed_after_the_idle_timeout():
    with field_server(_probe_app(), None, QUICK) as server:
        conn = socket.create_connection(("127.0.0.1", server.port))
        conn.sendall(b"GET /c/slow HTTP/1.1\r\nHost: x\r\n")  # the head never ends
        try:
            assert _closed_within(conn, 5)
        finally:
            conn.close()
        plain = requests.get(f"http://127.0.0.1:{server.port}/c/next", timeout=5)
        assert plain.json() == {"token": "next"}


def _trickle(conn: socket.socket, data: bytes, every: float) -> threading.Thread:
    """Send ``data`` a byte at a time, ``every`` seconds apart, until the server hangs up."""

    def send() -> None:
        for byte in data:
            try:
                conn.send(bytes([byte]))
            except OSError:
                return
            time.sleep(every)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize(
    "greeting",
    [
        b"GET /c/abc HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: " + b"x" * 200,  # to redirect
        b"\x16\x03\x01\x02\x00" + b"\x01" * 512,  # a TLS ClientHello record, byte by byte
    ],
    ids=["plain-http-redirect", "tls-handshake"],
)
def test_a_greeting_that_trickles_in_is_dropped_at_the_deadline(tls_pair, greeting):
    """A byte every 0.2 s never trips a per-read timeout; the greeting's overall deadline
    (1.5 s here) ends it all the same."""
    with field_server(_probe_app(), tls_pair, QUICK) as server:
        conn = socket.create_connection(("127.0.0.1", server.port))
        began = time.monotonic()
        sender = _trickle(conn, greeting, every=0.2)
        try:
            assert _closed_within(conn, 6)
            assert time.monotonic() - began < QUICK.greeting_deadline + 1.5
        finally:
            conn.close()
            sender.join(timeout=2)


def test_beyond_the_cap_connections_wait_unaccepted_until_one_ends():
    """With the cap at three, three silent connections hold three threads; a fourth is not
    accepted (it waits in the listen backlog, no thread of its own) until one of them ends."""
    limits = serving.Limits(idle_timeout=30, max_connections=3, greeting_deadline=30)
    with field_server(_probe_app(), None, limits) as server:
        before = _connection_threads()
        held = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(3)]
        waiting = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        try:
            waiting.sendall(b"GET /c/queued HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            waiting.settimeout(1.0)
            with pytest.raises(TimeoutError):
                waiting.recv(4096)
            more = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(10)]
            time.sleep(0.3)
            assert _connection_threads() - before == 3
            held.pop().close()
            waiting.settimeout(5)
            answer = b""
            while chunk := waiting.recv(4096):  # the server closes after the answer
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200") and b'"queued"' in answer
            for conn in more:
                conn.close()
        finally:
            for conn in held:
                conn.close()
            waiting.close()


def test_the_default_idle_timeout_is_above_socket_io_ping_interval_plus_timeout(app):
    limits = serving.limits_for(app)
    assert serving.socketio_liveness(app) == 25 + 20  # Flask-SocketIO's defaults
    assert limits.idle_timeout > 25 + 20
    assert limits.max_connections == app.config["MAX_CONNECTIONS"] >= 2000  # bench/dispatch.py


@pytest.mark.parametrize(("idle", "most"), [(0, 10), (-1, 10), ("soon", 10), (60, 0)])
def test_limits_that_make_no_sense_are_refused(app, idle, most):
    app.config.update(IDLE_TIMEOUT=idle, MAX_CONNECTIONS=most)
    with pytest.raises(ValueError, match="WANJIA_"):
        serving.limits_for(app)


def _dispatcher_socket(base: str, make_user) -> socketio_client.Client:
    dispatcher = make_user(Role.DISPATCHER)
    session = requests.Session()
    login = session.post(
        f"{base}/login", json={"phone": dispatcher.phone, "password": PASSWORD}, timeout=5
    )
    assert login.status_code == 200
    client = socketio_client.Client(reconnection=False)
    client.connect(
        base,
        namespaces=[events.CONSOLE_NS],
        transports=["websocket"],
        headers={"Cookie": "; ".join(f"{c.name}={c.value}" for c in session.cookies)},
        wait_timeout=5,
    )
    return client


@pytest.mark.parametrize(("ping_interval", "stays"), [(0.3, True), (10, False)])
def test_a_websocket_lives_past_the_idle_timeout_while_pings_flow(
    app, make_user, ping_interval, stays
):
    """Socket.IO pings a websocket every ping interval and the phone answers: with the idle
    timeout above interval plus timeout, a quiet console stays connected; with pings rarer
    than the idle timeout, the same socket is cut (so the pings are what keep it)."""
    eio = app.extensions["socketio"].server.eio
    eio.ping_interval, eio.ping_timeout = ping_interval, 1.0
    limits = serving.Limits(idle_timeout=1.5, max_connections=50, greeting_deadline=1.5)
    with field_server(app, None, limits) as server:
        client = _dispatcher_socket(f"http://127.0.0.1:{server.port}", make_user)
        try:
            time.sleep(3 * limits.idle_timeout)
            assert client.connected is stays
            if stays:
                roster = client.call(events.ROSTER, None, namespace=events.CONSOLE_NS, timeout=5)
                assert roster == {"people": []}
        finally:
            client.disconnect()
