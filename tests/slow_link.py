"""A slow mobile link between a browser and a server, emulated below HTTP: a TCP proxy on
127.0.0.1 that delays every byte by the one-way latency and paces each direction at a fixed
rate, shared by all connections (one radio), and holds a new connection's first bytes one
round trip (the TCP handshake the loopback connect skipped). So every new connection pays for
its TCP and TLS handshakes, as on a phone, which Chromium's own network emulation never
charges. Used by bench/phone.py; it counts the connections opened and the bytes each way.
"""

from __future__ import annotations

import queue
import socket
import threading
import time
from dataclasses import dataclass, field

CHUNK = 4096


@dataclass
class Pipe:
    """One direction of the link: a queue of bytes leaving no faster than ``rate`` bytes/s."""

    latency: float
    rate: float
    free_at: float = 0.0
    sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def due(self, size: int, ready: float) -> float:
        """When ``size`` bytes ready to leave at ``ready`` arrive at the other end."""
        with self.lock:
            start = max(ready, self.free_at)
            self.free_at = start + size / self.rate
            self.sent += size
            return self.free_at + self.latency


class SlowLink:
    """``SlowLink(target_port).start()``; browsers connect to ``.port`` instead."""

    def __init__(self, target_port: int, *, latency: float = 0.2, rate: float = 50 * 1024) -> None:
        self.target = ("127.0.0.1", target_port)
        self.up, self.down = Pipe(latency, rate), Pipe(latency, rate)
        self.opened = 0
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._closing = threading.Event()

    @property
    def round_trip(self) -> float:
        return self.up.latency + self.down.latency

    def start(self) -> SlowLink:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self._closing.set()
        self._listener.close()
        self.drop_connections()

    def drop_connections(self) -> None:
        """Cut every open connection, as a phone walking to the next poster loses them."""
        with self._lock:
            conns, self._open = list(self._open), set()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            for conn in (client, server):
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self.opened += 1
                self._open |= {client, server}
            # The client's first bytes leave once the handshake's round trip is over.
            handshake_done = time.monotonic() + self.round_trip
            self._pump(client, server, self.up, handshake_done)
            self._pump(server, client, self.down, 0.0)

    def _pump(
        self, source: socket.socket, sink: socket.socket, pipe: Pipe, not_before: float
    ) -> None:
        parcels: queue.Queue[tuple[float, bytes]] = queue.Queue()

        def read() -> None:
            while True:
                try:
                    data = source.recv(CHUNK)
                except OSError:
                    data = b""
                if not data:
                    parcels.put((0.0, b""))
                    return
                parcels.put((pipe.due(len(data), max(time.monotonic(), not_before)), data))

        def deliver() -> None:
            while True:
                due, data = parcels.get()
                if not data:
                    break
                time.sleep(max(0.0, due - time.monotonic()))
                try:
                    sink.sendall(data)
                except OSError:
                    break
            for conn in (sink, source):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
            with self._lock:
                self._open -= {sink, source}

        threading.Thread(target=read, daemon=True).start()
        threading.Thread(target=deliver, daemon=True).start()
