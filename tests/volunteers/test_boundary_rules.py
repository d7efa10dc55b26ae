"""Boundary rules without a database: reading a GeoJSON file (datum included) and the checks on
shapes (validity in plain words, size, grids inside their community, no overlaps)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from geopy.distance import geodesic
from shapely.geometry import shape

from app.errors import Invalid
from app.geodatum import wgs84_to_gcj02
from volunteers.boundaries import (
    COMMUNITY,
    GRID,
    BadShape,
    Outline,
    centre,
    check_outlines,
    geometry_from_geojson,
    shape_problem,
    to_metres,
)
from volunteers.boundary_import import GCJ02, MAX_BYTES, WGS84, datum_warning, read_features

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "boundaries_example.geojson"
LAT, LON = 33.380, 120.170
M_PER_DEG_LAT = 110_900.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT))


def rectangle(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    """A GeoJSON Polygon x0..x1 metres east and y0..y1 metres north of (LAT, LON)."""
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    return {
        "type": "Polygon",
        "coordinates": [[[LON + x / M_PER_DEG_LON, LAT + y / M_PER_DEG_LAT] for x, y in corners]],
    }


def collection(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def feature(geometry: Any, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def outline(kind: str, name: str, geometry: dict[str, Any], community: str = "东湖社区", new=True):
    return Outline(kind, name, community, geometry_from_geojson(geometry), new=new)


def test_the_example_file_reads_as_one_community_and_two_grids():
    features = read_features(EXAMPLE.read_bytes(), WGS84)
    assert [(f.kind, f.name, f.code, f.community) for f in features] == [
        ("community", "东湖社区", "", "东湖社区"),
        ("grid", "东湖第1网格", "D01", "东湖社区"),
        ("grid", "东湖第2网格", "D02", "东湖社区"),
    ]
    assert all(f.problem is None and shape_problem(f.geometry) is None for f in features)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"{not json", "boundary_file_unreadable"),
        (b"\xff\xfe\x00garbage", "boundary_file_unreadable"),
        (b"[1, 2, 3]", "boundary_not_collection"),
        (json.dumps({"type": "Feature", "geometry": None}).encode(), "boundary_not_collection"),
        (json.dumps({"type": "FeatureCollection", "features": []}).encode(), "boundary_file_empty"),
        (b"[" * 100_000 + b"]" * 100_000, "boundary_file_unreadable"),
    ],
)
def test_a_file_that_is_no_feature_collection_is_refused_whole(data, code):
    with pytest.raises(Invalid) as refused:
        read_features(data, WGS84)
    assert refused.value.code == code


def test_a_file_over_the_size_limit_is_refused_before_parsing():
    with pytest.raises(Invalid) as refused:
        read_features(b" " * (MAX_BYTES + 1), WGS84)
    assert refused.value.code == "boundary_file_too_large"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (
            feature(
                {"type": "Point", "coordinates": [LON, LAT]},
                kind="grid",
                name="点",
                code="X1",
                community="东湖社区",
            ),
            "boundary_not_polygon",
        ),
        (feature(rectangle(0, 0, 100, 100), name="无类型"), "boundary_kind"),
        (
            feature(rectangle(0, 0, 100, 100), kind="grid", name="无编号", community="东湖社区"),
            "boundary_code",
        ),
        (
            feature(rectangle(0, 0, 100, 100), kind="grid", name="无社区", code="G9"),
            "boundary_community_missing",
        ),
        (feature(rectangle(0, 0, 100, 100), kind="community", name=""), "boundary_name"),
        (
            feature(
                {"type": "Polygon", "coordinates": [[["a", 1], [2, 3], [4, 5]]]},
                kind="community",
                name="坏点",
            ),
            "boundary_corner",
        ),
        (
            feature(
                {"type": "Polygon", "coordinates": [[[500, 1], [2, 3], [4, 5]]]},
                kind="community",
                name="越界",
            ),
            "boundary_corner_range",
        ),
        (
            feature(
                {"type": "Polygon", "coordinates": [[[1, 1], [2, 2], [1, 1]]]},
                kind="community",
                name="两点",
            ),
            "boundary_ring",
        ),
        (
            {"type": "Nope", "properties": {"kind": "community", "name": "非要素"}},
            "boundary_not_feature",
        ),
    ],
)
def test_each_bad_feature_gets_its_own_reason(raw, code):
    good = feature(rectangle(0, 0, 300, 300), kind="community", name="东湖社区")
    features = read_features(collection(good, raw), WGS84)
    assert features[0].problem is None
    assert features[1].index == 2 and features[1].problem.code == code


def test_a_bow_tie_is_explained_in_plain_words():
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[LON, LAT], [LON + 0.01, LAT + 0.01], [LON + 0.01, LAT], [LON, LAT + 0.01], [LON, LAT]]
        ],
    }
    problem = shape_problem(geometry_from_geojson(bow_tie))
    assert problem.code == "boundary_invalid"
    assert "edges cross each other near 33.385000, 120.175000" in problem.text()


@pytest.mark.parametrize(
    ("geometry", "code"),
    [
        (rectangle(0, 0, 9, 9), "boundary_too_small"),
        (rectangle(0, 0, 8000, 7000), "boundary_too_large"),
    ],
)
def test_a_tiny_or_huge_shape_is_refused_with_its_size(geometry, code):
    problem = shape_problem(geometry_from_geojson(geometry))
    assert problem.code == code


@pytest.mark.parametrize("size_m", [300, 3000])
def test_the_size_is_measured_in_square_metres(size_m):
    """The local projection's area agrees with geodesic side lengths to 0.01 %."""
    geometry = geometry_from_geojson(rectangle(0, 0, size_m, size_m))
    (west, south), _, (east, north), *_ = geometry.exterior.coords
    # A trapezoid: an east-west edge is shorter farther north.
    south_edge = geodesic((south, west), (south, east)).m
    width = (south_edge + geodesic((north, west), (north, east)).m) / 2
    height = geodesic((south, west), (north, west)).m
    assert to_metres(geometry, centre([geometry])).area == pytest.approx(width * height, rel=1e-4)


