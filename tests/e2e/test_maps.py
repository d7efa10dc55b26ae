"""Maps as the police room and the phones see them, on servers with their own map settings.

GCJ-02 tiles: the officer clicks where the tiles show a place, the point is stored at that
place's true WGS-84 position, and a phone standing there checks in. An MBTiles file in the
instance folder: every map draws its tiles, served by the app, and nothing is fetched from
anywhere but 127.0.0.1. No tiles, or broken map settings: the maps still draw grids, points and
people on a plain background with a scale bar, and the server says what is wrong.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from geopy.distance import geodesic

from app.geodatum import gcj02_to_wgs84, wgs84_to_gcj02
from checkins import tokens
from tests.e2e.conftest import _stop
from tests.e2e.helpers import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    PHONE_GEOLOCATION,
    ROOT,
    WANJIA,
    log_in,
    shot,
)
from tests.maptiles import block, build_mbtiles, tile_xy

Z = 16  # the tiles' one zoom level: the demo area fills the editor's map near this zoom
DEMO = (PHONE_GEOLOCATION["latitude"], PHONE_GEOLOCATION["longitude"])
DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN"}
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
VOLUNTEER = "13600000150"  # has agreed to share a position: can go on duty
GUARD_AT_THE_SPOT = "13700000019"
GUARD_AT_THE_TILES = "13700000020"  # the last demo guard
PLAIN = "rgb(238, 240, 234)"  # the map's plain background (static/css/app.css)


# --------------------------------------------------------------------------- servers


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo police area, seeded once; every server below starts from a copy."""
    folder = tmp_path_factory.mktemp("maps-seed")
    subprocess.run(
        [str(WANJIA), "demo"],
        cwd=ROOT,
        env=_env(folder),
        check=True,
        capture_output=True,
        timeout=120,
    )
    return folder / "wanjia.db"


def _env(instance: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANJIA_")}
    env.update(
        WANJIA_INSTANCE_PATH=str(instance),
        WANJIA_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
        PYTHONUNBUFFERED="1",
        **{f"WANJIA_{k}": v for k, v in settings.items()},
    )
    return env


class Server:
    def __init__(self, base: str, instance: Path) -> None:
        self.base, self.instance = base, instance

    @property
    def log(self) -> str:
        return (self.instance / "server.log").read_text()

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with closing(sqlite3.connect(self.instance / "wanjia.db")) as db:
            return db.execute(sql, args).fetchall()

    def poster_path(self, point_id: int, version: int) -> str:
        key = tokens.signing_key((self.instance / "secret_key").read_text().strip())
        return tokens.check_in_path(tokens.sign(key, point_id, version))


@pytest.fixture(scope="module")
def start_server(
    seeded: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Server]]:
    """``start_server(name, prepare=None, **settings)``: a seeded ``wanjia run`` on its own port
    and instance folder; ``prepare(instance)`` may put files there first."""
    running: list[subprocess.Popen[bytes]] = []

    def start(name: str, prepare: Callable[[Path], None] | None = None, **settings: str) -> Server:
        instance = tmp_path_factory.mktemp(name)
        with (
            closing(sqlite3.connect(seeded)) as src,
            closing(sqlite3.connect(instance / "wanjia.db")) as dst,
        ):
            src.backup(dst)
        if prepare:
            prepare(instance)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        with (instance / "server.log").open("wb") as log:
            process = subprocess.Popen(
                [str(WANJIA), "run", "--host", "127.0.0.1", "--port", str(port), "--no-worker"],
                cwd=ROOT,
                env=_env(instance, **settings),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        running.append(process)
        server = Server(f"http://127.0.0.1:{port}", instance)
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"wanjia run exited with {process.returncode}:\n{server.log}")
            try:
                if requests.get(f"{server.base}/healthz", timeout=1).status_code == 200:
                    return server
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"wanjia run did not answer in 30 s:\n{server.log}")
            time.sleep(0.2)

    yield start
    for process in running:
        _stop(process)


def _tiles_around(lat: float, lon: float) -> Callable[[Path], None]:
    def prepare(instance: Path) -> None:
        build_mbtiles(instance / "area.mbtiles", block(lat, lon, Z, around=3))

    return prepare


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


def _desk(open_page: Any, server: Server, role: str, urls: list[str], tiles: list[Any]) -> Any:
    """A police-room PC logged in as ``role``; its requests and tile responses are recorded."""
    page = open_page(server, **DESKTOP)
    page.on("request", lambda r: urls.append(r.url))
    page.on("response", lambda r: tiles.append(r) if "/tiles/" in r.url else None)
    log_in(page, DEMO_LOGINS[role])
    return page


def _all_local(urls: list[str]) -> None:
    """Nothing leaves this machine: no map library, tile or font from outside."""
    assert urls
    away = [u for u in urls if not u.startswith("data:") and urlsplit(u).hostname != "127.0.0.1"]
    assert away == [], away


