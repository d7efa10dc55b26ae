"""What makes a community's or a grid's boundary acceptable: pure functions on shapely shapes.

A boundary is a GeoJSON Polygon or MultiPolygon in WGS-84 (lon, lat). Each shape on its own must
be valid (no crossing edges: ``explain_validity`` put in plain words) and of a sane size; within
a police area, communities must not overlap, and a community's grids must lie inside it and not
overlap each other, both within ``TOLERANCE_M`` (a hand-drawn shared edge is never exact).

Sizes and distances are measured in metres on a local equirectangular projection around the
shapes' centre, scaled by the WGS-84 ellipsoid's radii of curvature there. Over the few
kilometres a community spans it agrees with geodesic lengths to about 0.01 % (a 3 km square,
tests/volunteers/test_boundary_rules.py), far below the tolerances here, so pyproj and the PROJ
database it ships are not needed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import shapely
from flask_babel import lazy_gettext as _l
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

COMMUNITY = "community"
GRID = "grid"
KINDS = (COMMUNITY, GRID)
MIN_AREA_M2 = 100.0  # smaller is a slip of the mouse, not a place
MAX_AREA_M2 = 50_000_000.0  # 50 km²: larger than any community a police room looks after
TOLERANCE_M = 5.0  # hand-drawn shared edges may overlap or stick out this much
MAX_CORNERS = 20_000  # per shape: more is a survey file, not a boundary
WGS84_A = 6_378_137.0  # the ellipsoid's semi-major axis (m)
WGS84_E2 = 0.00669437999014  # its first eccentricity squared


@dataclass(frozen=True)
class Problem:
    """What is wrong with one boundary, in words an officer can act on."""

    code: str
    message: Any  # lazily translated, with %(name)s placeholders filled from params
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        return str(self.message) % dict(self.params) if self.params else str(self.message)


class BadShape(Exception):
    """A boundary that is not a usable polygon; ``problem`` says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


@dataclass(frozen=True)
class Outline:
    """One boundary of an area as it would be after a change. ``community`` is the community a
    grid lies in (a community's own name for a community); ``new`` marks what is being drawn or
    imported now: problems are reported on those, saved boundaries only give context."""

    kind: str
    name: str
    community: str
    geometry: BaseGeometry
    new: bool
    ref: int = 0  # the caller's reference, e.g. the feature's number in a file


@dataclass(frozen=True)
class Finding:
    outline: Outline
    problem: Problem


def _bad(code: str, message: Any, **params: Any) -> BadShape:
    return BadShape(Problem(code, message, params))


def _ring(value: Any) -> list[tuple[float, float]]:
    if not isinstance(value, list) or len(value) < 3:
        raise _bad("boundary_ring", _l("A ring of the outline needs at least three corners."))
    corners: list[tuple[float, float]] = []
    for corner in value:
        if (
            not isinstance(corner, list)
            or len(corner) < 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in corner[:2])
        ):
            raise _bad("boundary_corner", _l("A corner is not a pair of numbers (lon, lat)."))
        lon, lat = corner[0], corner[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):  # NaN and huge integers fail too
            raise _bad(
                "boundary_corner_range",
                _l("A corner (%(lon)s, %(lat)s) is not a longitude and latitude."),
                lon=lon,
                lat=lat,
            )
        corners.append((float(lon), float(lat)))
    if corners[0] != corners[-1]:  # GeoJSON closes rings; a hand-written file may forget
        corners.append(corners[0])
    if len(set(corners)) < 3:
        raise _bad("boundary_ring", _l("A ring of the outline needs at least three corners."))
    return corners


def _polygon(rings: Any) -> Polygon:
    if not isinstance(rings, list) or not rings:
        raise _bad("boundary_ring", _l("A ring of the outline needs at least three corners."))
    shell, *holes = (_ring(ring) for ring in rings)
    return Polygon(shell, holes)


