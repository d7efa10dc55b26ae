"""The unit of work: one transaction per request, task or socket event, on the context's
SQLAlchemy session (``db.session``), as cosmicpython's ``SqlAlchemyUnitOfWork``.

Entering begins a transaction; ``commit()`` commits it and then runs the hooks queued with
``after_commit`` (Socket.IO emits, Celery sends), so a rolled-back change is never announced;
leaving rolls back whatever was not committed. Either way the connection goes back to the pool;
the session itself is the context's, closed by Flask-SQLAlchemy when the request, task or socket
event ends, so rows read before the unit or returned by it stay readable. Services flush through
``uow.session`` and never commit.

Nothing else owns a transaction. Opening a unit while another is open in the same context, or
while the session holds changes made outside any unit, is an error at once: the first could only
wait for the outer unit's write lock, the second would be committed by a unit that never made it.
A read the session had open (a page's data, the login lookup) is simply ended.

On SQLite a writing unit begins ``IMMEDIATE``: a deferred transaction that reads and then writes
can fail at once with "database is locked" in WAL mode, whereas an immediate one queues behind
the current writer. Writers of this process also queue on one lock before they begin, so a
waiting thread is woken the moment the writer before it commits instead of polling in SQLite's
busy handler. Other processes (a CLI command, a separate worker) meet SQLite's own lock and its
busy timeout.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session

from app.extensions import db

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 15_000
# Checkpoint the WAL every ~40 MB instead of SQLite's ~4 MB: a page rewritten many times between
# checkpoints (a balance, an index leaf) is copied back once, and the fsync is paid less often.
SQLITE_WAL_CHECKPOINT_PAGES = 10_000
# Read the database through a memory map: a page another connection changed is then a memory
# read, not a read() system call. The map only reserves address space.
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
_BEGIN_OPTION = "sqlite_begin"  # a connection execution option read by the "begin" listener
_WROTE = "wrote_outside_a_unit"  # session.info key: DML ran that no unit has committed yet
_sqlite_writer = threading.Lock()


class UnitOfWorkError(RuntimeError):
    """A unit of work was used in a way that would lose or wrongly commit work."""


class WriterBusy(RuntimeError):
    """This process's SQLite writer stayed taken for the whole busy timeout: the server is
    overloaded, not wrong (answered 503, app/outage.py)."""


class UnitOfWork:
    """One transaction on the context's session; see the module's docstring."""

    def __init__(self, session: Session, write: bool) -> None:
        self.session = session
        self._write = write
        self._hooks: list[Callable[[], Any]] = []
        self._once: set[Any] = set()
        self._holds_writer_lock = False
        self.committed = False

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
        self.session.commit()
        self.committed = True
        self._release_writer_lock()  # before the hooks: announcing needs no database lock
        hooks, self._hooks = self._hooks, []
        for hook in hooks:
            try:
                hook()
            except Exception:  # the data is safe; a failed announcement must not undo it
                log.exception("after-commit hook failed")

    def _begin(self) -> None:
        self.session.begin()
        if self._write and self.session.get_bind().dialect.name == "sqlite":
            if not _sqlite_writer.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
                raise WriterBusy("timed out waiting for this process's SQLite writer")
            self._holds_writer_lock = True
            self.session.connection(execution_options={_BEGIN_OPTION: "BEGIN IMMEDIATE"})

    def _end(self) -> None:
        try:
            if not self.committed:
                self.session.rollback()
        finally:
            self._release_writer_lock()

    def _release_writer_lock(self) -> None:
        if self._holds_writer_lock:
            self._holds_writer_lock = False
            _sqlite_writer.release()


_open_unit: ContextVar[UnitOfWork | None] = ContextVar("open_unit", default=None)


@contextmanager
def unit_of_work(write: bool = True) -> Iterator[UnitOfWork]:
    """Open a unit of work on the context's session; roll back unless ``commit()`` was called."""
    if _open_unit.get() is not None:
        raise UnitOfWorkError(
            "a unit of work is already open here; pass it down instead of opening another"
        )
    session = db.session()
    if session.new or session.dirty or session.deleted or session.info.get(_WROTE):
        raise UnitOfWorkError(
            "the session holds changes made outside a unit of work; make them inside one"
        )
    if session.in_transaction():
        session.commit()  # ends a read the session had open (nothing to write, checked above)
    uow = UnitOfWork(session, write)
    token = _open_unit.set(uow)
    try:
        uow._begin()
        yield uow
    finally:
        _open_unit.reset(token)
        uow._end()


@event.listens_for(Session, "do_orm_execute")
def _note_dml(state: ORMExecuteState) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and _open_unit.get() is None:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context: Any) -> None:
    if _open_unit.get() is None:
        session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_writes(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction committed or rolled back
        session.info.pop(_WROTE, None)


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
        options = connection.get_execution_options()
        if options.get("sqlite_foreign_keys") is False:  # migrations/env.py rebuilds tables
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # only takes effect out here
        connection.exec_driver_sql(options.get(_BEGIN_OPTION, "BEGIN"))
