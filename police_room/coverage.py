"""Patrol coverage for residents: per community and day, the patrol points patrolled of the
points there, 24 hours late (the barometer's ``shown_until``), so residents see the watch at work.

Counted as the officer's day counts "points patrolled today" (officer_day/queries.py): a point is
patrolled on a day when it has at least one valid check-in observed that local day. A point is
there on a day when it existed, was not retired before the day began and its active period (a
hotspot's temporary point has one) touches the day. Two reads whatever the number of days: the
area's points, then the distinct (point, day) pairs of its valid check-ins, the day found by a
CASE over the days' local midnights (so daylight saving time is no special case)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from checkins.models import VALID, CheckIn, PatrolPoint
from police_room.barometer import midnight, shown_until
from volunteers.models import Community, Grid, PoliceArea

DAYS = 14


@dataclass(frozen=True)
class Day:
    day: date
    patrolled: int
    points: int


@dataclass(frozen=True)
class PlaceCoverage:
    name: str | None  # None: the whole area
    days: tuple[Day, ...]  # oldest first


@dataclass(frozen=True)
class Coverage:
    until: date  # the first day not shown
    area: PlaceCoverage
    communities: tuple[PlaceCoverage, ...]


def _there(point: Any, start: datetime, end: datetime) -> bool:
    """Whether a point stood during [start, end)."""
    return (
        point.created_at < end
        and (point.retired_at is None or point.retired_at >= start)
        and (point.active_from is None or point.active_from < end)
        and (point.active_until is None or point.active_until >= start)
    )


def _patrolled(
    session: Session, point_ids: list[int], bounds: list[datetime]
) -> dict[int, set[int]]:
    """Day index -> the ids of the points with a valid check-in that day."""
    if not point_ids:
        return {}
    day = case(
        *((CheckIn.observed_at < bound, i) for i, bound in enumerate(bounds[1:])),
        else_=len(bounds) - 1,
    ).label("day")
    rows = session.execute(
        select(CheckIn.point_id, day)
        .where(
            CheckIn.point_id.in_(point_ids),
            CheckIn.status == VALID,
            CheckIn.observed_at >= bounds[0],
            CheckIn.observed_at < bounds[-1],
        )
        .distinct()
    ).all()
    found: dict[int, set[int]] = defaultdict(set)
    for point_id, index in rows:
        found[index].add(point_id)
    return found


def coverage(session: Session, area: PoliceArea, now: datetime, days: int = DAYS) -> Coverage:
    """The area's patrol coverage as of ``now``: ``days`` whole days ending at ``shown_until``."""
    zone = ZoneInfo(area.timezone)
    until = shown_until(now, zone)
    first = until - timedelta(days=days)
    calendar = [first + timedelta(days=i) for i in range(days)]
    bounds = [midnight(d, zone) for d in [*calendar, until]]
    communities = session.execute(
        select(Community.id, Community.name)
        .where(Community.police_area_id == area.id)
        .order_by(Community.id)
    ).all()
    points = session.execute(
        select(
            PatrolPoint.id,
            Grid.community_id,
            PatrolPoint.created_at,
            PatrolPoint.retired_at,
            PatrolPoint.active_from,
            PatrolPoint.active_until,
        )
        .join(Grid, Grid.id == PatrolPoint.grid_id)
        .where(Grid.community_id.in_([c.id for c in communities]))
    ).all()
    patrolled = _patrolled(session, [p.id for p in points], bounds)

    def place(name: str | None, members: list[Any]) -> PlaceCoverage:
        found = []
        for i, day in enumerate(calendar):
            there = {p.id for p in members if _there(p, bounds[i], bounds[i + 1])}
            found.append(Day(day, len(there & patrolled.get(i, set())), len(there)))
        return PlaceCoverage(name, tuple(found))

    return Coverage(
        until=until,
        area=place(None, list(points)),
        communities=tuple(
            place(c.name, [p for p in points if p.community_id == c.id]) for c in communities
        ),
    )
