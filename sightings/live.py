"""Telling the police room and the reporter, after commit, that a sighting changed."""

from __future__ import annotations

from app.extensions import db
from app.uow import UnitOfWork
from realtime import events, rooms
from realtime.publish import publish
from sightings import views
from sightings.models import Sighting

SIGHTING = "sighting"  # both namespaces: the whole sighting, after any change


def changed(uow: UnitOfWork, sighting: Sighting) -> None:
    """Once per unit of work, however many changes: the area's consoles get the police view,
    the reporter's phones their own."""
    uow.after_commit_once((SIGHTING, sighting.id), _announce, sighting.id)


def _announce(sighting_id: int) -> None:
    session = db.session()
    sighting = session.get(Sighting, sighting_id)
    if sighting is None:
        return
    [police] = views.console_list(session, [sighting])
    if not police["muted"]:
        rooms.to_console(SIGHTING, police, sighting.police_area_id)
    [own] = views.reporters_list(session, [sighting])
    publish(SIGHTING, own, room=events.user_room(sighting.reporter_id), namespace=events.FIELD_NS)
