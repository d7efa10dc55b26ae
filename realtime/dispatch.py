"""Dispatch, the police room's side: incidents, the nearest available people, sending offers,
closing. The responder's side (answering, reporting progress) is realtime/offers.py. Plain
services: they take the unit of work, the presence store and settings; what they change is
announced after the commit (realtime.dispatch_announce)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from geopy.distance import geodesic
from sqlalchemy import select

from app import metrics
from app.errors import Conflict, Invalid, NotFound
from app.roles import FIELD_ROLES
from app.sql import lock_row
from app.uow import UnitOfWork
from app.validation import number_in_range
from realtime import rooms
from realtime.dispatch_announce import announce, announce_offer
from realtime.dispatch_states import (
    CLOSED,
    ENGAGED,
    OFFERED,
    OPEN,
    WITHDRAWN,
)
from realtime.models import Incident, Offer
from realtime.presence import Nearby, PresenceStore
from volunteers.areas import EVERYWHERE, Areas
from volunteers.models import Community, User
from volunteers.person import Person

KINDS = ("theft", "dispute", "fire", "traffic", "suspicious", "missing_person", "other")


@dataclass(frozen=True)
class DispatchSettings:
    offer_seconds: int
    max_rounds: int
    radius_m: int
    batch: int
    accepted_points: int
    arrived_points: int
    arrival_radius_m: float
    arrival_position_age: timedelta


def _roles(roles: Collection[str] | None) -> list[str]:
    chosen = sorted(set(roles or ()))
    if any(role not in FIELD_ROLES for role in chosen):
        raise Invalid("role_unknown", _l("Unknown role."))
    return chosen


def create_incident(
    uow: UnitOfWork,
    dispatcher: Person,
    *,
    kind: str,
    priority: Any,
    description: str,
    lat: Any,
    lon: Any,
    needed: Any = 1,
    roles: Collection[str] | None = None,
    settings: DispatchSettings,
    now: datetime,
    areas: Areas,
    police_area_id: int | None = None,
) -> Incident:
    """A new incident in one of the dispatcher's police areas: the one named, or their only
    one (a station's dispatcher, working in several, names it)."""
    if kind not in KINDS:
        raise Invalid("kind_unknown", _l("Please choose what kind of incident this is."))
    incident = Incident(
        kind=kind,
        priority=int(
            number_in_range(priority, 1, 3, "priority_range", _l("Priority is 1, 2 or 3."))
        ),
        description=" ".join((description or "").split())[:500],
        lat=number_in_range(lat, -90, 90, "position_invalid", _l("That position is not valid.")),
        lon=number_in_range(lon, -180, 180, "position_invalid", _l("That position is not valid.")),
        needed=int(
            number_in_range(needed, 1, 20, "needed_range", _l("Ask for between 1 and 20 people."))
        ),
        roles=",".join(_roles(roles)),
        radius_m=settings.radius_m,
        batch=settings.batch,
        offer_seconds=settings.offer_seconds,
        status=OPEN,
        created_by_id=dispatcher.id,
        police_area_id=_area_for(uow.session, areas, police_area_id),
        created_at=now,
    )
    uow.session.add(incident)
    uow.session.flush()
    announce(uow, incident)
    return incident


def _area_for(session: Any, areas: Areas, asked: int | None) -> int:
    if asked is not None:
        areas.check(asked, "area_unknown")
        return asked
    mine = rooms.area_ids(session, areas)
    if len(mine) != 1:
        raise Invalid("area_needed", _l("Choose the police area this incident is in."))
    return mine[0]


def get_incident(
    uow: UnitOfWork, incident_id: Any, *, lock: bool = False, areas: Areas = EVERYWHERE
) -> Incident:
    """The incident, if it is in ``areas`` (another area's answers as a missing one)."""
    try:
        incident_id = int(incident_id)
    except (TypeError, ValueError) as exc:
        raise NotFound("incident_unknown", _l("That incident does not exist.")) from exc
    if lock:
        lock_row(uow.session, Incident, incident_id)
    incident = uow.session.get(Incident, incident_id)
    if incident is None or not areas.allows(incident.police_area_id):
        raise NotFound("incident_unknown", _l("That incident does not exist."))
    return incident


def _busy_or_asked(session: Any, incident_id: int) -> set[int]:
    asked = session.scalars(select(Offer.user_id).where(Offer.incident_id == incident_id))
    busy = session.scalars(
        select(Offer.user_id)
        .join(Incident)
        .where(Offer.status.in_(ENGAGED), Incident.status == OPEN)
    )
    return set(asked) | set(busy)


def _on_duty_elsewhere(session: Any, incident: Incident) -> set[int]:
    """On-duty people outside the incident's reach (its area and those it was widened to)."""
    return set(
        session.scalars(
            select(User.id)
            .outerjoin(Community, Community.id == User.community_id)
            .where(
                User.on_duty.is_(True),
                Community.police_area_id.not_in(sorted(incident.reach))
                | Community.police_area_id.is_(None),
            )
        )
    )


def nearest_available(
    session: Any,
    presence: PresenceStore,
    incident: Incident,
    *,
    radius_m: float,
    limit: int,
    roles: Collection[str] | None = None,
    seen_after: datetime | None = None,
) -> list[Nearby]:
    """The nearest on-duty people of the incident's police area (and of the areas it was
    widened to), of the wanted roles, who are neither busy nor already asked (people of other
    areas are passed over, not counted)."""
    wanted = _roles(roles) or _roles([r for r in incident.roles.split(",") if r]) or None
    found = presence.nearest(
        incident.lat,
        incident.lon,
        radius_m=radius_m,
        limit=limit,
        roles=wanted,
        exclude=_busy_or_asked(session, incident.id) | _on_duty_elsewhere(session, incident),
        seen_after=seen_after,
    )
    on_duty = set(
        session.scalars(
            select(User.id).where(
                User.id.in_([n.user_id for n in found]),
                User.on_duty.is_(True),
                User.active.is_(True),
            )
        )
    )
    return [n for n in found if n.user_id in on_duty]


def still_out(presence: PresenceStore, incident: Incident, user_ids: list[int]) -> list[Nearby]:
    """The chosen people still on the live map (one read of the store for all), in the order
    chosen, with their distance to the incident; whoever went off duty meanwhile is left out."""
    out = presence.get_many(user_ids)
    return [
        Nearby(s.user_id, s.role, distance_to(incident, s), s.lat, s.lon, s.seen_at)
        for s in (out.get(u) for u in user_ids)
        if s is not None
    ]


def send_offers(
    uow: UnitOfWork,
    incident_id: Any,
    people: list[Nearby],
    *,
    now: datetime,
    next_round: bool = True,
) -> list[Offer]:
    """Ask these people to go; the incident's deadline moves to the end of this round."""
    incident = get_incident(uow, incident_id, lock=True)
    if incident.status != OPEN:
        raise Conflict("incident_closed", _l("This incident is already closed."))
    if not people:
        raise Invalid("nobody_chosen", _l("Choose at least one person to ask."))
    asked = _busy_or_asked(uow.session, incident.id)
    if next_round or incident.round == 0:
        incident.round += 1
    deadline = now + timedelta(seconds=incident.offer_seconds)
    incident.offer_deadline = deadline
    offers = [
        Offer(
            incident_id=incident.id,
            user_id=p.user_id,
            status=OFFERED,
            round=incident.round,
            distance_m=round(p.distance_m, 1),
            offered_at=now,
            expires_at=deadline,
        )
        for p in people
        if p.user_id not in asked
    ]
    if not offers:
        raise Conflict("already_asked", _l("These people were already asked or are busy."))
    uow.session.add_all(offers)
    uow.session.flush()
    uow.after_commit(metrics.offers_sent, len(offers))
    for offer in offers:
        announce_offer(uow, offer, incident)
    announce(uow, incident)
    return offers


def withdraw_open_offers(uow: UnitOfWork, incident: Incident) -> None:
    waiting = uow.session.scalars(
        select(Offer).where(Offer.incident_id == incident.id, Offer.status == OFFERED)
    ).all()
    for other in waiting:
        other.status = WITHDRAWN
        announce_offer(uow, other, incident)
    incident.offer_deadline = None
    uow.session.flush()


def close_incident(uow: UnitOfWork, incident_id: Any, *, now: datetime) -> Incident:
    incident = get_incident(uow, incident_id, lock=True)
    if incident.status == CLOSED:
        return incident
    withdraw_open_offers(uow, incident)
    incident.status, incident.closed_at = CLOSED, now
    uow.session.flush()
    announce(uow, incident)
    return incident


def distance_to(incident: Incident, seen: Any) -> float:
    return geodesic((incident.lat, incident.lon), (seen.lat, seen.lon)).meters
