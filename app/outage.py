"""A database that cannot be reached, or a server too busy to reach it in time: told apart from
bugs, answered 503 with Retry-After.

PostgreSQL restarting, a failover, or connections an operator terminated are an outage, not a
fault of the request: it gets a 503 with Retry-After, and the phone keeps what it sent and
sends it again; logged once per outage. Only losing or not getting a connection counts; any
other database error (a bad query, a broken constraint, SQLite's locks) stays a 500 with its
stack trace.

Overload is the other 503: a herd of phones (all reconnecting after a restart, sharing their
positions at once) can leave a request waiting past the connection pool's timeout, or past the
busy timeout for this process's SQLite writer. Nothing is wrong but the moment; the phone tries
again as it does in an outage.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Final

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.uow import WriterBusy

log = logging.getLogger(__name__)

RETRY_AFTER_S: Final = 5
# SQLSTATEs of a lost or refused connection: class 08 (connection exception), the server
# shutting down or terminating the backend (57P01-57P03), no connection slot left (53300).
_CONNECTION_STATES: Final = frozenset({"57P01", "57P02", "57P03", "53300"})


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` says the database could not be reached or dropped the connection."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:  # the dialect saw the connection break
        return True
    if not isinstance(exc, OperationalError):
        return False
    # psycopg's errors carry the server's SQLSTATE, None when the client itself failed (refused,
    # unreachable, the server's FATAL at login). SQLite's have none: never an outage.
    if not hasattr(exc.orig, "sqlstate"):
        return False
    state = getattr(exc.orig, "sqlstate", None)
    return state is None or state.startswith("08") or state in _CONNECTION_STATES


def is_overload(exc: BaseException) -> bool:
    """Whether ``exc`` says the server was too busy to get a connection or the SQLite writer."""
    return isinstance(exc, PoolTimeout | WriterBusy)


def is_unavailable(exc: BaseException) -> bool:
    """An outage or overload: answered 503, not a bug with a stack trace."""
    return is_outage(exc) or is_overload(exc)


class OutageLog:
    """One warning when the database goes, one line when it is back: not a line per request.

    "Back" is the pool making a new connection again (with ``pool_pre_ping`` the first checkout
    after the outage does), so the closing line says how long it lasted and how many were
    refused meanwhile."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._since: float | None = None
        self._refused = 0

    def refused(self, exc: BaseException) -> None:
        with self._lock:
            self._refused += 1
            if self._since is not None:
                return
            self._since = time.monotonic()
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        log.warning("database unreachable, answering 503 until it is back: %s", reason)

    def watch(self, engine: Engine) -> None:
        event.listen(engine, "connect", self._connected)

    def _connected(self, *_args: Any) -> None:
        with self._lock:
            since, refused = self._since, self._refused
            self._since, self._refused = None, 0
        if since is not None:
            log.warning(  # the outage's closing line, as visible as its opening one
                "database reachable again after %.0f s; %d requests and events answered 503",
                time.monotonic() - since,
                refused,
            )
