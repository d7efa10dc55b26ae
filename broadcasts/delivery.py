"""Who a broadcast reaches and when: at once for the people its target covers now, later for
those a widening stage covers, and after quiet hours or the daily limit for non-urgent ones.
Deliveries are rows (due times, a unique key per person), so a periodic sweep that runs twice, or
after a restart, delivers each broadcast to each person once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from shapely.geometry.base import BaseGeometry
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from app.roles import FIELD_ROLES
from app.uow import UnitOfWork
from broadcasts import views
from broadcasts.models import DELIVERED, OPEN, PENDING, Broadcast, Delivery
from broadcasts.rules import Pacing, Target, stage_due
from realtime.presence import PresenceStore
from volunteers.boundaries import BadShape, geometry_from_geojson
from volunteers.models import Community, Grid, PoliceArea, User


def _shape(boundary: Any) -> BaseGeometry | None:
    if boundary is None:
        return None
    try:
        return geometry_from_geojson(boundary)
    except BadShape:
        return None


def _grid_shapes(session: Session, area_id: int) -> dict[int, BaseGeometry | None]:
    rows = session.execute(
        select(Grid.id, Grid.boundary)
        .join(Community, Community.id == Grid.community_id)
        .where(Community.police_area_id == area_id)
    )
    return {grid_id: _shape(boundary) for grid_id, boundary in rows}


def target_of(broadcast: Broadcast, stage: int, shapes: dict[int, BaseGeometry | None]) -> Target:
    if broadcast.grid_ids is not None:
        return Target(grid_shapes={g: shapes.get(g) for g in broadcast.grid_ids})
    radius = broadcast.stages[stage]["radius_m"] if broadcast.stages else None
    if radius is None or broadcast.center_lat is None or broadcast.center_lon is None:
        return Target()
    return Target(circle=(broadcast.center_lat, broadcast.center_lon, float(radius)))


def covered(
    session: Session, presence: PresenceStore, broadcast: Broadcast, stage: int
) -> set[int]:
    """The field people of the broadcast's area its target covers at ``stage``: on-duty people
    by their live position (or their grid when they share none); for "everyone", the others by
    their grid."""
    query = (
        select(User.id, User.grid_id, User.on_duty)
        .join(Community, Community.id == User.community_id)
        .where(
            Community.police_area_id == broadcast.police_area_id,
            User.role.in_(sorted(FIELD_ROLES)),
            User.active.is_(True),
        )
    )
    if broadcast.audience == "on_duty":
        query = query.where(User.on_duty.is_(True))
    people = session.execute(query).all()
    shapes = _grid_shapes(session, broadcast.police_area_id)
    target = target_of(broadcast, stage, shapes)
    found = set()
    for user_id, grid_id, on_duty in people:
        seen = presence.get(user_id) if on_duty else None
        if seen is not None:
            if target.covers_position(seen.lat, seen.lon, grid_id):
                found.add(user_id)
        elif target.covers_grid(grid_id, shapes.get(grid_id) if grid_id else None):
            found.add(user_id)
    return found


def _zone(session: Session, area_id: int) -> ZoneInfo:
    return ZoneInfo(session.get_one(PoliceArea, area_id).timezone)


def reach(
    uow: UnitOfWork, broadcast: Broadcast, presence: PresenceStore, pacing: Pacing, now: datetime
) -> int:
    """Owe the broadcast to everyone its current stage covers who is not owed it yet, then
    deliver what is due. Returns how many deliveries were made."""
    session = uow.session
    people = covered(session, presence, broadcast, broadcast.stage_reached)
    already = set(
        session.scalars(select(Delivery.user_id).where(Delivery.broadcast_id == broadcast.id))
    )
    new = sorted(people - already)
    session.add_all(
        Delivery(broadcast_id=broadcast.id, user_id=u, status=PENDING, due_at=now) for u in new
    )
    session.flush()
    return deliver_due(uow, pacing, now, broadcast_ids=[broadcast.id])


def _delivered_today(session: Session, user_ids: Iterable[int], since: datetime) -> dict[int, int]:
    """How many non-urgent broadcasts each person got since ``since``."""
    rows = session.execute(
        select(Delivery.user_id, func.count())
        .join(Broadcast, Broadcast.id == Delivery.broadcast_id)
        .where(
            Delivery.user_id.in_(sorted(set(user_ids))),
            Delivery.status == DELIVERED,
            Delivery.delivered_at >= since,
            Broadcast.urgent.is_(False),
        )
        .group_by(Delivery.user_id)
    )
    return {user_id: int(count) for user_id, count in rows}


def deliver_due(
    uow: UnitOfWork, pacing: Pacing, now: datetime, *, broadcast_ids: list[int] | None = None
) -> int:
    """Deliver the pending deliveries of open broadcasts that are due, each claimed by a
    conditional update so two sweeps deliver it once; a non-urgent one that meets quiet hours
    or the person's daily limit waits for its new time. Returns how many were delivered."""
    session = uow.session
    query = (
        select(Delivery, Broadcast)
        .join(Broadcast, Broadcast.id == Delivery.broadcast_id)
        .where(Delivery.status == PENDING, Delivery.due_at <= now, Broadcast.status == OPEN)
        .order_by(Broadcast.urgent.desc(), Delivery.id)
    )
    if broadcast_ids is not None:
        query = query.where(Delivery.broadcast_id.in_(broadcast_ids))
    rows = session.execute(query).all()
    counts: dict[int, dict[int, int]] = {}  # area -> person -> delivered today
    told: dict[int, tuple[Broadcast, list[int]]] = {}  # broadcast -> the people it reached now
    for delivery, broadcast in rows:
        zone = _zone(session, broadcast.police_area_id)
        if broadcast.police_area_id not in counts:
            since = pacing.day_start(now, zone)
            counts[broadcast.police_area_id] = _delivered_today(
                session, [d.user_id for d, _b in rows], since
            )
        today = counts[broadcast.police_area_id]
        when = pacing.when(
            now, zone, urgent=broadcast.urgent, delivered_today=today.get(delivery.user_id, 0)
        )
        values: dict[str, Any] = (
            {"status": DELIVERED, "delivered_at": now} if when <= now else {"due_at": when}
        )
        claimed = cast(
            CursorResult[Any],
            session.execute(
                update(Delivery)
                .where(Delivery.id == delivery.id, Delivery.status == PENDING)
                .values(**values)
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
        if claimed != 1 or when > now:
            continue
        if not broadcast.urgent:
            today[delivery.user_id] = today.get(delivery.user_id, 0) + 1
        told.setdefault(broadcast.id, (broadcast, []))[1].append(delivery.user_id)
    for broadcast, people in told.values():  # one emit per broadcast, to all its new people
        views.tell_recipients(uow, broadcast, people)
        views.tell_console(uow, broadcast.id)
    return sum(len(people) for _b, people in told.values())


def sweep(uow: UnitOfWork, presence: PresenceStore, pacing: Pacing, now: datetime) -> int:
    """The periodic sweep: widen open broadcasts whose next stage is due (each stage claimed by
    a conditional update), then deliver whatever else fell due. Returns deliveries made."""
    session = uow.session
    delivered = 0
    for broadcast in session.scalars(
        select(Broadcast).where(Broadcast.status == OPEN, Broadcast.grid_ids.is_(None))
    ).all():
        stage = stage_due(broadcast.stages, broadcast.created_at, now)
        if stage <= broadcast.stage_reached:
            continue
        claimed = cast(
            CursorResult[Any],
            session.execute(
                update(Broadcast)
                .where(
                    Broadcast.id == broadcast.id,
                    Broadcast.stage_reached == broadcast.stage_reached,
                    Broadcast.status == OPEN,
                )
                .values(stage_reached=stage)
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
        if claimed == 1:
            session.refresh(broadcast)
            delivered += reach(uow, broadcast, presence, pacing, now)
            views.tell_console(uow, broadcast.id)  # its wider circle, even if nobody new
    delivered += deliver_due(uow, pacing, now)
    return delivered