def test_too_many_corners_are_refused():
    ring = [
        [LON + 0.01 * math.cos(a / 3000 * math.tau), LAT + 0.01 * math.sin(a / 3000 * math.tau)]
        for a in range(25_000)
    ]
    with pytest.raises(BadShape) as refused:
        geometry_from_geojson({"type": "Polygon", "coordinates": [ring + ring[:1]]})
    assert refused.value.problem.code == "boundary_too_detailed"


def test_a_grid_outside_its_community_is_named_with_how_much_sticks_out():
    community = outline(COMMUNITY, "东湖社区", rectangle(0, 0, 500, 500))
    grid = outline(GRID, "东湖第1网格", rectangle(400, 0, 600, 200))
    [finding] = check_outlines([community, grid])
    assert finding.outline is grid
    assert finding.problem.code == "boundary_outside_community"
    assert finding.problem.params["m2"] == pytest.approx(20_000, rel=0.01)


def test_a_grid_a_few_metres_over_its_communitys_edge_is_accepted():
    community = outline(COMMUNITY, "东湖社区", rectangle(0, 0, 500, 500))
    grid = outline(GRID, "东湖第1网格", rectangle(-3, -3, 250, 250))
    assert check_outlines([community, grid]) == []


def test_overlapping_grids_are_refused_but_a_rough_shared_edge_is_not():
    community = outline(COMMUNITY, "东湖社区", rectangle(0, 0, 500, 500))
    west = outline(GRID, "西", rectangle(0, 0, 250, 500))
    rough = outline(GRID, "东", rectangle(247, 0, 500, 500))  # 3 m over the shared edge
    assert check_outlines([community, west, rough]) == []
    over = outline(GRID, "中", rectangle(200, 0, 500, 500))
    [finding] = check_outlines([community, west, over])
    assert finding.outline is over and finding.problem.code == "boundary_overlap"
    assert finding.problem.params["other"] == "西"


def test_grids_of_different_communities_may_not_overlap_their_communities():
    east = outline(COMMUNITY, "东湖社区", rectangle(0, 0, 500, 500))
    west = outline(COMMUNITY, "西湖社区", rectangle(400, 0, 900, 500), community="西湖社区")
    [finding] = check_outlines([east, west])
    assert finding.problem.code == "boundary_overlap"


def test_a_saved_grid_left_outside_a_redrawn_community_is_named():
    saved_grid = outline(GRID, "东湖第1网格", rectangle(0, 0, 200, 200), new=False)
    smaller = outline(COMMUNITY, "东湖社区", rectangle(100, 0, 500, 500))
    [finding] = check_outlines([saved_grid, smaller])
    assert finding.outline is smaller and finding.problem.code == "boundary_leaves_grid_out"


def test_only_new_outlines_are_blamed():
    a = outline(COMMUNITY, "甲", rectangle(0, 0, 500, 500), community="甲", new=False)
    b = outline(COMMUNITY, "乙", rectangle(100, 0, 500, 500), community="乙", new=False)
    assert check_outlines([a, b]) == []


def _gcj02(geometry: dict[str, Any]) -> dict[str, Any]:
    ring = geometry["coordinates"][0]
    moved = [list(reversed(wgs84_to_gcj02(lat, lon))) for lon, lat in ring]
    return {"type": "Polygon", "coordinates": [moved]}


def test_a_gcj02_file_imported_as_gcj02_lands_within_centimetres_of_the_truth():
    truth = rectangle(0, 0, 500, 400)
    data = collection(feature(_gcj02(truth), kind="community", name="东湖社区"))
    [read] = read_features(data, GCJ02)
    expected = shape(truth)
    assert read.geometry.hausdorff_distance(expected) * M_PER_DEG_LAT < 0.01
    # The same numbers read as WGS-84 would be hundreds of metres off.
    [as_wgs] = read_features(data, WGS84)
    assert as_wgs.geometry.hausdorff_distance(expected) * M_PER_DEG_LAT > 200


def test_a_gcj02_file_declared_wgs84_gives_the_datum_warning():
    truth = rectangle(0, 0, 500, 400)
    points = [
        (LAT + y / M_PER_DEG_LAT, LON + x / M_PER_DEG_LON)
        for x, y in ((100, 100), (250, 200), (400, 300), (50, 350))
    ]
    data = collection(feature(_gcj02(truth), kind="community", name="东湖社区"))
    [wrong] = read_features(data, WGS84)
    warning = datum_warning([wrong.geometry], WGS84, points)
    assert warning is not None and warning.code == "boundary_datum_suspect"
    assert warning.params == {"outside": 4, "n": 4, "inside": 4, "other": "GCJ-02"}
    [right] = read_features(data, GCJ02)
    assert datum_warning([right.geometry], GCJ02, points) is None
    assert datum_warning([right.geometry], GCJ02, []) is None
