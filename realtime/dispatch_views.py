"""How incidents and offers look to the console and the phones, and the queries that load
them (offers and their people in one go, never one query per offer)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from realtime.models import Incident, Offer, WidenedArea
from volunteers.models import PoliceArea, Station

OPEN = "open"
OFFERED = "offered"
ENGAGED = ("accepted", "en_route", "arrived")


def offer_json(offer: Offer, incident: Incident) -> dict[str, Any]:
    return {
        "id": offer.id,
        "status": offer.status,
        "round": offer.round,
        "distance_m": offer.distance_m,
        "expires_at": offer.expires_at.isoformat(),
        "incident": {
            "id": incident.id,
            "kind": incident.kind,
            "priority": incident.priority,
            "description": incident.description,
            "lat": incident.lat,
            "lon": incident.lon,
            "status": incident.status,
        },
    }


def incident_json(incident: Incident) -> dict[str, Any]:
    offers = sorted(incident.offers, key=lambda o: (o.distance_m or 0, o.id))
    return {
        "id": incident.id,
        "kind": incident.kind,
        "priority": incident.priority,
        "description": incident.description,
        "lat": incident.lat,
        "lon": incident.lon,
        "status": incident.status,
        "needed": incident.needed,
        "round": incident.round,
        "exhausted": incident.exhausted,
        "offer_deadline": incident.offer_deadline.isoformat() if incident.offer_deadline else None,
        "created_at": incident.created_at.isoformat(),
        "area": {"id": incident.police_area_id, "name": incident.area.name},
        "widened": [
            {
                "area_id": w.police_area_id,
                "name": w.area.name,
                "by": w.widened_by.name,
                "at": w.widened_at.isoformat(),
            }
            for w in incident.widened
        ],
        "neighbours": [{"id": a.id, "name": a.name} for a in incident.neighbours],
        "offers": [
            {
                "id": o.id,
                "user_id": o.user_id,
                "name": o.person.name,
                "role": o.person.role,
                "status": o.status,
                "round": o.round,
                "distance_m": o.distance_m,
                "offered_at": o.offered_at.isoformat(),
                "answered_at": o.answered_at.isoformat() if o.answered_at else None,
                "arrived_at": o.arrived_at.isoformat() if o.arrived_at else None,
            }
            for o in offers
        ],
    }


def _with_offers() -> Any:
    return selectinload(Incident.offers).selectinload(Offer.person)


def _with_areas() -> list[Any]:
    """Its area, its station's areas (the neighbours) and the widenings with who made them,
    joined into the incidents' own query: a handful of rows each, and no query more."""
    widened = joinedload(Incident.widened)
    return [
        joinedload(Incident.area).joinedload(PoliceArea.station).joinedload(Station.areas),
        widened.joinedload(WidenedArea.area),
        widened.joinedload(WidenedArea.widened_by),
    ]


def load_incident(session: Any, incident_id: int) -> Incident:
    """The committed incident with its offers and their people, its areas and widenings, in
    three queries, not 2 + N."""
    return (
        session.scalars(
            select(Incident)
            .options(_with_offers(), *_with_areas())
            .where(Incident.id == incident_id)
            .execution_options(populate_existing=True)
        )
        .unique()
        .one()
    )


def open_incidents(session: Any) -> list[Incident]:
    return (
        session.scalars(
            select(Incident)
            .options(_with_offers(), *_with_areas())
            .where(Incident.status == OPEN)
            .order_by(Incident.priority, Incident.created_at)
        )
        .unique()
        .all()
    )


def offers_for(session: Any, user_id: int, now: datetime) -> list[Offer]:
    """What a reconnecting phone must see again: waiting requests and jobs in progress."""
    return session.scalars(
        select(Offer)
        .join(Incident)
        .where(
            Offer.user_id == user_id,
            Incident.status == OPEN,
            ((Offer.status == OFFERED) & (Offer.expires_at > now)) | Offer.status.in_(ENGAGED),
        )
        .order_by(Offer.offered_at)
    ).all()
