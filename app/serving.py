"""The web server ``wanjia run`` starts: Werkzeug's threaded server (Flask-SocketIO's threading
mode), with HTTPS and plain HTTP on the same port.

People type the police room's address as they see it, ``192.168.1.5:5000``, and browsers try
plain HTTP first. So when TLS is on, each new connection is sniffed in its own thread: a TLS
ClientHello (first byte 0x16) gets the handshake there, and anything else gets a redirect to the
same address over HTTPS. Doing the handshake in the connection's thread, not in the accept loop
as a TLS listening socket would, also keeps one slow phone from holding up everyone else.
"""

from __future__ import annotations

import logging
import re
import socket
import ssl
from collections.abc import Callable
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

log = logging.getLogger(__name__)

TLS_HANDSHAKE = 0x16  # the first byte of every TLS connection (a handshake record)
FIRST_BYTES_TIMEOUT_S = 15  # a connection that says nothing for this long is dropped
MAX_REQUEST_HEAD = 8192
_SAFE_HOST = re.compile(r"^[A-Za-z0-9.\-\[\]:]{1,255}$")
_HAS_PORT = re.compile(r"(^[^\[:]+|\]):\d+$")  # host:port or [v6]:port
_SAFE_PATH = re.compile(r"^/[!-~]{0,2000}$")  # printable ASCII, no spaces or line breaks


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler without a log line per request (errors are still logged), and with
    Nagle's algorithm off, as production servers do: Werkzeug writes a response's head and
    body in two sends, and Nagle may hold the second until the first is acknowledged."""

    disable_nagle_algorithm = True

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if str(code).isdigit() and int(code) >= 500:
            super().log_request(code, size)


class FieldServer(ThreadedWSGIServer):
    """Werkzeug's threaded WSGI server; with ``tls``, HTTPS and an HTTP redirect on one port."""

    def __init__(self, host: str, port: int, app: Any, tls: ssl.SSLContext | None) -> None:
        super().__init__(host, port, app, handler=QuietRequestHandler)
        # Werkzeug reads this to set wsgi.url_scheme; only TLS connections reach the app.
        self.ssl_context = tls

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Runs in the connection's own thread (socketserver's ThreadingMixIn)."""
        if self.ssl_context is None:
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
        conn.settimeout(FIRST_BYTES_TIMEOUT_S)
        try:
            first = conn.recv(1, socket.MSG_PEEK)
            if not first:
                return None
            if first[0] != TLS_HANDSHAKE:
                redirect_to_https(conn, self.port)
                return None
            secured = self.ssl_context.wrap_socket(conn, server_side=True)
        except (OSError, ssl.SSLError) as exc:
            # Most often a phone that does not trust our certificate yet: it hangs up.
            log.debug("connection from %s ended before TLS was up: %s", client, exc)
            return None
        secured.settimeout(None)
        return secured


def redirect_to_https(conn: socket.socket, port: int) -> None:
    """Answer one plain-HTTP request with a redirect to the same host and path over HTTPS."""
    head = b""
    while b"\r\n\r\n" not in head and len(head) < MAX_REQUEST_HEAD:
        chunk = conn.recv(4096)
        if not chunk:
            break
        head += chunk
    location = https_location(head, conn.getsockname()[0], port)
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
    return [info[4][0] for info in found]


def addresses_to_open(host: str, candidates: Callable[[], list[str]] = own_addresses) -> list[str]:
    """What to type on a phone: the machine's own addresses when listening on all of them
    (0.0.0.0 is no address a phone can use), else the one listened on."""
    if host not in ("0.0.0.0", "::", ""):  # noqa: S104 - names, not binds
        return [host]
    usable = sorted({a for a in candidates() if not a.startswith("127.")})
    return usable or ["127.0.0.1"]


def serve(app: Any, host: str, port: int, tls: ssl.SSLContext | None) -> None:
    """Serve ``app`` (with its Socket.IO middleware) until interrupted."""
    FieldServer(host, port, app, tls).serve_forever()


def tls_context(cert_path: str, key_path: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context
