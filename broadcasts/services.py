"""The use cases of area broadcasts: send one, answer "seen it", close it, and the lists the
phone and the console read. Services flush; the caller's unit of work commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.errors import Conflict, Invalid, NotFound, TooManyRequests
from app.sql import lock_row
from app.uow import UnitOfWork
from broadcasts import delivery, views
from broadcasts.models import (
    CANCELLED,
    DELIVERED,
    DROPPED,
    FOUND,
    OPEN,
    PENDING,
    Broadcast,
    Delivery,
    SeenAnswer,
)
from broadcasts.rules import Pacing
from realtime.presence import PresenceStore
from realtime.rooms import area_ids
from volunteers.areas import Areas
from volunteers.models import Community, Grid
from volunteers.person import Person

KINDS = ("missing_person", "fraud_warning", "weather", "road_closure", "other")
OUTCOMES = (FOUND, CANCELLED)
MIN_RADIUS_M, MAX_RADIUS_M = 50, 50_000
MAX_SEEN_PER_PERSON = 10  # "seen it" answers one person may send about one broadcast
UNKNOWN = _l("That broadcast does not exist.")


@dataclass(frozen=True)
class NewBroadcast:
    """What an officer fills in. Grids, or a centre with radius stages (None: the whole area)."""

    kind: str
    title: str
    look_for: str
    what_to_do: str
    urgent: bool = False
    public: bool = False
    audience: str = "on_duty"
    grid_ids: list[int] | None = None
    center: tuple[float, float] | None = None
    stages: list[dict[str, Any]] = field(default_factory=lambda: [{"after_min": 0}])
    police_area_id: int | None = None
    photo: tuple[str, str | None] | None = None  # stored name and thumbnail's


def _area_for(session: Session, areas: Areas, asked: int | None) -> int:
    if asked is not None:
        areas.check(asked, "area_unknown")
        return asked
    mine = area_ids(session, areas)
    if len(mine) != 1:
        raise Invalid("area_needed", _l("Choose the police area to send it in."))
    return mine[0]


def _stages(asked: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stages sorted by time, the first at once; each radius 50 m to 50 km or the whole area."""
    stages = sorted(
        ({"after_min": int(s["after_min"]), "radius_m": s.get("radius_m")} for s in asked),
        key=lambda s: int(s["after_min"] or 0),
    )
    if not stages or stages[0]["after_min"] != 0:
        raise Invalid("stages_start", _l("The first stage must start at once (after 0 minutes)."))
    if len({s["after_min"] for s in stages}) != len(stages):
        raise Invalid("stages_twice", _l("Two stages start at the same time."))
    for stage in stages:
        radius = stage["radius_m"]
        if radius is not None and not MIN_RADIUS_M <= radius <= MAX_RADIUS_M:
            raise Invalid("radius_range", _l("Choose a radius between 50 m and 50 km."))
    return stages


def create(
    uow: UnitOfWork,
    sender: Person,
    new: NewBroadcast,
    *,
    areas: Areas,
    presence: PresenceStore,
    pacing: Pacing,
    now: datetime,
) -> Broadcast:
    """Send a broadcast in one of the sender's areas and deliver it to the people its first
    stage covers. It never goes without what to look for and what to do."""
    session = uow.session
    if not new.look_for.strip():
        raise Invalid("look_for_missing", _l("Say what people should look for."), field="look_for")
    if not new.what_to_do.strip():
        raise Invalid("what_to_do_missing", _l("Say what people should do."), field="what_to_do")
    if new.kind not in KINDS:
        raise Invalid("kind_unknown", _l("Choose what kind of broadcast this is."))
    area_id = _area_for(session, areas, new.police_area_id)
    stages: list[dict[str, Any]] = [{"after_min": 0, "radius_m": None}]
    if new.grid_ids is not None:
        if not new.grid_ids:
            raise Invalid("grids_missing", _l("Choose at least one grid."))
        known = set(
            session.scalars(
                select(Grid.id)
                .join(Community, Community.id == Grid.community_id)
                .where(Grid.id.in_(new.grid_ids), Community.police_area_id == area_id)
            )
        )
        if known != set(new.grid_ids):
            raise NotFound("grid_unknown", _l("There is no such grid in this police area."))
    elif new.center is not None:
        stages = _stages(new.stages)
    broadcast = Broadcast(
        police_area_id=area_id,
        kind=new.kind,
        title=new.title,
        look_for=new.look_for.strip(),
        what_to_do=new.what_to_do.strip(),
        urgent=new.urgent,
        public=new.public,
        audience=new.audience,
        grid_ids=sorted(set(new.grid_ids)) if new.grid_ids is not None else None,
        center_lat=new.center[0] if new.grid_ids is None and new.center else None,
        center_lon=new.center[1] if new.grid_ids is None and new.center else None,
        stages=stages,
        stage_reached=0,
        photo_name=new.photo[0] if new.photo else None,
        thumb_name=new.photo[1] if new.photo else None,
        created_by_id=sender.id,
        created_at=now,
    )
    session.add(broadcast)
    session.flush()
    delivery.reach(uow, broadcast, presence, pacing, now)
    views.tell_console(uow, broadcast.id)
    return broadcast