def geometry_from_geojson(value: Any) -> BaseGeometry:
    """A GeoJSON Polygon or MultiPolygon as a shapely shape, or ``BadShape``. Read by hand
    rather than with ``shapely.geometry.shape`` so any malformed input gets a plain reason."""
    if not isinstance(value, Mapping) or value.get("type") not in ("Polygon", "MultiPolygon"):
        kind = value.get("type") if isinstance(value, Mapping) else None
        raise _bad(
            "boundary_not_polygon",
            _l("The shape is a %(kind)s; a boundary must be a Polygon or MultiPolygon."),
            kind=str(kind)[:40] if kind else "?",
        )
    coordinates = value.get("coordinates")
    if value["type"] == "Polygon":
        geometry: BaseGeometry = _polygon(coordinates)
    else:
        if not isinstance(coordinates, list) or not coordinates:
            raise _bad("boundary_ring", _l("A ring of the outline needs at least three corners."))
        geometry = MultiPolygon([_polygon(part) for part in coordinates])
    if shapely.get_num_coordinates(geometry) > MAX_CORNERS:
        raise _bad(
            "boundary_too_detailed",
            _l("The outline has more than %(n)s corners. Simplify it first."),
            n=MAX_CORNERS,
        )
    return geometry


_VALIDITY = {
    "Self-intersection": _l("its edges cross each other near %(where)s (a bow-tie shape)"),
    "Ring Self-intersection": _l("its edges cross each other near %(where)s (a bow-tie shape)"),
    "Hole lies outside shell": _l("a hole lies outside the outline near %(where)s"),
    "Nested holes": _l("one hole lies inside another near %(where)s"),
    "Nested shells": _l("one part lies inside another part near %(where)s"),
    "Interior is disconnected": _l("holes cut the shape in two near %(where)s"),
    "Duplicate Rings": _l("a ring is given twice near %(where)s"),
    "Too few points in geometry component": _l("a ring has too few corners near %(where)s"),
}
_WHERE = re.compile(r"\[\s*(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)\s*\]")


def validity_problem(geometry: BaseGeometry) -> Problem | None:
    """Why the shape is not a valid polygon, in plain words, or None."""
    if geometry.is_valid:
        return None
    explained = explain_validity(geometry)
    reason = explained.split("[")[0].strip()
    found = _WHERE.search(explained)
    where = f"{float(found.group(2)):.6f}, {float(found.group(1)):.6f}" if found else "?"
    words = _VALIDITY.get(reason, _l("it is not a valid shape (%(reason)s) near %(where)s"))
    return Problem(
        "boundary_invalid",
        _l("The outline is not a proper shape: %(why)s."),
        {"why": str(words) % {"where": where, "reason": reason}},
    )


