"""The web server ``wanjia run`` starts: Werkzeug's threaded server (Flask-SocketIO's threading
mode), with HTTPS and plain HTTP on the same port.

People type the police room's address as they see it, ``192.168.1.5:5000``, and browsers try
plain HTTP first. So when TLS is on, each new connection is sniffed in its own thread: a TLS
ClientHello (first byte 0x16) gets the handshake there, and anything else gets a redirect to the
same address over HTTPS. Doing the handshake in the connection's thread, not in the accept loop
as a TLS listening socket would, also keeps one slow phone from holding up everyone else.

Every connection holds a thread, so none may hold it for nothing: a new connection has
``greeting_deadline`` seconds in all to finish its TLS handshake (or send the head of the
plain-HTTP request to redirect); after that, a connection silent for ``idle_timeout`` seconds
is closed. A live Socket.IO websocket is never silent that long: the server pings every
``ping_interval`` and the phone answers within ``ping_timeout``, so the idle timeout is set above
their sum (``WANJIA_IDLE_TIMEOUT``). At most ``max_connections`` connections are served at once
(``WANJIA_MAX_CONNECTIONS``); more wait in the listen backlog, unaccepted, until one ends.
Connections are kept for further requests (HTTP/1.1 keep-alive, ``app/http_handler.py``): the
wait for the next request is ``keep_alive`` seconds, never more than the idle timeout. TLS 1.3
session tickets (Python's default, one context for all connections) let a phone's next
connection resume its session without the certificate exchange.
"""

from __future__ import annotations

import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from werkzeug.serving import ThreadedWSGIServer

from app.http_handler import QuietRequestHandler

log = logging.getLogger(__name__)

TLS_HANDSHAKE = 0x16  # the first byte of every TLS connection (a handshake record)
GREETING_DEADLINE_S = 15.0  # first bytes and TLS handshake (or redirect request head), in all
# Flask-SocketIO's (python-engineio's) defaults, for apps without Socket.IO.
ENGINEIO_PING_INTERVAL_S, ENGINEIO_PING_TIMEOUT_S = 25.0, 20.0
MAX_REQUEST_HEAD = 8192
KEEP_ALIVE_S = 30.0
_SAFE_HOST = re.compile(r"^[A-Za-z0-9.\-\[\]:]{1,255}$")
_HAS_PORT = re.compile(r"(^[^\[:]+|\]):\d+$")  # host:port or [v6]:port
_SAFE_PATH = re.compile(r"^/[!-~]{0,2000}$")  # printable ASCII, no spaces or line breaks


@dataclass(frozen=True)
class Limits:
    """How long and how many connections may hold a thread (see the module's docstring)."""

    idle_timeout: float = 60.0
    max_connections: int = 4000
    greeting_deadline: float = GREETING_DEADLINE_S
    # Between two requests on one connection (app/http_handler.py), at most the idle timeout:
    # a page's requests share the connection; a phone walking on to the next poster gets a
    # new one (its TLS session resumed) rather than holding a thread for minutes.
    keep_alive: float = KEEP_ALIVE_S


def socketio_liveness(app: Any) -> float:
    """The longest a live Socket.IO connection stays silent: ping interval (and its grace
    period) plus ping timeout, as the app's Socket.IO server is configured."""
    eio = getattr(getattr(app, "extensions", {}).get("socketio"), "server", None)
    eio = getattr(eio, "eio", None)
    if eio is None:
        return ENGINEIO_PING_INTERVAL_S + ENGINEIO_PING_TIMEOUT_S
    grace = getattr(eio, "ping_interval_grace_period", 0) or 0
    return float(eio.ping_interval) + float(grace) + float(eio.ping_timeout)


def limits_for(app: Any) -> Limits:
    """The limits from the app's settings (``IDLE_TIMEOUT``, ``MAX_CONNECTIONS``); ValueError
    names a setting that makes no sense. An idle timeout that would cut live websockets
    between two pings is allowed (tests use one) but logged."""
    try:
        idle = float(app.config["IDLE_TIMEOUT"])
        most = int(app.config["MAX_CONNECTIONS"])
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"WANJIA_IDLE_TIMEOUT and WANJIA_MAX_CONNECTIONS are numbers: {exc}"
        ) from exc
    if idle <= 0 or most < 1:
        raise ValueError(
            "WANJIA_IDLE_TIMEOUT must be above 0 s and WANJIA_MAX_CONNECTIONS at least 1"
        )
    liveness = socketio_liveness(app)
    if idle <= liveness:
        log.warning(
            "WANJIA_IDLE_TIMEOUT=%s s is not above Socket.IO's ping interval plus ping timeout "
            "(%s s): live websockets will be cut between pings",
            idle,
            liveness,
        )
    return Limits(idle_timeout=idle, max_connections=most)