def get(session: Session, broadcast_id: int, areas: Areas, *, lock: bool = False) -> Broadcast:
    """The broadcast, if it is in ``areas`` (another area's answers as a missing one)."""
    if lock:
        lock_row(session, Broadcast, broadcast_id)
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None or not areas.allows(broadcast.police_area_id):
        raise NotFound("broadcast_unknown", UNKNOWN)
    return broadcast


def recipients(session: Session, broadcast_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Delivery.user_id).where(
                Delivery.broadcast_id == broadcast_id, Delivery.status == DELIVERED
            )
        )
    )


def get_delivered(session: Session, broadcast_id: int, user_id: int) -> Broadcast:
    """A broadcast delivered to this person; any other answers as a missing one."""
    if user_id not in recipients(session, broadcast_id):
        raise NotFound("broadcast_unknown", UNKNOWN)
    return session.get_one(Broadcast, broadcast_id)


def close(
    uow: UnitOfWork,
    officer: Person,
    broadcast_id: int,
    outcome: str,
    *,
    areas: Areas,
    now: datetime,
) -> Broadcast:
    """Close it as found or cancelled; everyone who got it is told, those still waiting for it
    (quiet hours) never get it."""
    if outcome not in OUTCOMES:
        raise Invalid("outcome_unknown", _l("Close it as found or cancelled."))
    session = uow.session
    broadcast = get(session, broadcast_id, areas, lock=True)
    if broadcast.status != OPEN:
        raise Conflict("broadcast_closed", _l("This broadcast is already closed."))
    broadcast.status = outcome
    broadcast.closed_by_id = officer.id
    broadcast.closed_at = now
    session.execute(
        update(Delivery)
        .where(Delivery.broadcast_id == broadcast.id, Delivery.status == PENDING)
        .values(status=DROPPED)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    views.tell_recipients(uow, broadcast, recipients(session, broadcast.id))
    views.tell_console(uow, broadcast.id)
    return broadcast


def seen_it(
    uow: UnitOfWork,
    person: Person,
    broadcast_id: int,
    *,
    lat: float,
    lon: float,
    accuracy_m: float | None,
    note: str = "",
    photo: tuple[str, str | None] | None = None,
    now: datetime,
) -> SeenAnswer:
    """ "我看到了" from someone who got the broadcast, with where they are; the console puts it
    on its map at once."""
    session = uow.session
    broadcast = get_delivered(session, broadcast_id, person.id)
    if broadcast.status != OPEN:
        raise Conflict("broadcast_closed", _l("This broadcast is already closed."))
    sent = session.scalar(
        select(func.count())
        .select_from(SeenAnswer)
        .where(SeenAnswer.broadcast_id == broadcast.id, SeenAnswer.user_id == person.id)
    )
    if (sent or 0) >= MAX_SEEN_PER_PERSON:
        raise TooManyRequests(
            "seen_flood", _l("You have already told the police room several times. Thank you!")
        )
    answer = SeenAnswer(
        broadcast_id=broadcast.id,
        user_id=person.id,
        lat=lat,
        lon=lon,
        accuracy_m=accuracy_m,
        note=note,
        photo_name=photo[0] if photo else None,
        thumb_name=photo[1] if photo else None,
        created_at=now,
    )
    session.add(answer)
    session.flush()
    views.tell_seen(uow, answer, person.name, broadcast.police_area_id)
    views.tell_console(uow, broadcast.id)
    return answer


def open_delivered_to(session: Session, user_id: int) -> list[Broadcast]:
    """The open broadcasts this person got, newest first (the phone's next open)."""
    return list(
        session.scalars(
            select(Broadcast)
            .join(Delivery, Delivery.broadcast_id == Broadcast.id)
            .where(
                Delivery.user_id == user_id,
                Delivery.status == DELIVERED,
                Broadcast.status == OPEN,
            )
            .order_by(Broadcast.urgent.desc(), Broadcast.id.desc())
        )
    )


def open_in(session: Session, areas: Areas) -> list[Broadcast]:
    """The open broadcasts of the caller's areas, newest first."""
    return list(
        session.scalars(
            select(Broadcast)
            .where(Broadcast.status == OPEN, areas.where(Broadcast.police_area_id))
            .order_by(Broadcast.id.desc())
        )
    )
