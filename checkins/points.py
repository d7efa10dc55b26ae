"""Officers manage patrol points: place, move, change, retire, reprint (which voids old posters),
in their own police areas only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.errors import Invalid, NotFound
from app.roles import FIELD_ROLES
from app.types import utcnow
from app.uow import UnitOfWork
from app.validation import number_in_range
from checkins.models import PatrolPoint
from volunteers.areas import Areas, area_of_grid
from volunteers.models import Grid

MIN_RADIUS_M, MAX_RADIUS_M = 10, 500
MAX_POINTS = 100


@dataclass(frozen=True)
class PointFields:
    """What an officer may set on a point; ``None`` leaves a field as it is."""

    name: str | None = None
    lat: Any = None
    lon: Any = None
    radius_m: Any = None
    points: Any = None
    grid_id: Any = None
    hotspot: bool | None = None
    active_from: datetime | None = None
    active_until: datetime | None = None
    allowed_roles: list[str] | None = None


def _apply(uow: UnitOfWork, point: PatrolPoint, fields: PointFields, areas: Areas) -> None:
    if fields.name is not None:
        name = " ".join(fields.name.split())
        if not 1 <= len(name) <= 120:
            raise Invalid(
                "point_name_missing", _l("Please give the point a name (at most 120 characters).")
            )
        point.name = name
    if fields.lat is not None or fields.lon is not None:
        point.lat = number_in_range(
            fields.lat, -90, 90, "position_invalid", _l("That position is not valid.")
        )
        point.lon = number_in_range(
            fields.lon, -180, 180, "position_invalid", _l("That position is not valid.")
        )
    if fields.radius_m is not None:
        point.radius_m = int(
            number_in_range(
                fields.radius_m,
                MIN_RADIUS_M,
                MAX_RADIUS_M,
                "radius_range",
                _l("The radius must be between %(low)d and %(high)d metres."),
            )
        )
    if fields.points is not None:
        point.points = int(
            number_in_range(
                fields.points,
                1,
                MAX_POINTS,
                "points_range",
                _l("A check-in can pay between %(low)d and %(high)d points."),
            )
        )
    if fields.grid_id is not None:
        grid = uow.session.get(Grid, int(fields.grid_id))
        if grid is None or not areas.allows(area_of_grid(uow.session, grid.id)):
            raise NotFound("grid_unknown", _l("That grid does not exist in this community."))
        point.grid_id = int(fields.grid_id)
    if fields.hotspot is not None:
        point.hotspot = fields.hotspot
    if fields.active_from is not None or fields.active_until is not None:
        point.active_from, point.active_until = fields.active_from, fields.active_until
        if point.active_from and point.active_until and point.active_until <= point.active_from:
            raise Invalid("period_invalid", _l("The end of the period must be after its start."))
    if fields.allowed_roles is not None:
        unknown = set(fields.allowed_roles) - {r.value for r in FIELD_ROLES}
        if unknown:
            raise Invalid("role_unknown", _l("Unknown role."))
        point.allowed_roles = ",".join(sorted(set(fields.allowed_roles)))


def create_point(uow: UnitOfWork, fields: PointFields, areas: Areas) -> PatrolPoint:
    if fields.name is None or fields.lat is None or fields.lon is None or fields.grid_id is None:
        raise Invalid(
            "point_fields_missing", _l("A new point needs a name, a grid and a place on the map.")
        )
    point = PatrolPoint(radius_m=50, points=10, hotspot=False, poster_version=1, allowed_roles="")
    _apply(uow, point, fields, areas)
    uow.session.add(point)
    uow.session.flush()
    return point


def get_point(session: Session, point_id: int, areas: Areas) -> PatrolPoint:
    """The point, if it lies in ``areas``; another area's point answers as a missing one."""
    point = session.get(PatrolPoint, point_id)
    if point is None or not areas.allows(area_of_grid(session, point.grid_id)):
        raise NotFound("point_unknown", _l("That patrol point does not exist."))
    return point


def update_point(uow: UnitOfWork, point_id: int, fields: PointFields, areas: Areas) -> PatrolPoint:
    """Change or move a point. Posters stay valid: the token names the point, not the place."""
    point = get_point(uow.session, point_id, areas)
    _apply(uow, point, fields, areas)
    uow.session.flush()
    return point


def retire_point(uow: UnitOfWork, point_id: int, areas: Areas) -> PatrolPoint:
    point = get_point(uow.session, point_id, areas)
    if point.retired_at is None:
        point.retired_at = utcnow()
    uow.session.flush()
    return point


def reprint_point(uow: UnitOfWork, point_id: int, areas: Areas) -> PatrolPoint:
    """New poster version: every poster printed before stops working at once."""
    point = get_point(uow.session, point_id, areas)
    point.poster_version += 1
    uow.session.flush()
    return point