def _tiles_drawn(page: Any, container: str) -> int:
    """Wait until every tile image in ``container`` has loaded and faded in; how many."""
    page.wait_for_function(
        """(sel) => { const t = [...document.querySelectorAll(sel + ' img.leaflet-tile')];
                      return t.length && t.every(i => i.complete && i.naturalWidth > 0
                                                      && getComputedStyle(i).opacity === '1'); }""",
        arg=container,
    )
    return page.locator(f"{container} img.leaflet-tile").count()


def _plain_map(page: Any, container: str) -> None:
    """No tile at all, a plain light background, a metric scale bar in view."""
    map_el = page.locator(container)
    assert "wj-plain" in (map_el.get_attribute("class") or "")
    assert page.locator(f"{container} img.leaflet-tile").count() == 0
    assert map_el.evaluate("e => getComputedStyle(e).backgroundColor") == PLAIN
    scale = page.locator(f"{container} .leaflet-control-scale")
    assert scale.is_visible()
    assert scale.inner_text().strip().endswith(("m", "km"))


def _served_tiles_are_images(responses: list[Any]) -> None:
    assert responses
    for response in responses:
        assert response.status == 200, response.url
        assert response.headers["content-type"] == "image/png"
        assert response.body().startswith(b"\x89PNG"), response.url


def _screen_of(page: Any, lat: float, lon: float) -> tuple[float, float] | None:
    """Where the tiles draw a coordinate of their own datum, from the tile images' screen
    positions and Web-Mercator tile arithmetic alone (not from the app's map code)."""
    fx, fy = tile_xy(lat, lon, Z)
    tx, ty = int(fx), int(fy)
    box = page.evaluate(
        """(path) => { for (const img of document.querySelectorAll('img.leaflet-tile')) {
                         if (new URL(img.src).pathname === path) {
                           const r = img.getBoundingClientRect();
                           return [r.left, r.top, r.width, r.height]; } }
                       return null; }""",
        f"/tiles/{Z}/{tx}/{ty}.png",
    )
    if box is None:
        return None
    left, top, width, height = box
    return left + (fx - tx) * width, top + (fy - ty) * height


def _offer_on_the_phone(open_page: Any, server: Server) -> tuple[Any, Any]:
    """The volunteer goes on duty at the demo area, the dispatcher raises an incident and asks
    them: returns (phone page showing the offer, console page)."""
    phone = open_page(server, **PHONE, geolocation=PHONE_GEOLOCATION, permissions=["geolocation"])
    log_in(phone, VOLUNTEER)
    name = phone.locator(".who").inner_text().split("·")[0].strip()
    phone.goto("/field")
    phone.locator("#live.ok").wait_for()
    consent = phone.locator("#consent")
    if consent.is_visible():
        consent.check()
    phone.get_by_role("button", name="上岗").tap()
    phone.locator("#duty.on").wait_for()

    console = open_page(server, **DESKTOP)
    log_in(console, DEMO_LOGINS["dispatcher"])
    console.goto("/console")
    console.locator("#live.ok").wait_for()
    console.locator("#roster li", has_text=name).wait_for()
    box = console.locator("#map").bounding_box()
    console.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    console.locator("#new-incident input[name=description]").fill("地图测试")
    console.get_by_role("button", name="发布警情").click()
    console.locator("#queue .card").first.wait_for()
    console.get_by_role("button", name="查找最近的人").click()
    candidate = console.locator("#candidates li", has_text=name)
    candidate.wait_for()
    for tick in console.locator("#candidates input[type=checkbox]").all():
        tick.uncheck()
    candidate.locator("input[type=checkbox]").check()
    console.get_by_role("button", name="调派勾选的人").click()
    phone.locator(".offer-card[data-status=offered] .offer-map .leaflet-control-scale").wait_for()
    return phone, console


# --------------------------------------------------------------------------- a) GCJ-02


