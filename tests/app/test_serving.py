"""The server ``wanjia run`` starts: HTTPS and the plain-HTTP redirect on one port, the TLS
handshake off the accept loop. Real sockets on 127.0.0.1 against a real FieldServer."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import requests
from flask import Flask, request

from app import serving, tls


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
        (b"GET /c/a HTTP/1.1\r\nHost: 192.168.1.5:5000\r\n\r\n", "192.168.1.5", 5000,
         "https://192.168.1.5:5000/c/a"),
        (b"GET / HTTP/1.1\r\nHost: wanjia.test\r\n\r\n", "10.0.0.2", 5000,
         "https://wanjia.test:5000/"),
        (b"GET / HTTP/1.1\r\nHost: police.example\r\n\r\n", "10.0.0.2", 443,
         "https://police.example/"),
        (b"GET /x HTTP/1.1\r\nHost: [fe80::1]:8443\r\n\r\n", "fe80::1", 8443,
         "https://[fe80::1]:8443/x"),
        # A Host or path that could inject a header or a script is replaced.
        (b"GET /x HTTP/1.1\r\nHost: a\"><script>\r\n\r\n", "10.0.0.2", 5000,
         "https://10.0.0.2:5000/x"),
        (b"GET http://evil.example/ HTTP/1.1\r\nHost: 10.0.0.2:5000\r\n\r\n", "10.0.0.2", 5000,
         "https://10.0.0.2:5000/"),
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
