"""Maps as the police room and the phones see them, on servers with their own map settings.

GCJ-02 tiles: the officer clicks where the tiles show a place, the point is stored at that
place's true WGS-84 position, and a phone standing there checks in. An MBTiles file in the
instance folder: every map draws its tiles, served by the app, and nothing is fetched from
anywhere but 127.0.0.1. No tiles, or broken map settings: the maps still draw grids, points and
people on a plain background with a scale bar, and the server says what is wrong.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from geopy.distance import geodesic

from app.geodatum import gcj02_to_wgs84, wgs84_to_gcj02
from tests.e2e.helpers import DEMO_PASSWORD, PHONE, ROOT, WANJIA, shot
from tests.e2e.maps_helpers import (
    DEMO,
    Z,
    all_local,
    console,
    offer_on_the_phone,
    plain_map,
    point_editor,
    screen_of,
    served_tiles_are_images,
    tiles_around,
    tiles_drawn,
)
from tests.servers import Server, copy_database, launch, seed_demo, server_env, stop

GUARD_AT_THE_SPOT = "13700000019"
GUARD_AT_THE_TILES = "13700000020"  # the last demo guard


# --------------------------------------------------------------------------- servers


@pytest.fixture(scope="module")
def start_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Server]]:
    """``start_server(name, prepare=None, **settings)``: a demo ``wanjia run`` on its own port
    and instance folder (seeded once, copied for each); ``prepare(instance)`` may put files
    there first."""
    seeded = seed_demo(tmp_path_factory.mktemp("maps-seed"))
    running: list[subprocess.Popen[bytes]] = []

    def start(name: str, prepare: Callable[[Path], None] | None = None, **settings: str) -> Server:
        instance = tmp_path_factory.mktemp(name)
        copy_database(seeded, instance / "wanjia.db")
        if prepare:
            prepare(instance)
        process, server = launch(instance, **settings)
        running.append(process)
        return server

    yield start
    for process in running:
        stop(process)


# --------------------------------------------------------------------------- pages


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """``open_page(server, **context_options)``: a page in a fresh context, closed at the end."""
    contexts: list[Any] = []

    def open_(server: Server, **options: Any) -> Any:
        context = browser.new_context(base_url=server.base, **options)
        context.set_default_timeout(8_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


# --------------------------------------------------------------------------- a) GCJ-02


def test_a_point_placed_on_gcj02_tiles_is_stored_in_wgs84_and_checks_in_there(
    open_page: Any, start_server: Callable[..., Server]
) -> None:
    """The officer clicks where the GCJ-02 tiles draw spot G; the point is stored at the true
    WGS-84 position W of that spot (about 500 m from G's numbers); a phone standing at W checks
    in, one reporting G's numbers is refused as too far."""
    server = start_server("maps-gcj02", tiles_around(*wgs84_to_gcj02(*DEMO)), TILE_DATUM="gcj02")
    urls: list[str] = []
    page = point_editor(open_page, server, urls, [])
    tiles_drawn(page, "#points-map")
    map_box = page.locator("#points-map").bounding_box()

    # Markers out: a stored (WGS-84) point is drawn where the tiles show its GCJ-02 position.
    [(name, lat, lon)] = server.query(
        "SELECT name, lat, lon FROM patrol_points ORDER BY id LIMIT 1"
    )
    icon = page.locator(f"#points-map .leaflet-marker-icon[title='{name}']").bounding_box()
    tip = (icon["x"] + icon["width"] / 2, icon["y"] + icon["height"])  # the icon's anchor
    on_tiles = screen_of(page, *wgs84_to_gcj02(lat, lon))
    assert on_tiles and abs(tip[0] - on_tiles[0]) <= 2 and abs(tip[1] - on_tiles[1]) <= 2
    unconverted = screen_of(page, lat, lon)
    assert unconverted and abs(tip[0] - unconverted[0]) > 100  # ~480 m east at 2 m a pixel

    # Clicks in: a spot G on the tiles, away from every marker.
    spot = None
    g0 = wgs84_to_gcj02(*DEMO)
    for d_lat, d_lon in [(i * 0.0012, j * 0.0012) for j in range(-4, 4) for i in range(-2, 3)]:
        g = (g0[0] + d_lat, g0[1] + d_lon)  # steps of about 130 m around the drawn centre
        at = screen_of(page, *g)
        if not at or not (
            map_box["x"] + 40 < at[0] < map_box["x"] + map_box["width"] - 40
            and map_box["y"] + 40 < at[1] < map_box["y"] + map_box["height"] - 40
        ):
            continue
        hit = page.evaluate(
            "([x, y]) => { const e = document.elementFromPoint(x, y);"
            " return !e.closest('.leaflet-marker-icon, .leaflet-control'); }",
            [at[0], at[1]],
        )
        if hit:
            spot = (g, at)
            break
    assert spot, "no free spot on the map"
    g, at = spot
    w = gcj02_to_wgs84(*g)
    page.mouse.click(*at)
    typed = (float(page.input_value("#np-lat")), float(page.input_value("#np-lon")))
    assert geodesic(typed, w).m < 5, (typed, w)
    page.fill("#np-name", "纠偏测试点")
    page.select_option("#np-grid", label="第3网格")
    shot(page, "desktop-officer-points-gcj02", full_page=False)
    with page.expect_navigation():
        page.get_by_role("button", name="添加巡逻点").click()

    [(point_id, stored_lat, stored_lon, version)] = server.query(
        "SELECT id, lat, lon, poster_version FROM patrol_points WHERE name = ?", "纠偏测试点"
    )
    stored = (stored_lat, stored_lon)
    assert geodesic(stored, w).m < 5, (stored, w)
    assert 400 < geodesic(stored, g).m < 600, (stored, g)
    # ...and after the reload it is drawn where it was clicked.
    page.wait_for_function(
        "() => document.querySelector('#points-map .leaflet-marker-icon[title=\"纠偏测试点\"]')"
    )
    tiles_drawn(page, "#points-map")
    icon = page.locator("#points-map .leaflet-marker-icon[title='纠偏测试点']").bounding_box()
    redrawn = screen_of(page, *g)
    assert redrawn
    assert abs(icon["x"] + icon["width"] / 2 - redrawn[0]) <= 3
    assert abs(icon["y"] + icon["height"] - redrawn[1]) <= 3
    all_local(urls)

    poster = server.poster_path(point_id, version)
    for who, where, outcome in ((GUARD_AT_THE_SPOT, w, "done"), (GUARD_AT_THE_TILES, g, "refused")):
        phone = open_page(
            server,
            **PHONE,
            permissions=["geolocation"],
            # A few metres off: exactly on a point's coordinates is held (checkins/evidence.py).
            geolocation={"latitude": where[0] + 4e-5, "longitude": where[1], "accuracy": 10},
        )
        phone.goto(poster)
        phone.fill("input[name=phone]", who)
        phone.fill("input[name=password]", DEMO_PASSWORD)
        phone.click("form.stack button[type=submit]")
        status = phone.locator(f"#status.{outcome}")
        status.wait_for(timeout=15_000)
        if outcome == "refused":
            assert status.get_attribute("data-code") == "too_far"
        shot(phone, f"phone-checkin-gcj02-{outcome}")


# --------------------------------------------------------------------------- b) offline tiles


def test_mbtiles_in_the_instance_folder_are_served_and_drawn_on_every_map(
    open_page: Any, start_server: Callable[..., Server]
) -> None:
    """No tile URL, no internet: the console, the point editor and the phone's offer all draw
    the operator's MBTiles tiles, served by the app; every request stays on 127.0.0.1."""
    server = start_server("maps-offline", tiles_around(*DEMO))
    urls: list[str] = []
    responses: list[Any] = []
    page = console(open_page, server, urls, responses)
    assert tiles_drawn(page, "#map") >= 4
    assert page.locator("#map .leaflet-control-scale").is_visible()
    shot(page, "desktop-console-mbtiles", full_page=False)

    page = point_editor(open_page, server, urls, responses)
    assert tiles_drawn(page, "#points-map") >= 4
    assert page.locator("#points-map .leaflet-control-scale").is_visible()
    shot(page, "desktop-officer-points-mbtiles", full_page=False)
    served_tiles_are_images(responses)
    all_local(urls)

    phone, _console = offer_on_the_phone(open_page, server)
    assert tiles_drawn(phone, ".offer-map") >= 1
    assert phone.locator(".offer-map .leaflet-control-scale").is_visible()
    assert phone.locator(".offer-map path.leaflet-interactive").count() == 1  # the incident
    shot(phone, "phone-offer-mbtiles", full_page=False)


def test_with_no_tiles_every_map_draws_on_a_plain_background_with_a_scale(
    open_page: Any, start_server: Callable[..., Server]
) -> None:
    """No MBTiles file, no tile URL: grids, points, the person on duty and the incident are
    all drawn on the plain background, with a scale bar, on the console, editor and phone."""
    server = start_server("maps-plain")
    urls: list[str] = []
    page = console(open_page, server, urls, [])
    page.locator("#map .grid-label").first.wait_for()
    plain_map(page, "#map")
    shot(page, "desktop-console-plain", full_page=False)

    page = point_editor(open_page, server, urls, [])
    plain_map(page, "#points-map")
    shot(page, "desktop-officer-points-plain", full_page=False)
    all_local(urls)

    phone, dispatcher = offer_on_the_phone(open_page, server)
    dispatcher.locator("#map path.leaflet-interactive[stroke='#fff']").wait_for()  # the volunteer
    plain_map(dispatcher, "#map")
    plain_map(phone, ".offer-map")
    assert phone.locator(".offer-map path.leaflet-interactive").count() == 1
    shot(phone, "phone-offer-plain", full_page=False)


# --------------------------------------------------------------------------- c) bad settings


def test_broken_map_settings_are_named_at_start_and_the_maps_fall_back(
    open_page: Any, start_server: Callable[..., Server]
) -> None:
    """A text file named map.mbtiles and a tile URL without {z}: the server still starts, says
    what is wrong (and so does ``wanjia doctor``), serves no tiles and draws the plain
    background."""

    def prepare(instance: Path) -> None:
        (instance / "map.mbtiles").write_text("these are not the tiles you are looking for\n")

    bad_url = "https://tiles.example.cn/{x}/{y}.png"
    server = start_server("maps-bad", prepare, TILE_URL=bad_url)
    log = server.log
    assert "WARNING app.maps [-]: map tiles: MBTiles file" in log  # [-]: no request's id
    assert f"{server.instance / 'map.mbtiles'} is not usable" in log
    assert f"WANJIA_TILE_URL '{bad_url}' needs {{z}}, {{x}} and {{y}} (missing {{z}})" in log
    assert requests.get(f"{server.base}/tiles/{Z}/1/1.png", timeout=5).status_code == 404
    doctor = subprocess.run(
        [str(WANJIA), "doctor"],
        cwd=ROOT,
        env=server_env(server.instance, TILE_URL=bad_url),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,  # other checks (the public URL on loopback) may fail here
    ).stdout
    assert "WARN maps: WANJIA_TILE_URL" in doctor and "WARN maps: MBTiles file" in doctor
    assert "OK   maps: maps draw a plain background" in doctor

    urls: list[str] = []
    page = console(open_page, server, urls, [])
    plain_map(page, "#map")
    page = point_editor(open_page, server, urls, [])
    plain_map(page, "#points-map")
    all_local(urls)
