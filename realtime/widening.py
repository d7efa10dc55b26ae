"""Widening an incident to a neighbouring police area: only by the dispatcher's explicit choice
on the console. The incident stays its own area's (only that area's consoles act on it); the
neighbour's console sees it, and offers may go to the neighbour's people. Never another
station's areas."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.errors import Conflict, NotFound
from app.uow import UnitOfWork
from realtime.dispatch import get_incident
from realtime.dispatch_announce import announce
from realtime.dispatch_states import OPEN
from realtime.models import Incident, WidenedArea
from volunteers.areas import Areas
from volunteers.person import Person


def widen(
    uow: UnitOfWork,
    dispatcher: Person,
    incident_id: int,
    police_area_id: int,
    *,
    areas: Areas,
    now: datetime,
) -> Incident:
    """Let the people of ``police_area_id``, an area of the same station, be asked for this
    incident of one of the dispatcher's areas; recorded with who and when, and announced to
    both areas' consoles. Widening again to the same area changes nothing."""
    incident = get_incident(uow, incident_id, lock=True, areas=areas)
    if incident.status != OPEN:
        raise Conflict("incident_closed", _l("This incident is already closed."))
    if police_area_id in incident.reach:
        return incident
    if police_area_id not in {a.id for a in incident.neighbours}:
        raise NotFound("area_unknown", _l("There is no such police area at this station."))
    uow.session.add(
        WidenedArea(
            incident_id=incident.id,
            police_area_id=police_area_id,
            widened_by_id=dispatcher.id,
            widened_at=now,
        )
    )
    uow.session.flush()
    uow.session.refresh(incident, ["widened"])
    announce(uow, incident)
    return incident
