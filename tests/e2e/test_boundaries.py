"""Boundaries in the browser, at the police room's PC (1440x900): the officer imports a GeoJSON
file with one community and two grids (checked first, then imported), then draws a third grid
by hand with Leaflet-Geoman, clicking its corners on the map, saves it and sees it listed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import (
    DEMO_LOGINS,
    PHONE,
    log_in,
    no_horizontal_scroll,
    shot,
    small_touch_targets,
)
from tests.servers import Server, running, seed_demo

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "boundaries_example.geojson"
# The example's community (东湖社区), west, south, east, north; its grids fill the west two
# thirds, and the third grid is drawn in the east third.
COMMUNITY = (120.1680, 33.3770, 120.1770, 33.3830)
THIRD_GRID = [(120.1745, 33.3776), (120.1765, 33.3776), (120.1765, 33.3824), (120.1745, 33.3824)]
STICKING_OUT = [(120.1760, 33.3780), (120.1775, 33.3780), (120.1775, 33.3800), (120.1760, 33.3800)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A demo server of this module's own: the import adds a community other tests do not
    expect on the shared one."""
    instance = tmp_path_factory.mktemp("boundaries")
    seed_demo(instance)
    with running(instance) as started:
        yield started


@pytest.fixture
def desk(browser: Any, server: Server) -> Iterator[Any]:
    context = browser.new_context(
        base_url=server.base, locale="zh-CN", viewport={"width": 1440, "height": 900}
    )
    context.set_default_timeout(5_000)
    yield context
    context.close()


def _click_corners(page: Any, community_id: int, corners: list[tuple[float, float]]) -> None:
    """Click each corner (lon, lat) on the map, placed by where the community's outline is
    drawn, then the first again to close the shape."""
    outline = page.locator(f"#boundary-map path.boundary-community-{community_id}")
    outline.scroll_into_view_if_needed()
    box = outline.bounding_box()
    west, south, east, north = COMMUNITY
    for lon, lat in [*corners, corners[0]]:
        x = box["x"] + (lon - west) / (east - west) * box["width"]
        y = box["y"] + (north - lat) / (north - south) * box["height"]
        page.mouse.click(x, y)
        page.wait_for_timeout(150)  # Geoman places a vertex per click; no double-click zoom


def test_an_officer_imports_a_community_and_draws_a_third_grid(desk: Any, server: Server) -> None:
    page = desk.new_page()
    log_in(page, DEMO_LOGINS["officer"])
    page.goto("/officer/boundaries")
    page.locator("#boundary-map path").first.wait_for()
    assert small_touch_targets(page) == []
    no_horizontal_scroll(page)
    shot(page, "desktop-boundaries")

    page.set_input_files("#boundary-file", str(EXAMPLE))
    with page.expect_navigation():
        page.get_by_role("button", name="检查文件").click()
    assert "全部 3 个边界可以导入" in page.locator("#preview").inner_text()
    shot(page, "desktop-boundaries-preview")
    with page.expect_navigation():
        page.get_by_role("button", name="导入 3 个边界").click()
    assert page.locator("[data-imported]").inner_text() == "已导入 3 个边界。"
    [(community_id,)] = server.query("SELECT id FROM communities WHERE name = '东湖社区'")

    page.select_option("#draw-target", f"new-grid:{community_id}")
    page.fill("#new-grid-code", "D03")
    page.fill("#new-grid-name", "东湖第3网格")
    # A grid sticking out of its community is refused with the reason, and nothing is saved.
    page.locator("#draw-start").click()
    _click_corners(page, community_id, STICKING_OUT)
    page.locator("#draw-save").click()
    error = page.locator("#draw-error")
    error.wait_for()
    assert error.get_attribute("data-code") == "boundary_outside_community"
    assert "超出了所属社区 东湖社区" in error.inner_text()
    shot(page, "desktop-boundaries-refused", full_page=False)
    assert server.query("SELECT id FROM grids WHERE code = 'D03'") == []

    page.locator("#draw-start").click()
    _click_corners(page, community_id, THIRD_GRID)
    save = page.locator("#draw-save")
    # Geoman closes the shape on the last click; a busy machine may take a moment.
    page.wait_for_function("() => !document.getElementById('draw-save').disabled")
    shot(page, "desktop-boundaries-drawn", full_page=False)
    with page.expect_navigation():
        save.click()
    assert "东湖第3网格 的边界已保存" in page.locator("[data-saved]").inner_text()
    [(grid_id,)] = server.query("SELECT id FROM grids WHERE code = 'D03'")
    assert page.locator("#draw-target").input_value() == f"grid:{grid_id}"  # shown, to check
    row = page.locator("tr", has_text="D03 东湖第3网格")
    assert "已绘制" in row.inner_text()
    page.locator(".boundary-label", has_text="D03 东湖第3网格").wait_for()
    shot(page, "desktop-boundaries-saved")
    [(boundary,)] = server.query("SELECT boundary FROM grids WHERE id = ?", grid_id)
    assert '"Polygon"' in boundary


def test_the_boundaries_page_fits_a_phone(browser: Any, server: Server) -> None:
    """An officer on a phone (360x740) sees the import, the map and the list stacked, with full
    touch targets and nothing sticking out sideways."""
    context = browser.new_context(base_url=server.base, **PHONE)
    context.set_default_timeout(5_000)
    page = context.new_page()
    log_in(page, DEMO_LOGINS["officer"])
    page.goto("/officer/boundaries")
    page.locator("#boundary-map path").first.wait_for()
    assert small_touch_targets(page) == []
    no_horizontal_scroll(page)
    shot(page, "phone-boundaries")
    context.close()
