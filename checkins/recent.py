"""What the cooldown, the daily cap and the speed rule need to know about a person's valid
check-ins around one moment, read in one query. Held check-ins (doubtful, waiting for an
officer) count here as valid ones do: approving one later must not pay twice at one point
within the cooldown or go past the day's cap. The same query brings the reported accuracy of
the person's latest scans, for the evidence grade (checkins/evidence.py).

Offline check-ins arrive late, so a later check-in may already be stored: every question looks
both ways. The query returns a handful of rows however busy the person's day was (a guard scans
about 30 points a night): the day's count, the check-ins at this point within the cooldown of
the moment, and the nearest check-in on each side of it. Each part is a range read on the
``(user_id, status, observed_at)`` index, or on ``(point_id, observed_at)``.

A check-in dated by the phone (sent late from its offline queue) has ``observed_at`` before its
``server_time``; ``late_that_day`` counts those that counted on a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, literal, null, select, type_coerce, union_all
from sqlalchemy.orm import Session

from app.types import UTCDateTime
from checkins.models import HELD, VALID, CheckIn
from checkins.rules import Visit

_checkins = CheckIn.__table__
_DAY_COUNT, _AT_POINT, _BEFORE, _AFTER, _DAY_HELD, _LATEST = range(6)


@dataclass(frozen=True)
class Recent:
    count_that_day: int  # valid and held check-ins observed on the moment's local day
    at_point: tuple[datetime, ...]  # times of valid or held check-ins here within the cooldown
    before: Visit | None  # the last valid or held check-in observed at or before the moment
    after: Visit | None  # the first one observed after it
    held_that_day: int = 0  # of ``count_that_day``, those held
    accuracies: tuple[float, ...] = ()  # the latest ones' reported accuracy, newest first

    @property
    def valid_that_day(self) -> int:
        return self.count_that_day - self.held_that_day

    def nearest_at_point(self, at: datetime) -> datetime | None:
        """The time of the valid check-in at this point closest to ``at``."""
        return min(self.at_point, key=lambda t: abs(t - at)) if self.at_point else None

    def neighbours(self) -> list[Visit]:
        return [v for v in (self.before, self.after) if v is not None]


def _when(name: str) -> object:
    return bindparam(name, type_=UTCDateTime())


def _build() -> Any:
    c = _checkins.c
    mine = (c.user_id == bindparam("user_id"), c.status.in_([VALID, HELD]))
    # The union takes its columns' types from its first part, so its blanks carry them.
    blank = tuple(
        type_coerce(null(), col.type).label(col.key)
        for col in (c.lat, c.lon, c.accuracy_m, c.observed_at)
    )

    def part(kind: int, *columns: Any) -> tuple[Any, ...]:
        return (literal(kind).label("kind"), *columns)

    day = select(*part(_DAY_COUNT, *blank, func.count().label("n"))).where(
        *mine, c.observed_at >= _when("day_start"), c.observed_at < _when("day_end")
    )
    day_held = select(*part(_DAY_HELD, *blank, func.count().label("n"))).where(
        c.user_id == bindparam("user_id"),
        c.status == HELD,
        c.observed_at >= _when("day_start"),
        c.observed_at < _when("day_end"),
    )
    visit = (c.lat, c.lon, c.accuracy_m, c.observed_at, literal(0).label("n"))
    here = select(*part(_AT_POINT, *visit)).where(
        *mine,
        c.point_id == bindparam("point_id"),
        c.observed_at > _when("cooldown_start"),
        c.observed_at < _when("cooldown_end"),
    )
    before = (
        select(*part(_BEFORE, *visit))
        .where(*mine, c.observed_at <= _when("at"))
        .order_by(c.observed_at.desc())
        .limit(1)
        .subquery()
    )
    after = (
        select(*part(_AFTER, *visit))
        .where(*mine, c.observed_at > _when("at"))
        .order_by(c.observed_at)
        .limit(1)
        .subquery()
    )
    latest = (
        select(*part(_LATEST, *visit))
        .where(*mine)
        .order_by(c.observed_at.desc())
        .limit(bindparam("latest_n"))
        .subquery()
    )
    # PostgreSQL types a union pairwise: two blank parts first would make their columns text.
    return union_all(day, here, day_held, select(before), select(after), select(latest))


_AROUND = _build()


def load(
    session: Session,
    user_id: int,
    point_id: int,
    at: datetime,
    day: tuple[datetime, datetime],
    cooldown: timedelta,
    latest: int = 4,
) -> Recent:
    """The person's valid and held check-ins around ``at`` (``day``: the local day's start and
    end), and the accuracy of their ``latest`` ones."""
    rows = session.execute(
        _AROUND,
        {
            "user_id": user_id,
            "point_id": point_id,
            "at": at,
            "day_start": day[0],
            "day_end": day[1],
            "cooldown_start": at - cooldown,
            "cooldown_end": at + cooldown,
            "latest_n": max(latest, 0),
        },
    )
    count, held, here, sides = 0, 0, [], {}
    latest_rows: list[tuple[datetime, float]] = []
    for kind, lat, lon, accuracy_m, observed_at, n in rows:
        if kind == _DAY_COUNT:
            count = n
        elif kind == _DAY_HELD:
            held = n
        elif kind == _AT_POINT:
            here.append(observed_at)
        elif kind == _LATEST:
            latest_rows.append((observed_at, accuracy_m))
        else:
            sides[kind] = Visit(lat, lon, observed_at)
    latest_rows.sort(key=lambda row: row[0], reverse=True)  # a union keeps no order
    return Recent(
        count,
        tuple(here),
        sides.get(_BEFORE),
        sides.get(_AFTER),
        held_that_day=held,
        accuracies=tuple(a for _, a in latest_rows if a is not None),
    )


def _build_late() -> Any:
    c = _checkins.c
    # Submitted on the day, so observed at most ``late_max`` before the day began.
    return select(func.count()).where(
        c.user_id == bindparam("user_id"),
        c.status == VALID,
        c.observed_at >= _when("late_start"),
        c.observed_at < _when("day_end"),
        c.observed_at < c.server_time,
        c.server_time >= _when("day_start"),
        c.server_time < _when("day_end"),
    )


_LATE = _build_late()


def late_that_day(
    session: Session, user_id: int, day: tuple[datetime, datetime], late_max: timedelta
) -> int:
    """How many valid check-ins dated by the phone the person submitted on ``day`` (server
    time; the local day's start and end)."""
    bounds = {"day_start": day[0], "day_end": day[1], "late_start": day[0] - late_max}
    return session.scalar(_LATE, {"user_id": user_id, **bounds})
