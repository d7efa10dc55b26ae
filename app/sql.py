"""Small SQL helpers that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignoring_conflicts(session: Session, table: Any) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` in the session's dialect: a claim by unique insert."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing()


def lock_row(session: Session, model: Any, row_id: Any) -> None:
    """Serialise writers on one row: ``FOR UPDATE`` on PostgreSQL; on SQLite the writing unit of
    work already began IMMEDIATE, which holds the database's single write lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(model.__table__.c.id).where(model.__table__.c.id == row_id).with_for_update()
        )


def upsert_add(
    session: Session, table: Any, keys: dict[str, Any], column: str, amount: int
) -> None:
    """Add ``amount`` to ``column`` of the row with ``keys``, creating it: one atomic statement."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(table).values(**keys, **{column: amount})
    statement = statement.on_conflict_do_update(
        index_elements=list(keys), set_={column: getattr(table.__table__.c, column) + amount}
    )
    session.execute(statement)
