"""Streaks: consecutive local days with at least one valid patrol, ending today or yesterday.

Each ``patrol_days`` row keeps the length of the run of days that ends on it, so the streak a
check-in shows is read from one row instead of walking back over every day of the run (a guard
a year into a streak read 365 rows on every scan). A day is recorded by its first valid
check-in. A late one (a phone that was offline) can fill a gap between two runs: the days after
it then continue its run.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.sql import insert_ignoring_conflicts
from checkins.models import PatrolDay

ONE_DAY = timedelta(days=1)
_days = PatrolDay.__table__


_NEIGHBOUR_DAYS = select(_days.c.day, _days.c.streak).where(
    _days.c.user_id == bindparam("user_id"),
    _days.c.day.in_([bindparam("before"), bindparam("after")]),
)


_insert_day = insert_ignoring_conflicts(_days, _days.c.day)  # a day recorded already: no row


def record_day(session: Session, user_id: int, day: date) -> None:
    """Record that ``user_id`` patrolled on ``day`` (nothing changes if already recorded)."""
    neighbours = {"user_id": user_id, "before": day - ONE_DAY, "after": day + ONE_DAY}
    around = dict(session.execute(_NEIGHBOUR_DAYS, neighbours).all())
    streak = around.get(day - ONE_DAY, 0) + 1
    inserted = session.scalar(
        _insert_day(session), {"user_id": user_id, "day": day, "streak": streak}
    )
    if inserted is None or day + ONE_DAY not in around:
        return  # already recorded (its run is unchanged), or nothing after it to join
    mine = _days.c.user_id == user_id
    # A late day joined two runs: each following day of the later run is now further in.
    expected = day + ONE_DAY
    for later in session.scalars(
        select(_days.c.day).where(mine, _days.c.day > day).order_by(_days.c.day)
    ).all():
        if later != expected:
            break
        streak += 1
        session.execute(update(_days).where(mine, _days.c.day == later).values(streak=streak))
        expected = later + ONE_DAY


class Run(NamedTuple):
    """A run of consecutive patrol days: its length and its first day (None when empty)."""

    days: int
    first_day: date | None


NO_RUN = Run(0, None)
_LATEST_DAY = (
    select(_days.c.day, _days.c.streak)
    .where(_days.c.user_id == bindparam("user_id"))
    .order_by(_days.c.day.desc())
    .limit(1)
)


def current_run(session: Session, user_id: int, today: date) -> Run:
    """The run ending on the person's latest patrol day, if that was today or yesterday."""
    latest = session.execute(_LATEST_DAY, {"user_id": user_id}).first()
    if latest is None:
        return NO_RUN
    day, streak = latest
    if day < today - ONE_DAY:
        return NO_RUN
    return Run(streak, day - (streak - 1) * ONE_DAY)


def current(session: Session, user_id: int, today: date) -> int:
    """The length of ``current_run``: the streak a person sees."""
    return current_run(session, user_id, today).days
