"""Reading a GeoJSON file of boundaries: its features, in WGS-84, each with its own problems.

No database here: bytes and the datum the officer declared in, ``FileFeature``s out, or
``Invalid`` for a file that is not a GeoJSON FeatureCollection at all. Each feature says what it
is in its properties: ``kind`` (community or grid), ``name``, and for a grid its ``code`` and
the ``community`` it lies in. A file in GCJ-02 (what AMap and Tencent maps export) is converted
to WGS-84 here, corner by corner; ``datum_warning`` spots a GCJ-02 file declared as WGS-84 by
the few hundred metres it lands off the area's patrol points.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from flask_babel import lazy_gettext as _l
from shapely.geometry.base import BaseGeometry

from app.errors import Invalid
from app.geodatum import gcj02_to_wgs84, wgs84_to_gcj02
from volunteers.boundaries import GRID, KINDS, BadShape, Problem, geometry_from_geojson

MAX_BYTES = 5 * 1024 * 1024
MAX_FEATURES = 500
WGS84 = "wgs84"
GCJ02 = "gcj02"
NAME_LENGTH = 120  # the name columns'
CODE_LENGTH = 20  # Grid.code's
NEARBY_M = 2000.0  # patrol points farther than this from every shape say nothing of its datum
_M_PER_DEGREE = 111_195.0


@dataclass(frozen=True)
class FileFeature:
    """One feature of the file: ``index`` counts from 1 as an officer would; ``geometry`` is
    WGS-84 (None when the feature has a ``problem``)."""

    index: int
    kind: str
    name: str
    code: str
    community: str
    geometry: BaseGeometry | None
    problem: Problem | None = None


def too_large() -> Invalid:
    return Invalid(
        "boundary_file_too_large",
        _l("The file is larger than %(mb)s MB. Split it into smaller files."),
        mb=MAX_BYTES // (1024 * 1024),
    )


def _not_geojson() -> Invalid:
    return Invalid(
        "boundary_file_unreadable",
        _l("This file is not GeoJSON. Please upload a .geojson or .json file."),
    )


def read_features(data: bytes, datum: str) -> list[FileFeature]:
    """The file's features in WGS-84, or ``Invalid`` saying what is wrong with the whole file."""
    if len(data) > MAX_BYTES:
        raise too_large()
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _not_geojson() from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise Invalid(
            "boundary_not_collection",
            _l('The file must be a GeoJSON FeatureCollection (its "type" says otherwise).'),
        )
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise Invalid("boundary_file_empty", _l("The file holds no features."))
    if len(features) > MAX_FEATURES:
        raise Invalid(
            "boundary_file_too_many",
            _l("The file holds more than %(n)s features. Split it into smaller files."),
            n=MAX_FEATURES,
        )
    return [_feature(index, raw, datum) for index, raw in enumerate(features, start=1)]


def _text(properties: dict[str, Any], key: str) -> str:
    value = properties.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value).strip()


def _feature(index: int, raw: Any, datum: str) -> FileFeature:
    properties = raw.get("properties") if isinstance(raw, dict) else None
    properties = properties if isinstance(properties, dict) else {}
    kind = _text(properties, "kind").lower()
    name, code = _text(properties, "name"), _text(properties, "code")
    community = _text(properties, "community")
    if kind not in KINDS:
        return FileFeature(index, kind, name, code, community, None, _problem_kind())
    problem = _properties_problem(kind, name, code, community)
    if problem is not None:
        return FileFeature(index, kind, name, code, community, None, problem)
    if not isinstance(raw, dict) or raw.get("type") != "Feature":
        problem = Problem("boundary_not_feature", _l("It is not a GeoJSON Feature."))
        return FileFeature(index, kind, name, code, community, None, problem)
    try:
        geometry = in_wgs84(geometry_from_geojson(raw.get("geometry")), datum)
    except BadShape as bad:
        return FileFeature(index, kind, name, code, community, None, bad.problem)
    return FileFeature(index, kind, name, code, community if kind == GRID else name, geometry)


def _problem_kind() -> Problem:
    return Problem(
        "boundary_kind",
        _l('Its "kind" must be "community" or "grid".'),
    )


def _properties_problem(kind: str, name: str, code: str, community: str) -> Problem | None:
    if not name or len(name) > NAME_LENGTH:
        return Problem(
            "boundary_name",
            _l('Its "name" is missing or longer than %(n)s characters.'),
            {"n": NAME_LENGTH},
        )
    if kind == GRID and (not code or len(code) > CODE_LENGTH):
        return Problem(
            "boundary_code",
            _l('A grid needs its "code" (at most %(n)s characters).'),
            {"n": CODE_LENGTH},
        )
    if kind == GRID and not community:
        return Problem(
            "boundary_community_missing",
            _l('A grid needs the name of its "community".'),
        )
    return None


def _convert(geometry: BaseGeometry, step: Any) -> BaseGeometry:
    def shift(coords: np.ndarray) -> np.ndarray:
        moved = [step(lat, lon) for lon, lat in coords]
        return np.array([(lon, lat) for lat, lon in moved], dtype=float).reshape(-1, 2)

    return shapely.transform(geometry, shift)


def in_wgs84(geometry: BaseGeometry, datum: str) -> BaseGeometry:
    """A shape drawn in ``datum`` as WGS-84."""
    return _convert(geometry, gcj02_to_wgs84) if datum == GCJ02 else geometry


def other_datum(geometry: BaseGeometry, declared: str) -> BaseGeometry:
    """Where a shape read as ``declared`` would lie had the file been in the other datum."""
    if declared == WGS84:  # read as WGS-84, but the numbers were GCJ-02
        return _convert(geometry, gcj02_to_wgs84)
    return _convert(geometry, wgs84_to_gcj02)  # converted from GCJ-02, but they were WGS-84


def datum_warning(
    geometries: Sequence[BaseGeometry], declared: str, points: Sequence[tuple[float, float]]
) -> Problem | None:
    """A warning when most of the area's patrol points near the shapes (``points`` as lat, lon)
    fall outside every shape as read, but inside had the file been in the other datum: the
    sign of a datum declared wrongly (the two differ by a few hundred metres in China)."""
    if not geometries or not points:
        return None
    as_read = shapely.union_all(list(geometries))
    other = shapely.union_all([other_datum(g, declared) for g in geometries])
    near = NEARBY_M / _M_PER_DEGREE
    spots = [
        shapely.Point(lon, lat)
        for lat, lon in points
        if as_read.distance(shapely.Point(lon, lat)) < near
    ]
    if not spots:
        return None
    inside = sum(as_read.covers(spot) for spot in spots)
    inside_other = sum(other.covers(spot) for spot in spots)
    if inside * 2 >= len(spots) or inside_other * 2 < len(spots):
        return None
    return Problem(
        "boundary_datum_suspect",
        _l(
            "%(outside)s of the area's %(n)s patrol points nearby fall outside every boundary "
            "in this file, but %(inside)s would fall inside if the file were in %(other)s. "
            "Check the coordinate system you chose."
        ),
        {
            "outside": len(spots) - inside,
            "n": len(spots),
            "inside": inside_other,
            "other": "GCJ-02" if declared == WGS84 else "WGS-84",
        },
    )
