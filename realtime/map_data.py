"""What every map draws: the communities, grids and patrol points of the caller's police areas,
as GeoJSON (WGS-84)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from checkins.models import PatrolPoint
from volunteers.areas import Areas
from volunteers.models import Community, Grid, PoliceArea


def area_map(areas: Areas) -> dict[str, Any]:
    mine = areas.where(Community.police_area_id)
    communities = db.session.scalars(select(Community).where(mine).order_by(Community.id)).all()
    grids = db.session.scalars(
        select(Grid)
        .join(Community, Community.id == Grid.community_id)
        .where(mine)
        .order_by(Grid.code)
    ).all()
    points = db.session.scalars(
        select(PatrolPoint)
        .join(Grid, Grid.id == PatrolPoint.grid_id)
        .join(Community, Community.id == Grid.community_id)
        .where(mine)
        .order_by(PatrolPoint.id)
    ).all()
    features: list[dict[str, Any]] = []
    features += [
        {
            "type": "Feature",
            "geometry": c.boundary,
            "properties": {"kind": "community", "name": c.name},
        }
        for c in communities
        if c.boundary
    ]
    features += [
        {
            "type": "Feature",
            "geometry": g.boundary,
            "properties": {"kind": "grid", "id": g.id, "code": g.code, "name": g.name},
        }
        for g in grids
        if g.boundary
    ]
    features += [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
            "properties": {
                "kind": "point",
                "id": p.id,
                "name": p.name,
                "radius_m": p.radius_m,
                "hotspot": p.hotspot,
            },
        }
        for p in points
    ]
    center = db.session.execute(
        select(PoliceArea.center_lat, PoliceArea.center_lon)
        .where(areas.where(PoliceArea.id))
        .order_by(PoliceArea.id)
        .limit(1)
    ).first()
    # A foreign member GeoJSON allows: where to look when nothing is drawn yet.
    return {
        "type": "FeatureCollection",
        "features": features,
        "center": list(center) if center else None,
    }
