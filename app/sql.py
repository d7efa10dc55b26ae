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


_adders: dict[tuple[Any, ...], Any] = {}


def upsert_add(executor: Executor, table: Any, rows: list[dict[str, Any]], column: str) -> None:
    """Add each row's ``column`` to the existing row with the same other values (its key),
    creating the rows that are missing; one atomic statement, executed for every row."""
    if not rows:
        return
    module = dialect_module(executor)
    keys = tuple(name for name in rows[0] if name != column)
    cache_key = (module.__name__, table, keys, column)
    if cache_key not in _adders:
        core = table.__table__
        statement = module.insert(core)
        _adders[cache_key] = statement.on_conflict_do_update(
            index_elements=list(keys), set_={column: core.c[column] + statement.excluded[column]}
        )
    executor.execute(_adders[cache_key], rows)
