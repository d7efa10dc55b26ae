"""bench/phone.py's emulated mobile link (tests/slow_link.py) charges what a phone pays: one
round trip before a new connection's first bytes, the latency each way, and the rate."""

from __future__ import annotations

import socket
import threading
import time

from tests.slow_link import SlowLink


def _echo_server() -> tuple[socket.socket, int]:
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=_echo, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return listener, listener.getsockname()[1]


def _echo(conn: socket.socket) -> None:
    with conn:
        while data := conn.recv(65536):
            conn.sendall(data)


def _exchange(port: int, size: int) -> float:
    began = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(b"x" * size)
        got = 0
        while got < size:
            got += len(conn.recv(65536))
    return time.monotonic() - began


def test_a_new_connection_pays_the_handshake_the_latency_and_the_rate():
    listener, port = _echo_server()
    link = SlowLink(port, latency=0.1, rate=100 * 1024).start()
    try:
        # Handshake (0.2 s) + there and back (0.2 s): a small message needs two round trips.
        assert 0.4 <= _exchange(link.port, 10) < 1.5
        # 50 KB at 100 KB/s: half a second up (the echo comes back alongside, full duplex),
        # after the handshake and before the last bytes' latency back.
        assert _exchange(link.port, 50 * 1024) >= 0.2 + 0.5 + 0.1
        assert link.opened == 2 and link.up.sent == link.down.sent == 10 + 50 * 1024
    finally:
        link.stop()
        listener.close()


def test_dropping_connections_cuts_them():
    listener, port = _echo_server()
    link = SlowLink(port, latency=0.01).start()
    try:
        conn = socket.create_connection(("127.0.0.1", link.port), timeout=5)
        conn.sendall(b"hi")
        assert conn.recv(2) == b"hi"
        link.drop_connections()
        assert conn.recv(10) == b""
        conn.close()
    finally:
        link.stop()
        listener.close()
