"""The walls between police areas: which areas a caller's work is limited to.

Officers and dispatchers work in their own area, or in every area of their station; field
people in the area of their community; admins manage the whole server. Someone placed nowhere
gets nothing, never "the first community". Queries filter with ``Areas.where`` and services
refuse what lies outside with ``Areas.check`` (a 404, so nothing tells another area's ids apart
from ids that do not exist).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.extensions import db
from app.roles import Role
from volunteers.models import Community, Grid, PoliceArea
from volunteers.person import Person

NOT_HERE = _l("This page or item does not exist.")


@dataclass(frozen=True)
class Areas:
    """The police areas someone may see and change; ``everywhere`` for admins."""

    ids: frozenset[int]
    everywhere: bool = False

    def allows(self, area_id: int | None) -> bool:
        return self.everywhere or (area_id is not None and area_id in self.ids)

    def check(self, area_id: int | None, code: str = "not_found") -> None:
        """Refuse, as if it did not exist, what lies outside these areas."""
        if not self.allows(area_id):
            raise NotFound(code, NOT_HERE)

    def where(self, area_column: Any) -> ColumnElement[bool]:
        """A filter for queries: ``area_column`` within these areas."""
        if self.everywhere:
            return true()
        return area_column.in_(sorted(self.ids)) if self.ids else false()


EVERYWHERE = Areas(frozenset(), everywhere=True)


def callers_areas() -> Areas:
    """The areas of whoever is logged in to this request or socket event."""
    return areas_of(db.session(), current_user._get_current_object())


def areas_of(session: Session, person: Person) -> Areas:
    if Role(person.role) == Role.ADMIN:
        return EVERYWHERE
    if person.police_area_id is not None:
        return Areas(frozenset({person.police_area_id}))
    if person.station_id is not None:
        ids = session.scalars(
            select(PoliceArea.id).where(PoliceArea.station_id == person.station_id)
        )
        return Areas(frozenset(ids))
    if person.community_id is not None and Role(person.role) not in STAFF:
        area = session.scalar(
            select(Community.police_area_id).where(Community.id == person.community_id)
        )
        return Areas(frozenset({area}) if area is not None else frozenset())
    return Areas(frozenset())


STAFF = frozenset({Role.OFFICER, Role.DISPATCHER})


def area_of_community(session: Session, community_id: int | None) -> int | None:
    """The police area a community lies in (None for no community)."""
    if community_id is None:
        return None
    return session.scalar(select(Community.police_area_id).where(Community.id == community_id))


def area_of_grid(session: Session, grid_id: int | None) -> int | None:
    """The police area a grid lies in (None for no grid)."""
    if grid_id is None:
        return None
    return session.scalar(select(Community.police_area_id).join(Grid).where(Grid.id == grid_id))
