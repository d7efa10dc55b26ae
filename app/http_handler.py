"""The request handler of ``wanjia run``'s server: HTTP/1.1 with persistent connections.

Werkzeug's handler answers every request with ``Connection: close``, because Python's
http.server cannot tell where a request's body ends and the next request begins. On a phone's
link every new connection costs a TCP and a TLS handshake, one round trip each (400 ms on a
poor mobile link), so a poster page, its script and the check-in call would pay three times.
This handler keeps the connection open instead:

- each request's body is given to the app as exactly ``Content-Length`` bytes, and whatever
  the app left unread is read and dropped before the next request (up to ``MAX_DRAIN``; a
  larger leftover, a chunked body or a request with no length closes the connection);
- between requests the connection waits ``Limits.keep_alive`` seconds at most for the next
  request line; once a request has begun, its reads and writes have ``idle_timeout`` as before;
- a websocket upgrade, an HTTP/1.0 client, ``Connection: close`` and a response cut short by
  an error still close the connection after the response.
"""

from __future__ import annotations

import io
import logging
from typing import IO, Any, cast

from werkzeug.serving import WSGIRequestHandler
from werkzeug.wsgi import LimitedStream

log = logging.getLogger(__name__)

MAX_DRAIN = 1024 * 1024  # unread body bytes worth reading to keep the connection


class _Empty(io.RawIOBase):
    """What Werkzeug's own drain (after every response, meant for closing connections) reads:
    nothing, so it can never swallow the next request on a kept connection."""

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        return 0


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler with keep-alive (above), without a log line per request (errors are
    still logged), and with Nagle's algorithm off, as production servers do: Werkzeug writes
    a response's head and body in two sends, and Nagle may hold the second until the first
    is acknowledged."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    _served = 0  # requests answered on this connection so far
    _body: LimitedStream | None = None

    def handle_one_request(self) -> None:
        """Wait for the next request under the keep-alive timeout (the first one under the
        idle timeout, as the connection was opened for it)."""
        if self._served:
            self.connection.settimeout(self.server.limits.keep_alive)  # type: ignore[attr-defined]
        super().handle_one_request()

    def parse_request(self) -> bool:
        """The request line has arrived: the rest of the request reads under the idle timeout."""
        if self._served:
            self.connection.settimeout(self.server.limits.idle_timeout)  # type: ignore[attr-defined]
        return super().parse_request()

    def make_environ(self) -> Any:
        environ = super().make_environ()
        self._body = None
        if "wsgi.input_terminated" not in environ:  # not chunked (Werkzeug dechunks those)
            length = environ.get("CONTENT_LENGTH", "")
            wire = cast(IO[bytes], self.rfile)
            self._body = LimitedStream(wire, int(length) if length.isdigit() else 0)
            environ["wsgi.input"] = self._body
            environ["wsgi.input_terminated"] = True
        self.rfile = _Empty()  # type: ignore[assignment]  # for Werkzeug's drain; put back below
        return environ

    def run_wsgi(self) -> None:
        wire = self.rfile
        self._body = None
        try:
            super().run_wsgi()
        finally:
            self.rfile = wire
        self._served += 1
        body = self._body
        if body is None or not self._keepable():
            self.close_connection = True
            return
        try:
            body.exhaust()
        except Exception:  # noqa: BLE001 - the client went away mid-body: just close
            self.close_connection = True

    def send_header(self, keyword: str, value: str) -> None:
        """Werkzeug sends ``Connection: close`` on every response; left out while the
        connection may be kept (http.server's own rules still close it for HTTP/1.0 and for
        a client that asked to)."""
        if keyword.lower() == "connection" and value.lower() == "close" and self._keepable():
            return
        super().send_header(keyword, value)

    def _keepable(self) -> bool:
        """Whether the next request can start exactly where this one ends."""
        environ = getattr(self, "environ", {})
        return (
            self.request_version == "HTTP/1.1"
            and not self.close_connection
            and not environ.get("HTTP_UPGRADE")
            and self._body is not None
            and self._body.limit - self._body.tell() <= MAX_DRAIN
        )

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if str(code).isdigit() and int(code) >= 500:
            super().log_request(code, size)

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """A connection closed for idling is the idle timeout doing its job, not an error."""
        if format.startswith("Request timed out"):
            log.debug("closed an idle connection from %s", self.address_string())
            return
        super().log_error(format, *args)
