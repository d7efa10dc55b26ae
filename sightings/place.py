"""Whether a reported position lies in the reporter's police area: within a slack of its
communities' drawn boundaries, or, before any is drawn, near the area's centre."""

from __future__ import annotations

from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from sightings.rules import metres_between
from volunteers.boundaries import geometry_from_geojson, to_metres
from volunteers.models import Community, PoliceArea

UNDRAWN_RADIUS_M = 5000  # an area without boundaries yet: this far from its centre


def within_area(session: Session, area_id: int, lat: float, lon: float, *, slack_m: float) -> bool:
    boundaries = [
        b
        for b in session.scalars(
            select(Community.boundary).where(Community.police_area_id == area_id)
        )
        if b
    ]
    if not boundaries:
        area = session.get(PoliceArea, area_id)
        if area is None:
            return False
        return metres_between((lat, lon), (area.center_lat, area.center_lon)) <= (
            UNDRAWN_RADIUS_M + slack_m
        )
    origin = (lon, lat)
    here = Point(0, 0)
    return any(
        to_metres(geometry_from_geojson(b), origin).distance(here) <= slack_m for b in boundaries
    )
