"""Patrol routes and shifts: an officer's ordered round of points in a daily window, assigned
to people; when a window closes the sweep decides each round exactly once, pays the bonus for
a complete one and tells the police room which points were missed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.bus import announce
from app.errors import Invalid
from app.roles import FIELD_ROLES
from app.sql import insert_ignoring_conflicts
from app.types import utcnow
from app.uow import UnitOfWork
from checkins.events import RouteClosed
from checkins.models import CheckIn, PatrolPoint, PatrolRoute, RouteAssignment, RouteRun, RouteStop
from rewards import ledger, reasons
from volunteers.areas import areas_of
from volunteers.models import Community, Grid, User
from volunteers.person import Person

COMPLETED, PARTIAL, MISSED = "completed", "partial", "missed"
LOOKBACK_DAYS = 2  # a sweep that was down for a while still decides the recent windows


@dataclass(frozen=True)
class RouteFields:
    name: str
    starts_at: time
    ends_at: time
    point_ids: list[int]
    user_ids: list[int]
    bonus_points: int


def create_route(uow: UnitOfWork, actor: Person, fields: RouteFields) -> PatrolRoute:
    name = " ".join(fields.name.split())
    if not 1 <= len(name) <= 120:
        raise Invalid("route_name_missing", _l("Please give the route a name."))
    if fields.starts_at == fields.ends_at:
        raise Invalid("route_window_empty", _l("The route's time window cannot be empty."))
    if not 1 <= fields.bonus_points <= 500:
        raise Invalid("route_bonus_range", _l("The route bonus must be between 1 and 500 points."))
    session = uow.session
    areas = areas_of(session, actor)
    point_ids = list(dict.fromkeys(fields.point_ids))
    found = set(
        session.scalars(
            select(PatrolPoint.id)
            .join(Grid, Grid.id == PatrolPoint.grid_id)
            .join(Community, Community.id == Grid.community_id)
            .where(
                PatrolPoint.id.in_(point_ids),
                PatrolPoint.retired_at.is_(None),
                areas.where(Community.police_area_id),  # another area's points are unknown
            )
        )
    )
    if len(point_ids) < 2 or found != set(point_ids):
        raise Invalid(
            "route_points_invalid", _l("A route needs at least two patrol points in use.")
        )
    people = session.scalars(
        select(User)
        .join(Community, Community.id == User.community_id)
        .where(User.id.in_(fields.user_ids), areas.where(Community.police_area_id))
    ).all()
    if (
        not people
        or len(people) != len(set(fields.user_ids))
        or any(p.role not in FIELD_ROLES or not p.active for p in people)
    ):
        raise Invalid(
            "route_people_invalid",
            _l("Assign the route to one or more active guards, grid workers or volunteers."),
        )
    route = PatrolRoute(
        community_id=people[0].community_id,  # the route's area is its walkers' area
        name=name,
        starts_at=fields.starts_at,
        ends_at=fields.ends_at,
        bonus_points=fields.bonus_points,
        created_by_id=actor.id,
        stops=[RouteStop(position=i, point_id=pid) for i, pid in enumerate(point_ids)],
        assignments=[RouteAssignment(user_id=p.id) for p in people],
    )
    session.add(route)
    session.flush()
    return route


def window(route: PatrolRoute, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The route's window that opens on local ``day``; a window like 22:00-06:00 ends next day."""
    start = datetime.combine(day, route.starts_at, tzinfo=tz)
    end_day = day if route.ends_at > route.starts_at else day + timedelta(days=1)
    return start, datetime.combine(end_day, route.ends_at, tzinfo=tz)


def _visited(
    session: Any, user_id: int, point_ids: list[int], start: datetime, end: datetime
) -> set[int]:
    return set(
        session.scalars(
            select(CheckIn.point_id)
            .distinct()
            .where(
                CheckIn.user_id == user_id,
                CheckIn.status == "valid",
                CheckIn.point_id.in_(point_ids),
                CheckIn.observed_at >= start,
                CheckIn.observed_at < end,
            )
        )
    )