def to_metres(geometry: BaseGeometry, origin: tuple[float, float]) -> BaseGeometry:
    """The shape in metres east and north of ``origin`` (lon, lat)."""
    lon0, lat0 = origin
    # Metres per degree there, from the WGS-84 ellipsoid's radii of curvature.
    sin2 = math.sin(math.radians(lat0)) ** 2
    north_radius = WGS84_A * (1 - WGS84_E2) / (1 - WGS84_E2 * sin2) ** 1.5
    east_radius = WGS84_A / math.sqrt(1 - WGS84_E2 * sin2)
    scale_x = math.radians(1) * east_radius * math.cos(math.radians(lat0))
    scale_y = math.radians(1) * north_radius

    def project(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(((coords[:, 0] - lon0) * scale_x, (coords[:, 1] - lat0) * scale_y))

    return shapely.transform(geometry, project)


def centre(geometries: Sequence[BaseGeometry]) -> tuple[float, float]:
    west, south, east, north = shapely.total_bounds(list(geometries))
    return (west + east) / 2, (south + north) / 2


def size_problem(metric: BaseGeometry) -> Problem | None:
    """A shape (in metres) smaller than a courtyard or larger than a district."""
    area = metric.area
    if area < MIN_AREA_M2:
        return Problem(
            "boundary_too_small",
            _l("The shape covers only %(m2)s m² (at least %(min)s m²): probably a slip."),
            {"m2": round(area, 1), "min": int(MIN_AREA_M2)},
        )
    if area > MAX_AREA_M2:
        return Problem(
            "boundary_too_large",
            _l("The shape covers %(km2)s km² (at most %(max)s km²): check its corners."),
            {"km2": round(area / 1e6, 1), "max": int(MAX_AREA_M2 / 1e6)},
        )
    return None


def shape_problem(geometry: BaseGeometry) -> Problem | None:
    """Why one shape (WGS-84) cannot be a boundary on its own, or None."""
    return validity_problem(geometry) or size_problem(to_metres(geometry, centre([geometry])))


def _overlap(a: BaseGeometry, b: BaseGeometry) -> float:
    """The overlap of two shapes in metres (m²), ignoring a strip of ``TOLERANCE_M`` along the
    edges: two hand-drawn neighbours share an edge only roughly."""
    inner_a, inner_b = a.buffer(-TOLERANCE_M / 2), b.buffer(-TOLERANCE_M / 2)
    return inner_a.intersection(inner_b).area if inner_a.intersects(inner_b) else 0.0


def _overlap_finding(a: Outline, b: Outline, m2: float) -> Finding:
    # Reported on the new one, naming the other (the later one when both are new).
    target, other = (b, a) if b.new else (a, b)
    return Finding(
        target,
        Problem(
            "boundary_overlap",
            _l("It overlaps %(other)s by about %(m2)s m²."),
            {"other": other.name, "m2": round(m2)},
        ),
    )


def _outside_findings(grid: Outline, community: Outline, metric: Any) -> Iterator[Finding]:
    grid_m, community_m = metric[id(grid)], metric[id(community)]
    if community_m.buffer(TOLERANCE_M).contains(grid_m):
        return
    outside = round(grid_m.difference(community_m).area)
    if grid.new:
        yield Finding(
            grid,
            Problem(
                "boundary_outside_community",
                _l("About %(m2)s m² of it lies outside its community %(community)s."),
                {"m2": outside, "community": community.name},
            ),
        )
    else:
        yield Finding(
            community,
            Problem(
                "boundary_leaves_grid_out",
                _l("About %(m2)s m² of its grid %(grid)s would lie outside it."),
                {"m2": outside, "grid": grid.name},
            ),
        )


def check_outlines(outlines: Sequence[Outline]) -> list[Finding]:
    """The problems between the shapes of one area, each on a new outline: communities that
    overlap, grids outside their community, grids of one community that overlap. Each shape
    must have passed ``shape_problem`` already."""
    if not any(o.new for o in outlines):
        return []
    origin = centre([o.geometry for o in outlines])
    metric = {id(o): to_metres(o.geometry, origin) for o in outlines}
    communities = [o for o in outlines if o.kind == COMMUNITY]
    grids = [o for o in outlines if o.kind == GRID]
    findings: list[Finding] = []
    for a, b in combinations(communities, 2):
        if a.new or b.new:
            m2 = _overlap(metric[id(a)], metric[id(b)])
            if m2 > 0:
                findings.append(_overlap_finding(a, b, m2))
    by_name = {c.name: c for c in communities}
    for grid in grids:
        community = by_name.get(grid.community)
        if community is not None and (grid.new or community.new):
            findings.extend(_outside_findings(grid, community, metric))
    for a, b in combinations(grids, 2):
        if a.community == b.community and (a.new or b.new):
            m2 = _overlap(metric[id(a)], metric[id(b)])
            if m2 > 0:
                findings.append(_overlap_finding(a, b, m2))
    return findings


def as_geojson(geometry: BaseGeometry) -> dict[str, Any]:
    """The shape as the GeoJSON geometry stored in a boundary column (7 decimals: 1 cm)."""
    rounded = shapely.transform(geometry, lambda coords: np.round(coords, 7))
    return _lists(shapely.geometry.mapping(rounded))


def _lists(value: Any) -> Any:
    # shapely's mapping() gives tuples; JSON columns compare and serialise lists.
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value
