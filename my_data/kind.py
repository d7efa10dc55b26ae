"""One kind of a person's data: its query and how a result row reads in the spreadsheet, so the
page counts each kind in the database and only the download reads the rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Unpack

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.xlsx import Sheet

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Kind:
    """One sheet: its title and headers, the query of a person's rows, and the sheet rows one
    result row reads as (called with the result row's columns)."""

    title: Any
    headers: tuple[Any, ...]
    query: Callable[[int], Select[Unpack[tuple[Any, ...]]]]
    rows: Callable[..., list[Row]]

    def count(self, session: Session, person_id: int) -> int:
        """How many result rows the person has, counted by the database."""
        rows = self.query(person_id).order_by(None).subquery()
        return int(session.scalar(select(func.count()).select_from(rows)) or 0)

    def sheet(self, session: Session, person_id: int) -> Sheet:
        found = session.execute(self.query(person_id))
        return Sheet(str(self.title), self.headers, [r for row in found for r in self.rows(*row)])
