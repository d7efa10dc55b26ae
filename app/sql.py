"""Small SQL helpers that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

T = TypeVar("T")


def dialect_module(session: Session) -> ModuleType:
    """The SQLAlchemy dialect package of the database (for ``ON CONFLICT``)."""
    return postgresql if session.get_bind().dialect.name == "postgresql" else sqlite


def per_dialect(build: Callable[[ModuleType], T]) -> Callable[[Session], T]:
    """A statement that needs the dialect's own constructs (``ON CONFLICT``), built once per
    dialect by ``build(dialect_module)`` and shared by every caller."""
    built: dict[str, T] = {}

    def statement(session: Session) -> T:
        module = dialect_module(session)
        if module.__name__ not in built:
            built[module.__name__] = build(module)
        return built[module.__name__]

    return statement


def insert_ignoring_conflicts(table: Any, *returning: Any) -> Callable[[Session], Any]:
    """``INSERT ... ON CONFLICT DO NOTHING`` in the database's dialect: a claim by unique insert.
    Built once per dialect (``per_dialect``); the rows come as execute parameters. With
    ``returning`` columns, an inserted row answers them and a conflict answers no row."""

    def build(dialect: ModuleType) -> Any:
        insert = dialect.insert(table).on_conflict_do_nothing()
        return insert.returning(*returning) if returning else insert

    return per_dialect(build)


def lock_row(session: Session, model: Any, row_id: Any) -> None:
    """Serialise writers on one row: ``FOR UPDATE`` on PostgreSQL; on SQLite a writing unit of
    work already began IMMEDIATE, which holds the database's single write lock."""
    if session.get_bind().dialect.name != "postgresql":
        return
    key = model.__table__.c.id
    session.execute(select(key).where(key == row_id).with_for_update())
