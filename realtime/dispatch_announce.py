"""What the console and the phones are told about a dispatch. Queued on the unit of work, so
nothing is announced unless the change commits."""

from __future__ import annotations

from typing import Any

from app.uow import UnitOfWork
from realtime import events
from realtime.dispatch_views import incident_json, load_incident, offer_json
from realtime.models import Incident, Offer
from realtime.publish import publish
from realtime.rooms import to_consoles


def announce(uow: UnitOfWork, incident: Incident) -> None:
    """The incident as it stands after the commit, to the consoles of its own area and of those
    it was widened to (once per unit of work)."""
    uow.after_commit_once(("incident", incident.id), _publish_incident, uow.session, incident.id)


def announce_offer(uow: UnitOfWork, offer: Offer, incident: Incident) -> None:
    """The offer, to the phone of the person it was made to."""
    uow.after_commit(
        publish,
        events.OFFER,
        offer_json(offer, incident),
        room=events.user_room(offer.user_id),
        namespace=events.FIELD_NS,
    )


def _publish_incident(session: Any, incident_id: int) -> None:
    incident = load_incident(session, incident_id)
    to_consoles(events.INCIDENT, incident_json(incident), incident.reach)
