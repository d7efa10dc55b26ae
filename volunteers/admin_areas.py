"""Use cases of the admin's areas page: police areas of a station, their communities, and the
officers and dispatchers who work in one area or in the whole station.

Services take the unit of work and the acting ``Person``, flush, and leave the commit to the
caller. They refuse anyone but an admin themselves, so a route that forgot its permission still
changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

import volunteers.permissions  # noqa: F401 - registers the permission checked here
from app.errors import Conflict, Invalid, NotFound
from app.permissions import check
from app.roles import Role
from app.uow import UnitOfWork
from volunteers import admin_rules, services
from volunteers.admin_schemas import AREA_LABELS
from volunteers.area_slugs import slug_for
from volunteers.models import Community, PoliceArea, Station, User
from volunteers.person import Person

MANAGE = "volunteers.areas.manage"
# Where an area's map opens before any boundary is drawn: the forms ask for no position, so a
# new area starts at the geographic centre of China until its communities are drawn.
CENTER_NOT_KNOWN_YET = (35.84, 104.20)
POLICE_ACCOUNT_ROLES = (Role.OFFICER, Role.DISPATCHER)


@dataclass(frozen=True)
class AreaDetails:
    """What a person types about a police area."""

    name: str
    police_room: str
    phone: str
    timezone: str


def checked_area(details: AreaDetails) -> AreaDetails:
    """``details`` tidied, or ``Invalid`` naming the field that is wrong."""
    return AreaDetails(
        name=admin_rules.check_org_name(details.name, "name", AREA_LABELS["name"]),
        police_room=admin_rules.check_address(
            details.police_room, "police_room", AREA_LABELS["police_room"]
        ),
        phone=admin_rules.check_duty_number(details.phone, "phone", AREA_LABELS["phone"]),
        timezone=admin_rules.check_timezone(details.timezone, "timezone", AREA_LABELS["timezone"]),
    )


def new_area(session: Session, station: Station, details: AreaDetails) -> PoliceArea:
    """A new area, its public page's address the pinyin of its name, unique on the server."""
    lat, lon = CENTER_NOT_KNOWN_YET
    taken = {slug for slug in session.scalars(select(PoliceArea.slug)) if slug}
    return PoliceArea(
        station=station,
        name=details.name,
        slug=slug_for(details.name, taken),
        police_room=details.police_room,
        phone=details.phone,
        timezone=details.timezone,
        center_lat=lat,
        center_lon=lon,
    )


def stations(session: Session) -> Sequence[Station]:
    """Every station with its areas and their communities, for the admin page (three queries)."""
    return session.scalars(
        select(Station)
        .options(selectinload(Station.areas).selectinload(PoliceArea.communities))
        .order_by(Station.id)
    ).all()


def police_accounts(session: Session) -> Sequence[User]:
    """Every officer and dispatcher, for the admin page to list under their area or station."""
    return session.scalars(
        select(User)
        .where(User.role.in_([role.value for role in POLICE_ACCOUNT_ROLES]))
        .order_by(User.name, User.id)
    ).all()


def _station(session: Session, station_id: int) -> Station:
    station = session.get(Station, station_id)
    if station is None:
        raise NotFound("station_unknown", _l("That police station does not exist."))
    return station


def _area(session: Session, area_id: int) -> PoliceArea:
    area = session.get(PoliceArea, area_id)
    if area is None:
        raise NotFound("area_unknown", _l("That police area does not exist."))
    return area


def _refuse_taken_area_name(
    session: Session, station_id: int, name: str, other_than: int | None = None
) -> None:
    query = select(PoliceArea.id).where(
        PoliceArea.station_id == station_id, PoliceArea.name == name
    )
    if other_than is not None:
        query = query.where(PoliceArea.id != other_than)
    if session.scalar(query.limit(1)) is not None:
        raise Conflict(
            "area_name_taken",
            _l("%(label)s: this station already has an area of that name.", label=_l("Name")),
            field="name",
        )


def add_area(uow: UnitOfWork, actor: Person, station_id: int, details: AreaDetails) -> PoliceArea:
    """A new police area of a station."""
    check(actor, MANAGE)
    station = _station(uow.session, station_id)
    details = checked_area(details)
    _refuse_taken_area_name(uow.session, station.id, details.name)
    area = new_area(uow.session, station, details)
    uow.session.add(area)
    uow.session.flush()
    return area


def edit_area(uow: UnitOfWork, actor: Person, area_id: int, details: AreaDetails) -> PoliceArea:
    """Change an area's name, police room, duty number or time zone."""
    check(actor, MANAGE)
    area = _area(uow.session, area_id)
    details = checked_area(details)
    _refuse_taken_area_name(uow.session, area.station_id, details.name, other_than=area.id)
    area.name, area.police_room = details.name, details.police_room
    area.phone, area.timezone = details.phone, details.timezone
    uow.session.flush()
    return area


def add_community(uow: UnitOfWork, actor: Person, area_id: int, name: str) -> Community:
    """A community in a police area, without a boundary yet (officers draw or import it)."""
    check(actor, MANAGE)
    area = _area(uow.session, area_id)
    name = admin_rules.check_org_name(name, "name", _l("Community name"))
    taken = uow.session.scalar(
        select(Community.id).where(Community.police_area_id == area.id, Community.name == name)
    )
    if taken is not None:
        raise Conflict(
            "community_name_taken",
            _l("%(label)s: this area already has a community of that name.", label=_l("Name")),
            field="name",
        )
    community = Community(police_area=area, name=name)
    uow.session.add(community)
    uow.session.flush()
    return community


def create_police_account(
    uow: UnitOfWork,
    actor: Person,
    *,
    name: str,
    phone: str,
    password: str,
    role: str,
    station_id: int,
    area_id: int | None,
    hash_method: str | None = None,
) -> User:
    """An officer or dispatcher who works in one police area, or (no ``area_id``) in every
    area of the station. Police passwords follow volunteers/rules.py (10+, not a common one)."""
    check(actor, MANAGE)
    if role not in POLICE_ACCOUNT_ROLES:
        raise Invalid(
            "role_not_creatable",
            _l("%(label)s: choose police officer or dispatcher.", label=_l("Role")),
            field="role",
        )
    station = _station(uow.session, station_id)
    if area_id is not None and _area(uow.session, area_id).station_id != station.id:
        raise NotFound("area_unknown", _l("That police area does not exist."))
    user = services.create_user(
        uow, name=name, phone=phone, password=password, role=role, hash_method=hash_method
    )
    # Placed in one area, or at the station: volunteers/areas.py reads one or the other.
    user.police_area_id = area_id
    user.station_id = None if area_id is not None else station.id
    uow.session.flush()
    return user
