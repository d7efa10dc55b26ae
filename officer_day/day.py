"""The officer's day: what a police area's patrols, queues and incidents look like today, in
the area's own time zone. ``day_of`` is the one service the page, its JSON and the benchmark
call; it reads and never writes."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.errors import NotFound
from officer_day import queries
from officer_day.rules import Freshness, freshness
from volunteers.models import PoliceArea

HOURS = 24
UNKNOWN_AREA = _l("That police area does not exist.")


@dataclass(frozen=True)
class GridDay:
    id: int
    code: str
    name: str
    boundary: dict[str, Any] | None
    points: int  # points in use there now
    patrolled: int  # of those, visited today
    on_duty: int  # people of the grid on duty now
    checkins: int  # valid check-ins today


@dataclass(frozen=True)
class PointDay:
    id: int
    name: str
    grid_id: int
    lat: float
    lon: float
    last_patrol: datetime | None  # the last valid check-in since yesterday's local midnight
    freshness: Freshness


@dataclass(frozen=True)
class Day:
    area_id: int
    area_name: str
    timezone: str
    day: date
    now: datetime
    grids: list[GridDay]
    points: list[PointDay]
    checkins_today: int
    on_duty: int  # in the whole area, with people placed in no grid
    hours_today: list[int]  # valid check-ins per local hour, 0-23
    hours_yesterday: list[int]
    held_waiting: int
    missed_route_points: int
    orders_waiting: int
    open_incidents: int

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["day"] = self.day.isoformat()
        out["now"] = self.now.isoformat()
        for point in out["points"]:
            last = point["last_patrol"]
            point["last_patrol"] = last.isoformat() if last else None
        return out


def _in_use(row: Any, now: datetime) -> bool:
    return (
        row.retired_at is None
        and (row.active_from is None or row.active_from <= now)
        and (row.active_until is None or row.active_until > now)
    )


def _per_local_hour(
    counts: dict[int, int], start: datetime, tz: ZoneInfo, days: list[date]
) -> list[list[int]]:
    """Counts per whole hour since ``start`` (local midnight) as counts per local hour of each
    of ``days``: on a daylight-saving day two elapsed hours can share one local hour."""
    out = [[0] * HOURS for _ in days]
    for elapsed, count in counts.items():
        local = (start + timedelta(hours=elapsed)).astimezone(tz)
        if local.date() in days:
            out[days.index(local.date())][local.hour] += count
    return out


def day_of(session: Session, area_id: int, now: datetime) -> Day:
    """Today (in the area's zone, as of ``now``) for police area ``area_id``; 404 if there is
    no such area. The caller checks that the officer may see it."""
    area = session.get(PoliceArea, area_id)
    if area is None:
        raise NotFound("area_unknown", UNKNOWN_AREA)
    tz = ZoneInfo(area.timezone)
    today = now.astimezone(tz).date()
    yesterday = today - timedelta(days=1)
    today_from = datetime.combine(today, time.min, tzinfo=tz)
    yesterday_from = datetime.combine(yesterday, time.min, tzinfo=tz)
    tomorrow_from = datetime.combine(today + timedelta(days=1), time.min, tzinfo=tz)

    rows = queries.points_with_patrols(session, area_id, yesterday_from, today_from)
    on_duty = queries.on_duty_per_grid(session, area_id)
    points = [
        PointDay(
            id=row.id,
            name=row.name,
            grid_id=row.grid_id,
            lat=row.lat,
            lon=row.lon,
            last_patrol=row.last_patrol,
            freshness=freshness(row.last_patrol, now),
        )
        for row in rows
        if _in_use(row, now)
    ]
    # One pass over the points per figure, not one per grid; instants compared in UTC.
    since_midnight = today_from.astimezone(UTC)
    checkins_in: Counter[int] = Counter()
    for row in rows:
        checkins_in[row.grid_id] += int(row.today)
    in_use = Counter(p.grid_id for p in points)
    patrolled = Counter(
        p.grid_id for p in points if p.last_patrol and p.last_patrol >= since_midnight
    )
    grids = [
        GridDay(
            id=grid.id,
            code=grid.code,
            name=grid.name,
            boundary=grid.boundary,
            points=in_use[grid.id],
            patrolled=patrolled[grid.id],
            on_duty=on_duty.get(grid.id, 0),
            checkins=checkins_in[grid.id],
        )
        for grid in queries.grids(session, area_id)
    ]
    per_hour = queries.checkins_per_hour(session, area_id, yesterday_from, tomorrow_from)
    hours_yesterday, hours_today = _per_local_hour(per_hour, yesterday_from, tz, [yesterday, today])
    return Day(
        area_id=area.id,
        area_name=area.name,
        timezone=area.timezone,
        day=today,
        now=now,
        grids=grids,
        points=points,
        checkins_today=sum(checkins_in.values()),
        on_duty=sum(on_duty.values()),
        hours_today=hours_today,
        hours_yesterday=hours_yesterday,
        held_waiting=queries.held_waiting(session, area_id),
        missed_route_points=queries.missed_route_points(session, area_id, today),
        orders_waiting=queries.orders_waiting(session, area_id, now),
        open_incidents=queries.open_incidents(session, area_id),
    )
