"""What the boundaries page shows of one police area: its communities and grids (with or
without a boundary) and the saved boundaries as GeoJSON for the map. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.errors import NotFound
from volunteers.areas import NOT_HERE, Areas
from volunteers.boundaries import COMMUNITY, GRID
from volunteers.models import Community, PoliceArea


@dataclass(frozen=True)
class AreaChoice:
    id: int
    name: str


def areas_to_choose(session: Session, areas: Areas) -> list[AreaChoice]:
    rows = session.execute(
        select(PoliceArea.id, PoliceArea.name)
        .where(areas.where(PoliceArea.id))
        .order_by(PoliceArea.id)
    )
    return [AreaChoice(id, name) for id, name in rows]


def chosen_area(session: Session, areas: Areas, area_id: int | None) -> PoliceArea:
    """The area asked for, else the first of the caller's; 404 outside them or with none."""
    if area_id is None:
        choices = areas_to_choose(session, areas)
        if not choices:
            raise NotFound("not_found", NOT_HERE)
        area_id = choices[0].id
    areas.check(area_id)
    area = session.get(PoliceArea, area_id)
    if area is None:
        raise NotFound("not_found", NOT_HERE)
    return area


def area_communities(session: Session, area_id: int) -> list[Community]:
    return list(
        session.scalars(
            select(Community)
            .where(Community.police_area_id == area_id)
            .options(selectinload(Community.grids))
            .order_by(Community.id)
        )
    )


def map_features(area: PoliceArea, communities: list[Community]) -> dict[str, Any]:
    """The saved boundaries as a FeatureCollection (names go to the map as text), with the
    area's centre for a map that has nothing drawn yet."""
    features: list[dict[str, Any]] = []
    for c in communities:
        if c.boundary:
            features.append(_feature(c.boundary, COMMUNITY, c.id, c.name, ""))
        features += [
            _feature(g.boundary, GRID, g.id, g.name, g.code) for g in c.grids if g.boundary
        ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "center": [area.center_lat, area.center_lon],
    }


def _feature(geometry: Any, kind: str, id: int, name: str, code: str) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"kind": kind, "id": id, "name": name, "code": code},
    }
