"""Streaks: consecutive local days with at least one valid patrol, ending today or yesterday.

Each ``patrol_days`` row keeps the length of the run of days that ends on it, so the streak a
check-in shows is read from one row instead of walking back over every day of the run (a guard
a year into a streak read 365 rows on every scan). A day is recorded by its first valid
check-in. A late one (a phone that was offline) can fill a gap between two runs: the days after
it then continue its run.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from app.sql import Prepared
from checkins.models import PatrolDay

ONE_DAY = timedelta(days=1)
_days = PatrolDay.__table__


def record_day(conn: Connection, user_id: int, day: date) -> None:
    """Record that ``user_id`` patrolled on ``day`` (nothing changes if already recorded)."""
    around = dict(
        _AROUND.rows(conn, {"user_id": user_id, "before": day - ONE_DAY, "after": day + ONE_DAY})
    )
    streak = around.get(day - ONE_DAY, 0) + 1
    if not _INSERT.rows(conn, {"user_id": user_id, "day": day, "streak": streak}):
        return  # already recorded: its run is unchanged
    if day + ONE_DAY not in around:
        return
    # A late day joined two runs: each following day of the later run is now further in.
    expected = day + ONE_DAY
    for (later,) in _AFTER.rows(conn, {"user_id": user_id, "day": day}):
        if later != expected:
            break
        streak += 1
        _SET.run(conn, {"s_user": user_id, "s_day": later, "s_streak": streak})
        expected = later + ONE_DAY


def current(conn: Connection, user_id: int, today: date) -> int:
    """The run ending on the person's latest patrol day, if that was today or yesterday."""
    latest = _LATEST.first(conn, {"user_id": user_id})
    if latest is None:
        return 0
    day, streak = latest
    return streak if day >= today - ONE_DAY else 0


_mine = _days.c.user_id == bindparam("user_id")
_AROUND = Prepared(
    lambda _: select(_days.c.day, _days.c.streak).where(
        _mine, _days.c.day.in_([bindparam("before"), bindparam("after")])
    )
)
_INSERT = Prepared(lambda d: d.insert(_days).on_conflict_do_nothing().returning(_days.c.day))
_AFTER = Prepared(
    lambda _: select(_days.c.day).where(_mine, _days.c.day > bindparam("day")).order_by(_days.c.day)
)
_SET = Prepared(
    lambda _: (
        update(_days)
        .where(_days.c.user_id == bindparam("s_user"), _days.c.day == bindparam("s_day"))
        .values(streak=bindparam("s_streak"))
    )
)
_LATEST = Prepared(
    lambda _: select(_days.c.day, _days.c.streak).where(_mine).order_by(_days.c.day.desc()).limit(1)
)
