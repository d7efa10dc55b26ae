"""WGS-84 <-> GCJ-02 against published test vectors, in Python and in the browser's JavaScript."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.geodatum import gcj02_to_wgs84, outside_china, wgs84_to_gcj02

WJMAP_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "wjmap.js"

# (WGS-84 lat, lon) -> (GCJ-02 lat, lon).
# googollee/eviltransform, go/transform_test.go ("shanghai", "shenzhen", "beijing").
EVILTRANSFORM = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),
]
# wandergis/coordtransform, test/app.js: wgs84togcj02(116.404, 39.915).
COORDTRANSFORM = [((39.915, 116.404), (39.91640428150164, 116.41024449916938))]
# hujiulong/gcoord, test/unit/crs/WGS84.spec.ts and GCJ02.spec.ts (toBeCloseTo(.., 5)).
GCOORD_FORWARD = [((45.0, 123.0), (45.00197815, 123.00607541))]
GCOORD_INVERSE = [((45.0, 123.0), (44.99804071, 122.99395597))]
FORWARD = EVILTRANSFORM + COORDTRANSFORM


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance on a sphere (haversine): plenty for comparing points metres apart."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


@pytest.mark.parametrize(("wgs", "gcj"), FORWARD)
def test_wgs84_to_gcj02_gives_the_published_values(wgs, gcj):
    assert wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), GCOORD_FORWARD)
def test_wgs84_to_gcj02_agrees_with_gcoord_to_its_five_decimals(wgs, gcj):
    assert wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=5e-6)


@pytest.mark.parametrize(("wgs", "gcj"), EVILTRANSFORM)
def test_gcj02_to_wgs84_comes_back_to_the_published_position_within_a_centimetre(wgs, gcj):
    # eviltransform's own "exact" inverse promises 0.5 m; ours iterates much further.
    assert metres(gcj02_to_wgs84(*gcj), wgs) < 0.01


@pytest.mark.parametrize(("gcj", "wgs"), GCOORD_INVERSE)
def test_gcj02_to_wgs84_agrees_with_gcoord_to_its_five_decimals(gcj, wgs):
    assert gcj02_to_wgs84(*gcj) == pytest.approx(wgs, abs=5e-6)


def test_the_offset_near_the_demo_area_is_about_500_metres():
    """The reason for all this: a phone's position drawn on AMap tiles without conversion lands
    half a kilometre away, far outside a 50 m geofence."""
    wgs = (33.38, 120.16)
    assert 400 < metres(wgs, wgs84_to_gcj02(*wgs)) < 600


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(45.0, 183.0), (51.5, -0.12), (-33.9, 151.2), (60.0, 100.0), (0.5, 110.0)],
)
def test_outside_china_nothing_moves(lat, lon):
    assert outside_china(lat, lon)
    assert wgs84_to_gcj02(lat, lon) == (lat, lon)
    assert gcj02_to_wgs84(lat, lon) == (lat, lon)


def test_inside_the_box_is_not_outside_china():
    assert not outside_china(33.38, 120.16)
    assert not outside_china(22.54, 113.91)


@settings(max_examples=300, deadline=None)
@given(
    lat=st.floats(min_value=18.0, max_value=53.0),
    lon=st.floats(min_value=74.0, max_value=134.0),
)
def test_gcj02_to_wgs84_undoes_wgs84_to_gcj02_anywhere_in_china(lat, lon):
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lat, lon))
    assert metres(back, (lat, lon)) < 0.001


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_the_browser_formulas_agree_with_python_within_half_a_metre():
    """static/js/wjmap.js converts in the browser: run it under node on the same vectors."""
    inputs = [w for w, _ in FORWARD] + [g for g, _ in FORWARD] + [(33.38, 120.16), (45.0, 183.0)]
    script = (
        "const m = require(process.argv[1]);"
        "const pts = JSON.parse(process.argv[2]);"
        "console.log(JSON.stringify(pts.map(p => ["
        "m.wgs84ToGcj02(p[0], p[1]), m.gcj02ToWgs84(p[0], p[1]), m.outsideChina(p[0], p[1])])));"
    )
    out = subprocess.run(
        ["node", "-e", script, str(WJMAP_JS), json.dumps(inputs)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    for point, (to_gcj, to_wgs, outside) in zip(inputs, json.loads(out), strict=True):
        assert metres(tuple(to_gcj), wgs84_to_gcj02(*point)) < 0.5, point
        assert metres(tuple(to_wgs), gcj02_to_wgs84(*point)) < 0.5, point
        assert outside is outside_china(*point)
    for (wgs, gcj), got in zip(FORWARD, json.loads(out), strict=False):
        assert metres(tuple(got[0]), gcj) < 0.5, wgs
