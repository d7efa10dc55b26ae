"""Which police area a police-room page works on: one of the caller's own, the first unless
the page asks for another of them (an area outside them is a 404, as if it did not exist)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFound
from realtime import rooms
from volunteers.areas import NOT_HERE, areas_of
from volunteers.models import PoliceArea
from volunteers.person import Person


def own_areas(session: Session, person: Person) -> list[PoliceArea]:
    ids = rooms.area_ids(session, areas_of(session, person))
    query = select(PoliceArea).where(PoliceArea.id.in_(ids)).order_by(PoliceArea.id)
    return list(session.scalars(query))


def chosen(session: Session, person: Person, requested: int | None) -> PoliceArea | None:
    """The area asked for among the caller's own, else their first; None when they have none."""
    areas = own_areas(session, person)
    if requested is None:
        return areas[0] if areas else None
    for area in areas:
        if area.id == requested:
            return area
    raise NotFound("not_found", NOT_HERE)
