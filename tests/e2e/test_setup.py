"""Setting up a server without the demo, in the browser: the link `wanjia run` printed opens the
set-up page; the first admin fills in the station and two police areas, lands on the admin page
and adds a community to the second area. Screenshots at 1440x900 and 360x740."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.helpers import log_in, no_horizontal_scroll, shot, small_touch_targets
from tests.servers import Server

ADMIN_PHONE = "13900007777"
ADMIN_PASSWORD = "Ma-2026-anquan-shouwei"


def _printed_link(server: Server) -> str:
    found = re.search(r"https?://\S+(/setup/\S+)", server.log)
    assert found, server.log
    return found.group(1)


def _fill_area(row: Any, name: str, room: str, phone: str) -> None:
    row.locator("input[name=area_name]").fill(name)
    row.locator("input[name=area_police_room]").fill(room)
    row.locator("input[name=area_phone]").fill(phone)


def test_the_first_admin_sets_up_the_station_and_adds_a_community(
    fresh_server: Server, fresh_desktop: Any, fresh_phone: Any
) -> None:
    link = _printed_link(fresh_server)

    on_phone = fresh_phone.new_page()
    on_phone.goto(link)
    on_phone.get_by_role("button", name="+ 再添加一个警务区").tap()
    no_horizontal_scroll(on_phone)
    assert small_touch_targets(on_phone) == []
    shot(on_phone, "setup-phone")

    page = fresh_desktop.new_page()
    page.goto(link)
    page.fill("#name", "马所长")
    page.fill("#phone", ADMIN_PHONE)
    page.fill("#password", ADMIN_PASSWORD)
    page.fill("#station_name", "城西派出所")
    page.fill("#station_phone", "0515-86660000")
    rows = page.locator("#area-rows .area-row")
    _fill_area(rows.nth(0), "西湖警务区", "西湖路 8 号警务室", "0515-86660110")
    page.get_by_role("button", name="+ 再添加一个警务区").click()
    assert rows.count() == 2 and rows.nth(1).locator("legend").inner_text() == "警务区 2"
    _fill_area(rows.nth(1), "西关警务区", "西关街 2 号警务室", "0515-86660120")
    no_horizontal_scroll(page)
    shot(page, "setup-desktop")
    with page.expect_navigation():
        page.get_by_role("button", name="完成设置并登录").click()

    assert page.url.endswith("/admin/areas?welcome=1")
    assert page.locator(".area-card h3").all_inner_texts() == ["西湖警务区", "西关警务区"]
    west_gate = fresh_server.query("SELECT id FROM police_areas WHERE name = '西关警务区'")[0][0]
    tool = page.locator("section[id^=add-community]")
    tool.get_by_label("警务区").select_option(label="西关警务区")
    tool.get_by_label("社区名称").fill("西关社区")
    with page.expect_navigation():
        tool.get_by_role("button", name="添加社区").click()
    assert page.url.endswith(f"#area-{west_gate}")
    assert "西关社区" in page.locator(f"#area-{west_gate} .communities").inner_text()
    assert fresh_server.query("SELECT police_area_id FROM communities") == [(west_gate,)]
    no_horizontal_scroll(page)
    shot(page, "admin-areas-desktop")

    on_phone.goto(link)  # used: the page now says so
    assert "已完成设置" in on_phone.locator(".alert-error").inner_text()
    log_in(on_phone, ADMIN_PHONE, ADMIN_PASSWORD)
    on_phone.goto("/admin/areas")
    no_horizontal_scroll(on_phone)
    assert small_touch_targets(on_phone) == []
    shot(on_phone, "admin-areas-phone")