_runs = RouteRun.__table__
_claim_run = insert_ignoring_conflicts(_runs, _runs.c.id)  # one run per route, person, day


def close_windows(uow: UnitOfWork, now: datetime, tz: ZoneInfo) -> list[RouteRun]:
    """Decide every round whose window has closed; safe to run any number of times, at once."""
    session = uow.session
    decided: list[RouteRun] = []
    today = now.astimezone(tz).date()
    routes = session.scalars(select(PatrolRoute).where(PatrolRoute.active.is_(True))).all()
    # A disabled or closed account walks no rounds: no "missed" for it every night.
    assigned = {a.user_id for route in routes for a in route.assignments}
    active = set(session.scalars(select(User.id).where(User.id.in_(assigned), User.active)))
    for route in routes:
        point_ids = [stop.point_id for stop in route.stops]
        for back in range(LOOKBACK_DAYS, -1, -1):
            day = today - timedelta(days=back)
            start, end = window(route, day, tz)
            if end > now or start < route.created_at:
                continue
            for assignment in route.assignments:
                if assignment.user_id not in active:
                    continue
                run = _decide(uow, route, assignment.user_id, day, point_ids, start, end)
                if run is not None:
                    decided.append(run)
    return decided


def _decide(
    uow: UnitOfWork,
    route: PatrolRoute,
    user_id: int,
    day: date,
    point_ids: list[int],
    start: datetime,
    end: datetime,
) -> RouteRun | None:
    session = uow.session
    visited = _visited(session, user_id, point_ids, start, end)
    missed = [pid for pid in point_ids if pid not in visited]
    status = COMPLETED if not missed else (MISSED if not visited else PARTIAL)
    bonus = route.bonus_points if status == COMPLETED else 0
    claimed = session.scalar(
        _claim_run(session),
        {
            "route_id": route.id,
            "user_id": user_id,
            "day": day,
            "status": status,
            "visited": len(visited),
            "missed_point_ids": missed,
            "bonus_points": bonus,
            "evaluated_at": utcnow(),
        },
    )
    if claimed is None:
        return None  # another sweep decided this round already
    if bonus:
        ledger.award(
            uow,
            user_id=user_id,
            delta=bonus,
            reason=reasons.ROUTE_BONUS,
            source_type="route_run",
            source_id=claimed,
        )
    names = {
        p.id: p.name for p in session.scalars(select(PatrolPoint).where(PatrolPoint.id.in_(missed)))
    }
    person = session.get_one(User, user_id)
    announce(
        uow,
        RouteClosed(
            route_id=route.id,
            route_name=route.name,
            user_id=user_id,
            user_name=person.name,
            day=day.isoformat(),
            status=status,
            missed_points=tuple(names[p] for p in missed),
            bonus_points=bonus,
        ),
    )
    return session.get(RouteRun, claimed)


def rounds_for(session: Any, user_id: int, now: datetime, tz: ZoneInfo) -> list[dict[str, Any]]:
    """The person's routes with today's window and which stops are already walked."""
    routes = session.scalars(
        select(PatrolRoute)
        .join(RouteAssignment)
        .where(RouteAssignment.user_id == user_id, PatrolRoute.active.is_(True))
        .order_by(PatrolRoute.starts_at)
    ).all()
    result = []
    for route in routes:
        day = now.astimezone(tz).date()
        start, end = window(route, day, tz)
        if now < start:  # a night window that began yesterday may still be open
            earlier = window(route, day - timedelta(days=1), tz)
            if now < earlier[1]:
                start, end = earlier
        point_ids = [s.point_id for s in route.stops]
        visited = _visited(session, user_id, point_ids, start, end)
        result.append(
            {
                "id": route.id,
                "name": route.name,
                "bonus_points": route.bonus_points,
                "starts_at": route.starts_at.strftime("%H:%M"),
                "ends_at": route.ends_at.strftime("%H:%M"),
                "open": start <= now < end,
                "stops": [
                    {"name": s.point.name, "visited": s.point_id in visited} for s in route.stops
                ],
            }
        )
    return result