def test_a_point_placed_on_gcj02_tiles_is_stored_in_wgs84_and_checks_in_there(
    open_page: Any, start_server: Callable[..., Server]
) -> None:
    """The officer clicks where the GCJ-02 tiles draw spot G; the point is stored at the true
    WGS-84 position W of that spot (about 500 m from G's numbers); a phone standing at W checks
    in, one reporting G's numbers is refused as too far."""
    server = start_server("maps-gcj02", _tiles_around(*wgs84_to_gcj02(*DEMO)), TILE_DATUM="gcj02")
    urls: list[str] = []
    page = _desk(open_page, server, "officer", urls, [])
    page.goto("/officer/points")
    page.wait_for_function(
        "() => document.querySelectorAll('#points-map .leaflet-marker-icon').length >= 40"
    )
    _tiles_drawn(page, "#points-map")
    map_box = page.locator("#points-map").bounding_box()

    # Markers out: a stored (WGS-84) point is drawn where the tiles show its GCJ-02 position.
    [(name, lat, lon)] = server.query(
        "SELECT name, lat, lon FROM patrol_points ORDER BY id LIMIT 1"
    )
    icon = page.locator(f"#points-map .leaflet-marker-icon[title='{name}']").bounding_box()
    tip = (icon["x"] + icon["width"] / 2, icon["y"] + icon["height"])  # the icon's anchor
    on_tiles = _screen_of(page, *wgs84_to_gcj02(lat, lon))
    assert on_tiles and abs(tip[0] - on_tiles[0]) <= 2 and abs(tip[1] - on_tiles[1]) <= 2
    unconverted = _screen_of(page, lat, lon)
    assert unconverted and abs(tip[0] - unconverted[0]) > 100  # ~480 m east at 2 m a pixel

    # Clicks in: a spot G on the tiles, away from every marker.
    spot = None
    g0 = wgs84_to_gcj02(*DEMO)
    for d_lat, d_lon in [(i * 0.0012, j * 0.0012) for j in range(-4, 4) for i in range(-2, 3)]:
        g = (g0[0] + d_lat, g0[1] + d_lon)  # steps of about 130 m around the drawn centre
        at = _screen_of(page, *g)
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
    _tiles_drawn(page, "#points-map")
    icon = page.locator("#points-map .leaflet-marker-icon[title='纠偏测试点']").bounding_box()
    redrawn = _screen_of(page, *g)
    assert redrawn
    assert abs(icon["x"] + icon["width"] / 2 - redrawn[0]) <= 3
    assert abs(icon["y"] + icon["height"] - redrawn[1]) <= 3
    _all_local(urls)

    poster = server.poster_path(point_id, version)
    for who, where, outcome in ((GUARD_AT_THE_SPOT, w, "done"), (GUARD_AT_THE_TILES, g, "refused")):
        phone = open_page(
            server,
            **PHONE,
            permissions=["geolocation"],
            geolocation={"latitude": where[0], "longitude": where[1], "accuracy": 10},
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
    server = start_server("maps-offline", _tiles_around(*DEMO))
    urls: list[str] = []
    responses: list[Any] = []
    page = _desk(open_page, server, "dispatcher", urls, responses)
    page.goto("/console")
    page.wait_for_function(
        "() => document.querySelectorAll('#map path.leaflet-interactive').length >= 40"
    )
    assert _tiles_drawn(page, "#map") >= 4
    assert page.locator("#map .leaflet-control-scale").is_visible()
    shot(page, "desktop-console-mbtiles", full_page=False)

    page = _desk(open_page, server, "officer", urls, responses)
    page.goto("/officer/points")
    page.wait_for_function(
        "() => document.querySelectorAll('#points-map .leaflet-marker-icon').length >= 40"
    )
    assert _tiles_drawn(page, "#points-map") >= 4
    assert page.locator("#points-map .leaflet-control-scale").is_visible()
    shot(page, "desktop-officer-points-mbtiles", full_page=False)
    _served_tiles_are_images(responses)
    _all_local(urls)

    phone, _console = _offer_on_the_phone(open_page, server)
    _tiles_drawn(phone, ".offer-map")
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
    page = _desk(open_page, server, "dispatcher", urls, [])
    page.goto("/console")
    page.wait_for_function(
        "() => document.querySelectorAll('#map path.leaflet-interactive').length >= 40"
    )
    page.locator("#map .grid-label").first.wait_for()
    _plain_map(page, "#map")
    shot(page, "desktop-console-plain", full_page=False)

    page = _desk(open_page, server, "officer", urls, [])
    page.goto("/officer/points")
    page.wait_for_function(
        "() => document.querySelectorAll('#points-map .leaflet-marker-icon').length >= 40"
    )
    _plain_map(page, "#points-map")
    shot(page, "desktop-officer-points-plain", full_page=False)
    _all_local(urls)

    phone, console = _offer_on_the_phone(open_page, server)
    console.locator("#map path.leaflet-interactive[stroke='#fff']").wait_for()  # the volunteer
    _plain_map(console, "#map")
    _plain_map(phone, ".offer-map")
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
    assert "WARNING app.maps: map tiles: MBTiles file" in log
    assert f"{server.instance / 'map.mbtiles'} is not usable" in log
    assert f"WANJIA_TILE_URL '{bad_url}' needs {{z}}, {{x}} and {{y}} (missing {{z}})" in log
    assert requests.get(f"{server.base}/tiles/{Z}/1/1.png", timeout=5).status_code == 404
    doctor = subprocess.run(
        [str(WANJIA), "doctor"],
        cwd=ROOT,
        env=_env(server.instance, TILE_URL=bad_url),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,  # other checks (the public URL on loopback) may fail here
    ).stdout
    assert "WARN maps: WANJIA_TILE_URL" in doctor and "WARN maps: MBTiles file" in doctor
    assert "OK   maps: maps draw a plain background" in doctor

    urls: list[str] = []
    page = _desk(open_page, server, "dispatcher", urls, [])
    page.goto("/console")
    page.wait_for_function(
        "() => document.querySelectorAll('#map path.leaflet-interactive').length >= 40"
    )
    _plain_map(page, "#map")
    page = _desk(open_page, server, "officer", urls, [])
    page.goto("/officer/points")
    page.wait_for_function(
        "() => document.querySelectorAll('#points-map .leaflet-marker-icon').length >= 40"
    )
    _plain_map(page, "#points-map")
    _all_local(urls)
