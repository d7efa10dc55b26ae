"""Composition: the patrol points of a police area, handed to the boundary import.

``volunteers`` sits below ``checkins`` and cannot read patrol points itself; create_app gives
it this function (volunteers.boundary_routes.use_patrol_points) for the warning that a file's
datum looks wrong (its boundaries land a few hundred metres off the area's points).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from checkins.models import PatrolPoint
from volunteers.models import Community, Grid


def patrol_points_of_area(session: Session, area_id: int) -> list[tuple[float, float]]:
    """The area's patrol points in use (lat, lon, WGS-84)."""
    rows = session.execute(
        select(PatrolPoint.lat, PatrolPoint.lon)
        .join(Grid, Grid.id == PatrolPoint.grid_id)
        .join(Community, Community.id == Grid.community_id)
        .where(Community.police_area_id == area_id, PatrolPoint.retired_at.is_(None))
    )
    return [(lat, lon) for lat, lon in rows]
