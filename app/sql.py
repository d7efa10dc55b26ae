"""Small SQL helpers that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsertable_insert(session: Session, table: Any) -> Any:
    """An ``INSERT`` of the session's dialect, which can take ``ON CONFLICT`` clauses."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(table)


def insert_ignoring_conflicts(session: Session, table: Any) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` in the session's dialect: a claim by unique insert."""
    return upsertable_insert(session, table).on_conflict_do_nothing()


def lock_row(session: Session, model: Any, row_id: Any) -> None:
    """Serialise writers on one row: ``FOR UPDATE`` on PostgreSQL; on SQLite the writing unit of
    work already began IMMEDIATE, which holds the database's single write lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(model.__table__.c.id).where(model.__table__.c.id == row_id).with_for_update()
        )


def upsert_add(session: Session, table: Any, rows: list[dict[str, Any]], column: str) -> None:
    """Add each row's ``column`` to the existing row with the same other values (its key),
    creating the rows that are missing; one atomic statement, executed for every row."""
    if not rows:
        return
    core = table.__table__
    statement = upsertable_insert(session, core)
    statement = statement.on_conflict_do_update(
        index_elements=[name for name in rows[0] if name != column],
        set_={column: core.c[column] + statement.excluded[column]},
    )
    session.execute(statement, rows)
