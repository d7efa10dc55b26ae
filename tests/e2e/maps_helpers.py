"""Servers with their own map settings, and what the map tests look for on their pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.e2e.helpers import (
    DEMO_LOGINS,
    PHONE,
    PHONE_GEOLOCATION,
    go_on_duty,
    log_in,
    pick_only,
    raise_incident_form,
)
from tests.maptiles import block, build_mbtiles, tile_xy
from tests.servers import Server

Z = 16  # the tiles' one zoom level: the demo area fills the editor's map near this zoom
DEMO = (PHONE_GEOLOCATION["latitude"], PHONE_GEOLOCATION["longitude"])
DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN"}
VOLUNTEER = "13600000150"  # has agreed to share a position: can go on duty
PLAIN = "rgb(238, 240, 234)"  # the map's plain background (static/css/app.css)


def tiles_around(lat: float, lon: float) -> Callable[[Path], None]:
    def prepare(instance: Path) -> None:
        build_mbtiles(instance / "area.mbtiles", block(lat, lon, Z, around=3))

    return prepare


def desk(
    open_page: Any, server: Server, role: str, urls: list[str], tiles: list[Any], landing: str
) -> Any:
    """A police-room PC logged in as ``role`` straight onto ``landing`` (an officer's home has a
    map too, whose tiles could not be read back once left); its requests and tile responses are
    recorded."""
    page = open_page(server, **DESKTOP)
    page.on("request", lambda r: urls.append(r.url))
    page.on("response", lambda r: tiles.append(r) if "/tiles/" in r.url else None)
    log_in(page, DEMO_LOGINS[role], landing=landing)
    return page


def console(open_page: Any, server: Server, urls: list[str], tiles: list[Any]) -> Any:
    """The dispatcher's console with the demo area's grids drawn."""
    page = desk(open_page, server, "dispatcher", urls, tiles, "/console")
    page.wait_for_function(
        "() => document.querySelectorAll('#map path.leaflet-interactive').length >= 40"
    )
    return page


def point_editor(open_page: Any, server: Server, urls: list[str], tiles: list[Any]) -> Any:
    """The officer's point editor with the demo area's points drawn."""
    page = desk(open_page, server, "officer", urls, tiles, "/officer/points")
    page.wait_for_function(
        "() => document.querySelectorAll('#points-map .leaflet-marker-icon').length >= 40"
    )
    return page


def all_local(urls: list[str]) -> None:
    """Nothing leaves this machine: no map library, tile or font from outside."""
    assert urls
    away = [u for u in urls if not u.startswith("data:") and urlsplit(u).hostname != "127.0.0.1"]
    assert away == [], away


def tiles_drawn(page: Any, container: str) -> int:
    """Wait until every tile image in ``container`` has loaded and faded in; how many."""
    page.wait_for_function(
        """(sel) => { const t = [...document.querySelectorAll(sel + ' img.leaflet-tile')];
                      return t.length && t.every(i => i.complete && i.naturalWidth > 0
                                                      && getComputedStyle(i).opacity === '1'); }""",
        arg=container,
    )
    return page.locator(f"{container} img.leaflet-tile").count()


def plain_map(page: Any, container: str) -> None:
    """No tile at all, a plain light background, a metric scale bar in view."""
    map_el = page.locator(container)
    assert "wj-plain" in (map_el.get_attribute("class") or "")
    assert page.locator(f"{container} img.leaflet-tile").count() == 0
    assert map_el.evaluate("e => getComputedStyle(e).backgroundColor") == PLAIN
    scale = page.locator(f"{container} .leaflet-control-scale")
    assert scale.is_visible()
    assert scale.inner_text().strip().endswith(("m", "km"))


def served_tiles_are_images(responses: list[Any]) -> None:
    assert responses
    for response in responses:
        assert response.status == 200, response.url
        assert response.headers["content-type"] == "image/png"
        assert response.body().startswith(b"\x89PNG"), response.url


def screen_of(page: Any, lat: float, lon: float) -> tuple[float, float] | None:
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


def offer_on_the_phone(open_page: Any, server: Server) -> tuple[Any, Any]:
    """The volunteer goes on duty at the demo area, the dispatcher raises an incident and asks
    them: returns (phone page showing the offer, console page)."""
    phone = open_page(server, **PHONE, geolocation=PHONE_GEOLOCATION, permissions=["geolocation"])
    log_in(phone, VOLUNTEER)
    name = go_on_duty(phone)

    console = open_page(server, **DESKTOP)
    log_in(console, DEMO_LOGINS["dispatcher"])
    console.goto("/console")
    console.locator("#live.ok").wait_for()
    console.locator("#roster li", has_text=name).wait_for()
    raise_incident_form(console)
    console.locator("#new-incident input[name=description]").fill("地图测试")
    console.get_by_role("button", name="发布警情").click()
    console.locator("#queue .card").first.wait_for()
    pick_only(console, name)
    console.get_by_role("button", name="调派勾选的人").click()
    phone.locator(".offer-card[data-status=offered] .offer-map .leaflet-control-scale").wait_for()
    return phone, console