class FieldServer(ThreadedWSGIServer):
    """Werkzeug's threaded WSGI server; with ``tls``, HTTPS and an HTTP redirect on one port;
    connections idle too long are closed and at most ``limits.max_connections`` are served."""

    def __init__(
        self,
        host: str,
        port: int,
        app: Any,
        tls: ssl.SSLContext | None,
        limits: Limits | None = None,
    ) -> None:
        super().__init__(host, port, app, handler=QuietRequestHandler)
        # Werkzeug reads this to set wsgi.url_scheme; only TLS connections reach the app.
        self.ssl_context = tls
        limits = limits or Limits()
        self.limits = replace(limits, keep_alive=min(limits.keep_alive, limits.idle_timeout))
        self._slots = threading.BoundedSemaphore(self.limits.max_connections)
        self._closing = threading.Event()

    def get_request(self) -> tuple[socket.socket, Any]:
        """Accept only with a slot free: at the cap, new connections wait in the backlog."""
        while not self._slots.acquire(timeout=0.2):
            if self._closing.is_set():
                raise OSError("the server is shutting down")  # the accept loop moves on
        try:
            return super().get_request()
        except BaseException:
            self._slots.release()
            raise

    def shutdown_request(self, request: Any) -> None:
        """Called once for every accepted connection, whatever became of it: frees its slot."""
        try:
            super().shutdown_request(request)
        finally:
            self._slots.release()

    def shutdown(self) -> None:
        self._closing.set()
        super().shutdown()

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Runs in the connection's own thread (socketserver's ThreadingMixIn)."""
        if self.ssl_context is None:
            request.settimeout(self.limits.idle_timeout)
            super().finish_request(request, client_address)
            return
        secured = self._secure_or_redirect(request, client_address)
        if secured is None:
            return
        try:
            super().finish_request(secured, client_address)
        finally:
            secured.close()

    def _secure_or_redirect(self, conn: socket.socket, client: Any) -> ssl.SSLSocket | None:
        assert self.ssl_context is not None  # noqa: S101 - only called with TLS on
        deadline = time.monotonic() + self.limits.greeting_deadline
        try:
            conn.settimeout(self.limits.greeting_deadline)
            first = conn.recv(1, socket.MSG_PEEK)
            if not first:
                return None
            if first[0] != TLS_HANDSHAKE:
                redirect_to_https(conn, self.port, deadline)
                return None
            # The handshake runs under the socket's timeout as one deadline for all of it.
            conn.settimeout(_remaining(deadline))
            secured = self.ssl_context.wrap_socket(conn, server_side=True)
        except (OSError, ssl.SSLError) as exc:
            # Most often a phone that does not trust our certificate yet: it hangs up.
            log.debug("connection from %s ended before TLS was up: %s", client, exc)
            return None
        secured.settimeout(self.limits.idle_timeout)
        return secured


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the connection took too long to say what it wants")
    return left


def redirect_to_https(conn: socket.socket, port: int, deadline: float) -> None:
    """Answer one plain-HTTP request with a redirect to the same host and path over HTTPS.
    The request's head must arrive before ``deadline`` (``time.monotonic()``), however slowly
    it trickles in; TimeoutError otherwise."""
    head = b""
    while b"\r\n\r\n" not in head and len(head) < MAX_REQUEST_HEAD:
        conn.settimeout(_remaining(deadline))
        chunk = conn.recv(4096)
        if not chunk:
            break
        head += chunk
    location = https_location(head, conn.getsockname()[0], port)
    conn.settimeout(max(deadline - time.monotonic(), 1.0))  # the answer fits in the send buffer
    body = (
        f'<!doctype html><meta charset="utf-8"><title>HTTPS</title>'
        f'<p>请使用安全连接 / Please use the secure address: <a href="{location}">{location}</a>'
    ).encode()
    conn.sendall(
        b"HTTP/1.1 301 Moved Permanently\r\n"
        + f"Location: {location}\r\n".encode()
        + b"Content-Type: text/html; charset=utf-8\r\n"
        + f"Content-Length: {len(body)}\r\n".encode()
        + b"Connection: close\r\n\r\n"
        + body
    )


def https_location(head: bytes, local_address: str, port: int) -> str:
    """Where a plain-HTTP request should go: its own Host and path, over HTTPS. A Host header
    or path that is not plain printable text is replaced, so nothing can be injected."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    path = parts[1] if len(parts) == 3 and _SAFE_PATH.match(parts[1]) else "/"
    host = next(
        (line.split(":", 1)[1].strip() for line in lines[1:] if line.lower().startswith("host:")),
        "",
    )
    if not _SAFE_HOST.match(host):
        host = f"[{local_address}]" if ":" in local_address else local_address
    if not _HAS_PORT.search(host) and port != 443:  # browsers leave out only the default port
        host = f"{host}:{port}"
    return f"https://{host}{path}"


def own_addresses() -> list[str]:
    """This machine's IPv4 addresses, as its host name resolves."""
    try:
        found = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return [str(info[4][0]) for info in found]


def addresses_to_open(host: str, candidates: Callable[[], list[str]] = own_addresses) -> list[str]:
    """What to type on a phone: the machine's own addresses when listening on all of them
    (0.0.0.0 is no address a phone can use), else the one listened on."""
    if host not in ("0.0.0.0", "::", ""):  # noqa: S104 - names, not binds
        return [host]
    usable = sorted({a for a in candidates() if not a.startswith("127.")})
    return usable or ["127.0.0.1"]


def serve(app: Any, host: str, port: int, tls: ssl.SSLContext | None, limits: Limits) -> None:
    """Serve ``app`` (with its Socket.IO middleware) until interrupted."""
    FieldServer(host, port, app, tls, limits).serve_forever()


def tls_context(cert_path: str, key_path: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context
