"""The unit of work: one transaction per request, task or socket event.

Services flush through ``uow.session``; the caller commits once. Side effects that leave the
process (Socket.IO emits, Celery sends) are registered with ``after_commit`` and run only once the
commit has succeeded, so a rolled-back change is never announced.

On SQLite a writing unit of work begins ``IMMEDIATE``: a deferred transaction that reads and then
writes can fail at once with "database is locked" in WAL mode, whereas an immediate one queues
behind the current writer for the busy timeout. Writers of this process also queue on one lock
before they begin: SQLite's busy handler polls with sleeps of up to 100 ms, so two threads
waiting on its lock leave it idle most of the time, whereas a thread waiting on ours is woken the
moment the writer before it commits (bench/checkins.py). Other processes (a CLI command, a
separate worker) still meet SQLite's own lock and its busy timeout.

A unit owns one Core connection and its transaction. The app's ORM session joins that
transaction when something uses the ORM while the unit is open (``uow.session`` or
``db.session``: see app/joined_session.py), so a request that runs only prebuilt statements
never builds the session's own transaction, pool checkout and teardown: 8% of a check-in's
work (bench/checkins.py).

An endpoint whose every call writes (a check-in) can make its whole request one unit of work
with ``writing_request``: the logged-in person is then read inside the writing transaction, one
BEGIN and COMMIT instead of two (bench/checkins.py).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from app.extensions import db
from app.joined_session import open_unit

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
_begin_immediate: ContextVar[bool] = ContextVar("begin_immediate", default=False)

SQLITE_BUSY_TIMEOUT_MS = 15_000
# Checkpoint the WAL every ~40 MB instead of SQLite's ~4 MB: a page rewritten many times between
# checkpoints (a balance, an index leaf) is copied back once, and the fsync is paid ten times
# less often (bench/checkins.py: p95 5.6 -> 4.4 ms).
SQLITE_WAL_CHECKPOINT_PAGES = 10_000
# Read the database through a memory map: a page another connection changed, or one that fell
# out of this connection's 2 MB cache, is then a memory read, not a read() system call. With
# 2,000 people the check-in server spent 590 us a request in the kernel, 415 with the map
# (bench/checkins.py full run: ratio 0.476 -> 0.501). The map only reserves address space.
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
# Re-entrant: a unit of work opened inside another on the same thread shares its transaction.
_sqlite_writer = threading.RLock()


class UnitOfWork:
    """One transaction on one connection, opened when first needed. The app's ORM session
    joins it when something uses the ORM while the unit is open (app/joined_session.py)."""

    def __init__(self, write: bool) -> None:
        self._write = write
        self._connection: Connection | None = None
        self._hooks: list[Callable[[], Any]] = []
        self._once: set[Any] = set()
        self.committed = False
        self._ended = False
        self._holds_writer_lock = False

    @property
    def connection(self) -> Connection:
        """The transaction's connection, for prebuilt Core statements on hot paths: a statement
        costs about a third less than through ``session.execute``. Pending ORM changes are
        flushed first, as ``session.execute`` would."""
        session = self._joined_session()
        if session is not None:
            session.flush()
        return self._open()

    @property
    def session(self) -> Session:
        """The app's session (``db.session``); what it runs joins this unit's transaction."""
        return db.session()

    def connection_for_session(self) -> Connection | None:
        """The connection the app's session runs on while this unit is open, else None."""
        return None if self._ended else self._open()

    def _open(self) -> Connection:
        if self._connection is None:
            token = _begin_immediate.set(self._write)
            try:
                connection = db.engine.connect()
                connection.begin()
            finally:
                _begin_immediate.reset(token)
            self._connection = connection
        return self._connection

    @staticmethod
    def _joined_session() -> Session | None:
        """The app's session if this context made one: whatever it writes now runs inside this
        unit (a read transaction it had open was ended when the unit began)."""
        return db.session() if db.session.registry.has() else None

    def after_commit(self, hook: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run ``hook(*args, **kwargs)`` after a successful commit; dropped on rollback."""
        self._hooks.append(lambda: hook(*args, **kwargs))

    def after_commit_once(
        self, key: Any, hook: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> None:
        """Like ``after_commit``, but a second registration under the same key is ignored
        (e.g. one "incident changed" announcement however many changes were made)."""
        if key not in self._once:
            self._once.add(key)
            self.after_commit(hook, *args, **kwargs)

    def commit(self) -> None:
        session = self._joined_session()
        if session is not None:
            session.flush()
        if self._connection is not None:
            self._connection.commit()
        if session is not None and session.in_transaction():
            # Only now: had the database refused the commit, rolling back would still have
            # undone the session's view of what it wrote.
            session.commit()
        self._end()
        self.committed = True
        self._release_writer_lock()  # before the hooks: announcing needs no database lock
        hooks, self._hooks = self._hooks, []
        for hook in hooks:
            try:
                hook()
            except Exception:  # the data is safe; a failed announcement must not undo it
                log.exception("after-commit hook failed")

    def _roll_back(self) -> None:
        try:
            session = self._joined_session()
            if session is not None:
                session.rollback()
            if self._connection is not None:
                self._connection.rollback()
        finally:
            self._end()

    def _end(self) -> None:
        self._ended = True
        if self._connection is not None:
            self._connection.close()  # back to the pool
            self._connection = None

    def _take_writer_lock(self) -> None:
        _sqlite_writer.acquire()
        self._holds_writer_lock = True

    def _release_writer_lock(self) -> None:
        if self._holds_writer_lock:
            self._holds_writer_lock = False
            _sqlite_writer.release()


_request_unit: ContextVar[UnitOfWork | None] = ContextVar("request_unit", default=None)


@contextmanager
def unit_of_work(write: bool = True) -> Iterator[UnitOfWork]:
    """Open a unit of work; roll back unless ``commit()`` was called. Inside
    ``writing_request`` this is the request's own unit of work until it commits."""
    joined = _request_unit.get()
    if joined is not None and not joined.committed:
        yield joined  # its opener rolls back what is left uncommitted
        return
    session = UnitOfWork._joined_session()
    if session is not None and session.in_transaction():
        # End the read transaction the session had open (loading a page's data, say): the unit
        # begins its own, and the session's next statement joins it.
        session.commit()
    uow = UnitOfWork(write)
    if write and db.engine.dialect.name == "sqlite":
        uow._take_writer_lock()
    token = open_unit.set(uow)
    try:
        yield uow
    finally:
        open_unit.reset(token)
        try:
            if not uow.committed:
                uow._roll_back()
        finally:
            uow._release_writer_lock()


def current_connection() -> Connection:
    """Where this context's reads run: the open unit of work's connection (its transaction, its
    writes so far), else the app session's."""
    unit = open_unit.get()
    connection = unit.connection_for_session() if unit is not None else None
    return connection if connection is not None else db.session.connection()


def writing_request(view: F) -> F:
    """Make the whole request one writing unit of work, loading the logged-in person included;
    put it above ``requires`` so that the person is read inside it."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with unit_of_work() as uow:
            token = _request_unit.set(uow)
            try:
                return view(*args, **kwargs)
            finally:
                _request_unit.reset(token)

    return wrapper  # type: ignore[return-value]


def configure_sqlite(engine: Engine) -> None:
    """WAL (checkpointed less often), foreign keys, a busy timeout, reads through a memory
    map, and IMMEDIATE for writing units of work."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_CHECKPOINT_PAGES}")
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Straight to the driver: every transaction runs this, and nothing else needs to see it.
        connection.connection.driver_connection.execute(
            "BEGIN IMMEDIATE" if _begin_immediate.get() else "BEGIN"
        )
