"""Persistent connections on ``wanjia run``'s server (app/http_handler.py): a phone's page,
script and check-in call share one connection, each request's body is read to its end before
the next, and a new connection resumes the TLS session. Real sockets on 127.0.0.1."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time

import pytest
from flask import Flask, request

from app import http_handler, serving, tls
from tests.app.test_serving import field_server

LIMITS = serving.Limits(idle_timeout=5.0, max_connections=50, greeting_deadline=5.0, keep_alive=1.0)


def _app() -> Flask:
    app = Flask("keep-alive")

    @app.route("/who", methods=["GET", "POST"])
    def who() -> dict:
        """The client's port: the same port twice is the same TCP connection."""
        return {"port": request.environ["REMOTE_PORT"]}

    @app.post("/echo")
    def echo() -> dict:
        return {"got": len(request.get_data())}

    return app


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """The server's context and a client's that trusts the instance's authority."""
    made = tls.certificate(tmp_path_factory.mktemp("tls-keep"), None, None, ["127.0.0.1"])
    client = ssl.create_default_context(cafile=str(made.authority_path))
    return serving.tls_context(str(made.cert_path), str(made.key_path)), client


def _port_of(answer: http.client.HTTPResponse) -> int:
    assert answer.status == 200 and answer.getheader("Connection") != "close"
    return int(json.loads(answer.read())["port"])


def test_two_requests_from_one_client_share_one_connection(pair):
    server_tls, client_tls = pair
    with field_server(_app(), server_tls, LIMITS) as server:
        conn = http.client.HTTPSConnection("127.0.0.1", server.port, context=client_tls, timeout=5)
        try:
            conn.request("GET", "/who")
            first = _port_of(conn.getresponse())
            conn.request("POST", "/who", body=b"{}", headers={"Content-Type": "application/json"})
            assert _port_of(conn.getresponse()) == first
        finally:
            conn.close()


def test_a_body_the_app_did_not_read_is_dropped_before_the_next_request():
    with field_server(_app(), None, LIMITS) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        try:
            conn.request("POST", "/who", body=b"x" * 50_000)  # /who never reads it
            first = _port_of(conn.getresponse())
            conn.request("POST", "/echo", body=b"y" * 1234)
            answer = conn.getresponse()
            assert json.loads(answer.read()) == {"got": 1234}
            conn.request("GET", "/who")
            assert _port_of(conn.getresponse()) == first
        finally:
            conn.close()


def test_pipelined_requests_are_each_answered_in_order():
    """Two requests sent at once: Werkzeug's own drain must not swallow the second."""
    with field_server(_app(), None, LIMITS) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as conn:
            conn.sendall(
                b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                b"Connection: close\r\n\r\nde"
            )
            answer = b""
            while chunk := conn.recv(4096):
                answer += chunk
    assert answer.count(b"HTTP/1.1 200") == 2
    assert answer.index(b'"got":3') < answer.index(b'"got":2')


def test_a_large_unread_body_closes_the_connection_instead_of_reading_it():
    # Only the head is sent: the server answers without waiting for a body it will not read.
    # (Sending the body too raced the server's close: a broken pipe, or a reset that lost the
    # answer, whichever came first.)
    head = (
        f"POST /who HTTP/1.1\r\nHost: x\r\nContent-Length: {http_handler.MAX_DRAIN + 10}\r\n\r\n"
    ).encode()
    with field_server(_app(), None, LIMITS) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as conn:
            conn.sendall(head)
            answer = b""
            while chunk := conn.recv(4096):  # a timeout here: the server kept it open
                answer += chunk
    status, *headers = answer.split(b"\r\n\r\n")[0].split(b"\r\n")
    assert b" 200 " in status
    assert b"Connection: close" in headers


@pytest.mark.parametrize(
    "head",
    [
        b"GET /who HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /who HTTP/1.0\r\nHost: x\r\n\r\n",
    ],
    ids=["connection-close", "http-1.0"],
)
def test_a_client_that_does_not_keep_connections_is_answered_and_closed(head):
    with field_server(_app(), None, LIMITS) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as conn:
            conn.sendall(head)
            answer = b""
            while chunk := conn.recv(4096):  # a timeout here: the server kept it open
                answer += chunk
    assert b" 200 " in answer.split(b"\r\n")[0]


def test_a_kept_connection_idle_past_the_keep_alive_timeout_is_closed():
    with field_server(_app(), None, LIMITS) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        try:
            conn.request("GET", "/who")
            _port_of(conn.getresponse())
            began = time.monotonic()
            assert conn.sock is not None
            conn.sock.settimeout(5)
            assert conn.sock.recv(1) == b""  # the server hung up
            waited = time.monotonic() - began
            assert LIMITS.keep_alive - 0.2 < waited < LIMITS.keep_alive + 1.5
        finally:
            conn.close()


def test_the_keep_alive_wait_is_never_longer_than_the_idle_timeout():
    limits = serving.Limits(idle_timeout=2.0, keep_alive=300.0)
    server = serving.FieldServer("127.0.0.1", 0, _app(), None, limits)
    try:
        assert server.limits.keep_alive == 2.0
    finally:
        server.server_close()


def test_a_new_connection_resumes_the_tls_session(pair):
    """TLS 1.3 session tickets: the second handshake skips the certificate exchange."""
    server_tls, client_tls = pair
    with field_server(_app(), server_tls, LIMITS) as server:
        first = http.client.HTTPSConnection("127.0.0.1", server.port, context=client_tls, timeout=5)
        first.request("GET", "/who")
        _port_of(first.getresponse())  # reading the answer also reads the session tickets
        assert isinstance(first.sock, ssl.SSLSocket)
        assert first.sock.version() == "TLSv1.3" and not first.sock.session_reused
        session = first.sock.session
        first.close()
        raw = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        again = client_tls.wrap_socket(raw, server_hostname="127.0.0.1", session=session)
        try:
            assert again.session_reused
        finally:
            again.close()
