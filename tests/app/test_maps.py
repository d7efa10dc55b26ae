"""Map settings are checked at start, and MBTiles tiles are served by the app itself."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sqlite3
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string

from app import create_app, doctor
from app.geodatum import gcj02_to_wgs84
from app.maps import check_maps, check_tile_setup, open_mbtiles, tile_setup
from tests.conftest import _settings
from tests.maptiles import block, block_bounds, build_mbtiles

Z = 16
DEMO = (33.38, 120.16)


def setup_of(tmp_path: Path, **config: Any):
    return check_tile_setup(config, tmp_path)


@pytest.fixture
def make_app(tmp_path: Path, sqlite_template: Path):
    def make(**settings: Any) -> Flask:
        database = tmp_path / "app.db"
        database.write_bytes(sqlite_template.read_bytes())
        return create_app(
            _settings(DATABASE_URL=f"sqlite:///{database}", **settings), str(tmp_path)
        )

    return make


def attributes(app: Flask) -> dict[str, str]:
    with app.test_request_context("/"):
        html = render_template_string("<div {{ map_attributes() }}></div>")
    return {k: unescape(v) for k, v in re.findall(r'data-([\w-]+)="([^"]*)"', html)}


# ----------------------------------------------------------------- the settings


@pytest.mark.parametrize(
    "url",
    [
        "https://tiles.example.cn/{z}/{x}/{y}.png",
        "http://{s}.tiles.example/{z}/{x}/{-y}.png",
        "/static/tiles/{z}/{x}/{y}{r}.png",
    ],
)
def test_a_good_tile_url_is_used_as_it_is(tmp_path, url):
    setup = setup_of(tmp_path, TILE_URL=url)
    assert (setup.url, setup.problems) == (url, ())


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://tiles.example/{x}/{y}.png", "missing {z}"),
        ("https://tiles.example/tile.png", "missing {z}, {x}, {y}"),
        ("ftp://tiles.example/{z}/{x}/{y}.png", "must start with http://, https:// or /"),
        ("tiles/{z}/{x}/{y}.png", "must start with"),
        ("https://tiles.example/{z}/{x}/{y}.png?key={apikey}", "{apikey}"),
    ],
)
def test_a_bad_tile_url_is_named_and_the_map_falls_back_to_the_plain_background(tmp_path, url, why):
    setup = setup_of(tmp_path, TILE_URL=url)
    assert setup.url is None
    [problem] = [p.message for p in setup.problems]
    assert "WANJIA_TILE_URL" in problem and url in problem and why in problem
    assert "plain background" in problem


@pytest.mark.parametrize(
    ("given", "datum"),
    [("gcj02", "gcj02"), ("GCJ-02", "gcj02"), ("WGS-84", "wgs84"), (None, "wgs84")],
)
def test_the_datum_may_be_written_either_way(tmp_path, given, datum):
    assert setup_of(tmp_path, TILE_DATUM=given).datum == datum


def test_an_unknown_datum_is_named_and_wgs84_is_used(tmp_path):
    setup = setup_of(tmp_path, TILE_DATUM="bd09")
    assert setup.datum == "wgs84"
    [problem] = setup.problems
    assert problem.message == "WANJIA_TILE_DATUM 'bd09' is not one of wgs84, gcj02: using wgs84"
    assert "gcj02" in problem.fix


def test_the_first_mbtiles_file_in_the_instance_folder_is_found(tmp_path):
    build_mbtiles(tmp_path / "b.mbtiles", block(*DEMO, Z))
    build_mbtiles(tmp_path / "a.mbtiles", block(*DEMO, Z, around=1), with_bounds=False)
    setup = setup_of(tmp_path)
    assert setup.problems == ()
    tiles = setup.mbtiles
    assert tiles is not None
    assert (tiles.path.name, tiles.format, tiles.min_zoom, tiles.max_zoom) == (
        "a.mbtiles",
        "png",
        Z,
        Z,
    )
    assert tiles.bounds is None


def test_a_configured_mbtiles_path_wins_and_may_be_relative_to_the_instance_folder(tmp_path):
    build_mbtiles(tmp_path / "a.mbtiles", block(*DEMO, Z))
    (tmp_path / "maps").mkdir()
    build_mbtiles(tmp_path / "maps" / "city.mbtiles", block(*DEMO, Z))
    assert setup_of(tmp_path, MBTILES="maps/city.mbtiles").mbtiles.path.name == "city.mbtiles"


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"this is a text file, not tiles\n" * 10, "not a readable MBTiles database"),
        (None, "without the 'tiles' and 'metadata' tables"),
    ],
)
def test_a_file_that_is_no_mbtiles_is_named_and_not_served(tmp_path, content, why):
    path = tmp_path / "map.mbtiles"
    if content is None:
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE other (a)")
    else:
        path.write_bytes(content)
    setup = setup_of(tmp_path)
    assert setup.mbtiles is None
    [problem] = [p.message for p in setup.problems]
    assert str(path) in problem and why in problem and "not served" in problem


def test_a_missing_configured_mbtiles_file_is_named(tmp_path):
    [problem] = [p.message for p in setup_of(tmp_path, MBTILES="/nowhere/city.mbtiles").problems]
    assert "/nowhere/city.mbtiles" in problem and "no such file" in problem


def test_vector_tiles_are_refused_by_name(tmp_path):
    path = tmp_path / "vector.mbtiles"
    build_mbtiles(path, block(*DEMO, Z))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE metadata SET value = 'pbf' WHERE name = 'format'")
    [problem] = [p.message for p in setup_of(tmp_path).problems]
    assert "'pbf'" in problem and "raster" in problem


def test_problems_are_logged_at_start_and_the_app_still_starts(make_app, tmp_path, caplog):
    (tmp_path / "map.mbtiles").write_text("not a map")
    with caplog.at_level(logging.WARNING, logger="app.maps"):
        app = make_app(TILE_URL="https://tiles.example/{x}/{y}.png")
    text = caplog.text
    assert "map.mbtiles" in text and "WANJIA_TILE_URL" in text and "fix: " in text
    assert attributes(app) == {"datum": "wgs84"}  # no tile URL: the plain background
    with app.app_context():
        problems = [p.message for p in tile_setup().problems]
    assert len(problems) == 2 and "map.mbtiles" in problems[1]


def test_doctor_warns_about_each_bad_setting_and_says_what_the_maps_draw(make_app, tmp_path):
    (tmp_path / "map.mbtiles").write_text("not a map")
    app = make_app(TILE_URL="https://tiles.example/{x}/{y}.png", TILE_DATUM="bd09")
    findings = check_maps(app, dt.datetime.now(dt.UTC))
    assert [f.level for f in findings] == ["warn", "warn", "warn", "ok"]
    assert all(f.check == "maps" and f.fix for f in findings[:3])
    assert findings[-1].message.startswith("maps draw a plain background")


def test_doctor_names_the_mbtiles_file_the_maps_draw(make_app, tmp_path):
    build_mbtiles(tmp_path / "area.mbtiles", block(*DEMO, Z))
    [finding] = check_maps(make_app(TILE_DATUM="gcj02"), dt.datetime.now(dt.UTC))
    assert finding.level == "ok"
    assert finding.message == (
        f"maps draw png tiles served from {tmp_path / 'area.mbtiles'} (zoom {Z}-{Z}, gcj02)"
    )
    assert check_maps in doctor.CHECKS


# ----------------------------------------------------------------- what the page gets


def test_with_nothing_configured_the_map_has_no_tiles(make_app):
    assert attributes(make_app()) == {"datum": "wgs84"}


def test_a_tile_url_goes_to_the_map_with_its_datum(make_app):
    app = make_app(TILE_URL="https://t.example/{z}/{x}/{y}.png?a=1&b=2", TILE_DATUM="gcj02")
    assert attributes(app) == {
        "tile-url": "https://t.example/{z}/{x}/{y}.png?a=1&b=2",
        "datum": "gcj02",
    }


def test_mbtiles_win_over_a_tile_url_and_their_extent_is_given_in_wgs84(make_app, tmp_path):
    tiles = block(*DEMO, Z)
    build_mbtiles(tmp_path / "area.mbtiles", tiles)
    app = make_app(TILE_URL="https://t.example/{z}/{x}/{y}.png", TILE_DATUM="gcj02")
    got = attributes(app)
    assert re.fullmatch(r"/tiles/\{z\}/\{x\}/\{y\}\.png\?v=[0-9a-f]{12}", got["tile-url"])
    assert (got["datum"], got["min-zoom"], got["max-zoom"]) == ("gcj02", str(Z), str(Z))
    west, south, east, north = block_bounds(tiles)
    expected = [*gcj02_to_wgs84(south, west), *gcj02_to_wgs84(north, east)]
    assert json.loads(got["bounds"]) == pytest.approx(expected, abs=1e-6)  # 7 decimals


# ----------------------------------------------------------------- the tile route


@pytest.fixture
def served(make_app, tmp_path):
    made = build_mbtiles(tmp_path / "area.mbtiles", block(*DEMO, Z))
    return make_app().test_client(), made


def test_a_tile_is_served_without_login_with_its_type_and_a_long_cache(served):
    client, made = served
    for (z, x, y), data in made.items():
        response = client.get(f"/tiles/{z}/{x}/{y}.png?v=1")
        assert response.status_code == 200
        assert response.data == data  # the XYZ row, not the TMS row: flipped
        assert response.mimetype == "image/png"
        assert "max-age=31536000" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "path", ["/tiles/16/0/0.png", "/tiles/15/100/100.png", "/tiles/40/1/1.png", "/tiles/1/5/0.png"]
)
def test_a_missing_tile_is_a_404(served, path):
    client, _ = served
    assert client.get(path).status_code == 404


def test_a_tile_asked_for_in_another_format_is_a_404(served):
    client, made = served
    z, x, y = next(iter(made))
    assert client.get(f"/tiles/{z}/{x}/{y}.jpg").status_code == 404


def test_without_mbtiles_every_tile_is_a_404(make_app):
    assert make_app().test_client().get("/tiles/16/1/1.png").status_code == 404


def test_the_file_is_opened_read_only(tmp_path):
    path = tmp_path / "area.mbtiles"
    build_mbtiles(path, block(*DEMO, Z))
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        open_mbtiles(path).execute("CREATE TABLE scribble (a)")
