"""The grouped queries behind the officer's day: each answers for the whole police area at once
(per grid, per point, per hour), never one query per point or per grid, so the page costs the
same with 5 points or 500 (tests/officer_day/test_day.py holds it to a query budget).

Check-ins are found through ``ix_checkins_point_observed``: the area's points, then each
point's rows since yesterday's local midnight (bench/officer_day.py measures it on a year of
check-ins)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from types import ModuleType
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Row,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from app.sql import per_dialect
from checkins.models import HELD, VALID, CheckIn, PatrolPoint, PatrolRoute, RouteRun
from realtime.dispatch_states import OPEN
from realtime.models import Incident, WidenedArea
from rewards.models import Gift, Order
from rewards.store import PENDING
from volunteers.models import Community, Grid, User

SECONDS_PER_HOUR = 3600


def _area_points(area_id: int) -> Any:
    """The ids of the area's patrol points (retired ones too: their check-ins still count)."""
    return (
        select(PatrolPoint.id)
        .join(Grid, Grid.id == PatrolPoint.grid_id)
        .join(Community, Community.id == Grid.community_id)
        .where(Community.police_area_id == area_id)
    )


def grids(session: Session, area_id: int) -> Sequence[Row[Any]]:
    """The area's grids (id, code, name, boundary), in a stable order."""
    return session.execute(
        select(Grid.id, Grid.code, Grid.name, Grid.boundary)
        .join(Community, Community.id == Grid.community_id)
        .where(Community.police_area_id == area_id)
        .order_by(Community.id, Grid.code, Grid.id)
    ).all()


def points_with_patrols(
    session: Session, area_id: int, since: datetime, today_from: datetime
) -> Sequence[Row[Any]]:
    """Every point of the area with its last valid check-in since ``since`` (None if none) and
    its valid check-ins since ``today_from``: one GROUP BY over the area's recent check-ins."""
    recent = (
        select(
            CheckIn.point_id.label("point_id"),
            func.max(CheckIn.observed_at).label("last_patrol"),
            func.sum(case((CheckIn.observed_at >= today_from, 1), else_=0)).label("today"),
        )
        .where(
            CheckIn.point_id.in_(_area_points(area_id)),
            CheckIn.status == VALID,
            CheckIn.observed_at >= since,
        )
        .group_by(CheckIn.point_id)
        .subquery()
    )
    return session.execute(
        select(
            PatrolPoint.id,
            PatrolPoint.name,
            PatrolPoint.grid_id,
            PatrolPoint.lat,
            PatrolPoint.lon,
            PatrolPoint.retired_at,
            PatrolPoint.active_from,
            PatrolPoint.active_until,
            recent.c.last_patrol,
            func.coalesce(recent.c.today, 0).label("today"),
        )
        .outerjoin(recent, recent.c.point_id == PatrolPoint.id)
        .where(PatrolPoint.id.in_(_area_points(area_id)))
        .order_by(PatrolPoint.id)
    ).all()


def _build_hour(dialect: ModuleType) -> ColumnElement[Any]:
    """Whole hours from ``start_epoch`` (a Unix time) to a check-in: a time bucket both databases
    compute the same way (``observed_at >= start`` is filtered, so truncating is flooring)."""
    start = bindparam("start_epoch", type_=Integer)
    if dialect is postgresql:
        return cast(
            func.floor((func.extract("epoch", CheckIn.observed_at) - start) / SECONDS_PER_HOUR),
            Integer,
        )
    seconds = cast(func.strftime("%s", CheckIn.observed_at), Integer)
    return (seconds - start) // SECONDS_PER_HOUR  # SQLAlchemy's "/" would divide as reals


_hour = per_dialect(_build_hour)


def checkins_per_hour(
    session: Session, area_id: int, start: datetime, end: datetime
) -> dict[int, int]:
    """Valid check-ins of the area from ``start`` to ``end``, counted per whole hour since
    ``start`` (0, 1, ...)."""
    bucket = _hour(session).label("bucket")
    rows = session.execute(
        select(bucket, func.count())
        .where(
            CheckIn.point_id.in_(_area_points(area_id)),
            CheckIn.status == VALID,
            CheckIn.observed_at >= start,
            CheckIn.observed_at < end,
        )
        .group_by(bucket),
        {"start_epoch": int(start.timestamp())},
    ).all()
    return {int(hour): count for hour, count in rows}


def held_waiting(session: Session, area_id: int) -> int:
    """Held check-ins of the area waiting for an officer (as checkins.held.waiting counts them),
    read through the partial index ``ix_checkins_held`` (``WHERE status = 'held'``), a few rows,
    instead of every check-in of every point: the status is a literal (a bound parameter could
    be any status, so the index would not apply), and ``point_id + 0`` keeps SQLite, which has
    no statistics to weigh the two, off the index by point."""
    return (
        session.scalar(
            select(func.count())
            .select_from(CheckIn)
            .where(
                CheckIn.status == literal_column(f"'{HELD}'"),
                (CheckIn.point_id + 0).in_(_area_points(area_id)),
            )
        )
        or 0
    )


def on_duty_per_grid(session: Session, area_id: int) -> dict[int | None, int]:
    """People of the area on duty now, per grid (None: placed in no grid)."""
    rows = session.execute(
        select(User.grid_id, func.count())
        .join(Community, Community.id == User.community_id)
        .where(
            Community.police_area_id == area_id,
            User.on_duty.is_(True),
            User.active.is_(True),
        )
        .group_by(User.grid_id)
    ).all()
    return {row[0]: row[1] for row in rows}


def missed_route_points(session: Session, area_id: int, day: date) -> int:
    """Route stops not visited in their round's window, over the area's rounds of ``day``
    (decided when each window closed, checkins/patrols.py)."""
    missed = session.scalars(
        select(RouteRun.missed_point_ids)
        .join(PatrolRoute, PatrolRoute.id == RouteRun.route_id)
        .join(Community, Community.id == PatrolRoute.community_id)
        .where(Community.police_area_id == area_id, RouteRun.day == day)
    ).all()
    return sum(len(ids or []) for ids in missed)


def orders_waiting(session: Session, area_id: int, now: datetime) -> int:
    """Gift orders waiting to be handed over at the area's police room (its gifts' orders, not
    past their collect-by date)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Order)
            .join(Gift, Gift.id == Order.gift_id)
            .where(
                Gift.police_area_id == area_id,
                Order.status == PENDING,
                Order.collect_by > now,
            )
        )
        or 0
    )


def open_incidents(session: Session, area_id: int) -> int:
    """Open incidents the area's console sees: its own and those widened to it."""
    widened = select(WidenedArea.incident_id).where(WidenedArea.police_area_id == area_id)
    return (
        session.scalar(
            select(func.count())
            .select_from(Incident)
            .where(
                Incident.status == OPEN,
                or_(Incident.police_area_id == area_id, Incident.id.in_(widened)),
            )
        )
        or 0
    )
