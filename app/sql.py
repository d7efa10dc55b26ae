"""Small SQL helpers that differ between SQLite and PostgreSQL.

Hot paths (a check-in, a login's every request) build their statements once, with bind
parameters, and pass the values when they execute: building a statement costs SQLAlchemy about
three times what compiling-from-cache and running it does (bench/checkins.py).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

T = TypeVar("T")
Executor = Session | Connection  # what runs a statement: hot paths use the unit's connection


def dialect_name(executor: Executor) -> str:
    return (executor if isinstance(executor, Connection) else executor.get_bind()).dialect.name


def dialect_module(executor: Executor) -> ModuleType:
    """The SQLAlchemy dialect package of the database (for ``ON CONFLICT``)."""
    return postgresql if dialect_name(executor) == "postgresql" else sqlite


def per_dialect(build: Callable[[ModuleType], T]) -> Callable[[Executor], T]:
    """``build(dialect_module)`` once per dialect; the result is reused by every caller."""
    built: dict[str, T] = {}

    def statement(executor: Executor) -> T:
        module = dialect_module(executor)
        if module.__name__ not in built:
            built[module.__name__] = build(module)
        return built[module.__name__]

    return statement


def insert_ignoring_conflicts(executor: Executor, table: Any) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` in the database's dialect: a claim by unique insert."""
    return dialect_module(executor).insert(table).on_conflict_do_nothing()


_row_locks: dict[Any, Any] = {}


def lock_row(executor: Executor, model: Any, row_id: Any) -> None:
    """Serialise writers on one row: ``FOR UPDATE`` on PostgreSQL; on SQLite the writing unit of
    work already began IMMEDIATE, which holds the database's single write lock."""
    if dialect_name(executor) != "postgresql":
        return
    if model not in _row_locks:
        key = model.__table__.c.id
        _row_locks[model] = select(key).where(key == bindparam("row_id")).with_for_update()
    executor.execute(_row_locks[model], {"row_id": row_id})


class Prepared:
    """A prebuilt Core statement compiled once per dialect (and set of inserted columns) and run
    on the DB-API cursor of the unit of work's connection.

    SQLAlchemy's execution layer costs about 12 us a statement on top of the driver's 2-3 us,
    and a check-in runs a dozen (bench/checkins.py). Here the SQL text, the parameters' order
    and the columns' type conversions are worked out once; each run converts the values with
    the column types' own processors, so rows read and written are the same as through
    ``Connection.execute``. These statements skip engine events and echo; an insert must name
    every column that has a Python-side default (refused at compile time otherwise).
    """

    def __init__(self, build: Callable[[ModuleType], Any]) -> None:
        self._build = per_dialect(build)
        self._compiled: dict[tuple[str, tuple[str, ...]], _Compiled] = {}

    def rows(self, conn: Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        compiled = self._compile(conn, params)
        cursor = conn.connection.cursor()
        try:
            cursor.execute(compiled.sql, compiled.values(params))
            return compiled.convert(cursor) if compiled.returns else []
        finally:
            cursor.close()

    def run(self, conn: Connection, params: dict[str, Any]) -> None:
        """Run for its effect (an insert or update without RETURNING)."""
        self.rows(conn, params)

    def first(self, conn: Connection, params: dict[str, Any]) -> tuple[Any, ...] | None:
        found = self.rows(conn, params)
        return found[0] if found else None

    def scalar(self, conn: Connection, params: dict[str, Any]) -> Any:
        row = self.first(conn, params)
        return row[0] if row else None

    def many(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Run once per row (``executemany``), as ``execute(statement, rows)`` does."""
        if not rows:
            return
        compiled = self._compile(conn, rows[0])
        cursor = conn.connection.cursor()
        try:
            cursor.executemany(compiled.sql, [compiled.values(row) for row in rows])
        finally:
            cursor.close()

    def _compile(self, conn: Connection, params: dict[str, Any]) -> _Compiled:
        key = (conn.dialect.name, tuple(params))
        if key not in self._compiled:
            self._compiled[key] = _Compiled(self._build(conn), conn.dialect, tuple(params))
        return self._compiled[key]


class _Compiled:
    def __init__(self, statement: Any, dialect: Any, keys: tuple[str, ...]) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        if compiled.insert_prefetch or compiled.update_prefetch:
            missing = [c.key for c in (*compiled.insert_prefetch, *compiled.update_prefetch)]
            raise ValueError(f"prepared statement must be given {missing}")
        self.sql = compiled.string
        binds = compiled.binds
        names = compiled.positiontup if compiled.positional else list(binds)
        self._params = [
            (
                name,
                binds[name].key,
                binds[name].value,
                binds[name].type.dialect_impl(dialect).bind_processor(dialect),
            )
            for name in names
        ]
        self._positional = compiled.positional
        self._dialect = dialect
        self._columns = list(getattr(statement, "exported_columns", ()))
        self.returns = bool(self._columns)
        # (column index, conversion) for the columns that need one, from the first run's
        # cursor.description.
        self._results: list[tuple[int, Callable[[Any], Any]]] | None = None

    def values(self, params: dict[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        converted = []
        for _name, key, default, process in self._params:
            value = params.get(key, default)
            converted.append(process(value) if process is not None else value)
        if self._positional:
            return tuple(converted)
        return {name: value for (name, *_), value in zip(self._params, converted, strict=True)}

    def convert(self, cursor: Any) -> list[Any]:
        rows = cursor.fetchall()
        if self._results is None:
            # PostgreSQL's numeric conversions depend on the driver's type code for the column.
            self._results = [
                (i, processor)
                for i, (column, (_name, coltype, *_rest)) in enumerate(
                    zip(self._columns, cursor.description, strict=True)
                )
                if (
                    processor := column.type.dialect_impl(self._dialect).result_processor(
                        self._dialect, coltype
                    )
                )
                is not None
            ]
        if not self._results:
            return rows
        converted = []
        for row in rows:
            values = list(row)
            for i, processor in self._results:
                values[i] = processor(values[i])
            converted.append(tuple(values))
        return converted
