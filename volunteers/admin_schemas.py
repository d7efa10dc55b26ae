"""What the set-up page and the admin's areas page accept (app/edge.py): types and lengths at
the edge; volunteers/admin_rules.py and volunteers/rules.py check the values with their own
messages."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from flask_babel import lazy_gettext as _l
from pydantic import Field

from app.edge import Id, Input, OptionalId, text
from volunteers.admin_rules import DEFAULT_TIMEZONE

MAX_AREAS_AT_SET_UP = 50

LABELS: dict[str, Any] = {
    "name": _l("Name"),
    "phone": _l("Mobile number"),
    "password": _l("Password"),
    "role": _l("Role"),
    "station_id": _l("Police station"),
    "area_id": _l("Police area"),
    "station_name": _l("Police station name"),
    "station_phone": _l("Station's 24-hour duty number"),
    "areas": _l("Police areas"),
}
AREA_LABELS: dict[str, Any] = {
    "name": _l("Police area name"),
    "police_room": _l("Police room address"),
    "phone": _l("24-hour duty number"),
    "timezone": _l("Time zone"),
}


class AreaBody(Input):
    """One police area: its name, police room, duty number and time zone."""

    labels: ClassVar[dict[str, Any]] = AREA_LABELS
    name: Annotated[str, text(120)]
    police_room: Annotated[str, text(200)] = ""
    phone: Annotated[str, text(40)]
    timezone: Annotated[str, text(40)] = DEFAULT_TIMEZONE


class NewAreaBody(AreaBody):
    labels: ClassVar[dict[str, Any]] = AREA_LABELS | {"station_id": LABELS["station_id"]}
    station_id: Id


class SetUpBody(Input):
    """The first admin, the station and its police areas (each row checked as an ``AreaBody``)."""

    labels: ClassVar[dict[str, Any]] = LABELS
    name: Annotated[str, text(60)]
    phone: Annotated[str, text(40)]
    password: Annotated[str, text(200)]
    station_name: Annotated[str, text(120)]
    station_phone: Annotated[str, text(40)]
    areas: Annotated[list[Any], Field(max_length=MAX_AREAS_AT_SET_UP)] = []


class PoliceAccountBody(Input):
    """An officer or dispatcher of one area (``area_id``), or of the whole station (none)."""

    labels: ClassVar[dict[str, Any]] = LABELS
    name: Annotated[str, text(60)]
    phone: Annotated[str, text(40)]
    password: Annotated[str, text(200)]
    role: Annotated[str, text(20)]
    station_id: Id
    area_id: OptionalId = None


class CommunityBody(Input):
    labels: ClassVar[dict[str, Any]] = {"name": _l("Community name"), "area_id": _l("Police area")}
    name: Annotated[str, text(120)]
    area_id: Id
