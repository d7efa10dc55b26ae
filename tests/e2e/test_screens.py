"""Every page as people see it: screenshots at 360x740 (phone) and 1440x900 (police room),
with the layout rules a phone page must keep: no sideways scrolling, touch targets >= 48 px."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import (
    DEMO_LOGINS,
    log_in,
    no_horizontal_scroll,
    shot,
    small_touch_targets,
)

pytestmark = pytest.mark.e2e


def phone_page_is_usable(page: Any) -> None:
    """Chinese, no sideways scrolling, and every link, button and field at least 48 px."""
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    no_horizontal_scroll(page)
    assert small_touch_targets(page) == []


def test_anonymous_phone_pages(phone: Any) -> None:
    """Home, login (also with a wrong password) and register fit a 360 px phone, in Chinese."""
    page = phone.new_page()
    page.goto("/")
    assert page.locator(".hero h1").inner_text() == "万家卫士"
    assert page.get_by_role("link", name="登录", exact=True).first.is_visible()
    phone_page_is_usable(page)
    shot(page, "phone-home")

    page.goto("/login")
    assert page.locator("h1").inner_text() == "登录"
    assert page.locator("input[name=phone]").get_attribute("inputmode") == "numeric"
    phone_page_is_usable(page)
    shot(page, "phone-login")

    page.fill("input[name=phone]", "13500000099")
    page.fill("input[name=password]", "not-the-password")
    with page.expect_navigation() as nav:
        page.get_by_role("button", name="登录", exact=True).tap()
    assert nav.value.status == 401
    error = page.locator(".alert-error")
    assert error.get_attribute("data-code") == "wrong_credentials"
    assert error.is_visible()
    assert page.input_value("input[name=phone]") == "13500000099"
    phone_page_is_usable(page)
    shot(page, "phone-login-error")

    page.goto("/register")
    assert page.locator("h1").inner_text() == "报名当志愿者"
    phone_page_is_usable(page)
    shot(page, "phone-register")


def test_guard_goes_on_duty_on_the_phone_and_the_console_sees_it(phone: Any, desktop: Any) -> None:
    """Off duty, the guard ticks the consent box and goes on duty; the dispatcher's console map
    shows every grid and the on-duty list gains the guard without a reload."""
    console = desktop.new_page()
    log_in(console, DEMO_LOGINS["dispatcher"])
    console.goto("/console")
    # 11 grids and the community outline are drawn as interactive SVG paths.
    console.wait_for_function(
        "() => document.querySelectorAll('#map path.leaflet-interactive').length >= 12"
    )
    console.locator("#live.ok").wait_for()
    console.locator("#roster li").first.wait_for()  # the first roster reply has arrived
    before = int(console.locator("#duty-count").inner_text())

    page = phone.new_page()
    log_in(page, DEMO_LOGINS["guard"])
    page.goto("/profile")
    assert page.locator("dd[data-role=guard]").inner_text() == "保安"
    assert page.locator(".duty h2").inner_text() == "未在岗"
    phone_page_is_usable(page)
    shot(page, "phone-profile-off-duty")

    # Without the consent tick the browser keeps them on the page instead of an error page.
    consent = page.locator("input[name=share_location]")
    assert consent.count() == 1
    page.get_by_role("button", name="上岗", exact=True).tap()
    assert consent.evaluate("el => el.validity.valueMissing")
    assert page.url.endswith("/profile")
    assert page.locator(".duty h2").inner_text() == "未在岗"
    page.locator("label.check").tap()
    assert consent.is_checked()
    with page.expect_navigation():
        page.get_by_role("button", name="上岗", exact=True).tap()
    assert page.locator(".duty.on h2").inner_text() == "在岗"
    assert page.get_by_role("button", name="结束值守", exact=True).is_visible()
    phone_page_is_usable(page)
    shot(page, "phone-profile-on-duty")

    guard_row = console.locator("#roster li", has_text="保安")
    guard_row.first.wait_for()
    console.wait_for_function(
        f"() => Number(document.getElementById('duty-count').textContent) === {before + 1}"
    )
    # Map and list fill exactly the screen below the header: nothing scrolls, the scale shows.
    assert console.evaluate("() => document.documentElement.scrollHeight <= window.innerHeight"), (
        "the console page scrolls"
    )
    scale = console.locator(".leaflet-control-scale").bounding_box()
    assert scale and scale["y"] + scale["height"] <= 900, scale
    map_box = console.locator("#map").bounding_box()
    side_box = console.locator("aside.side").bounding_box()
    assert map_box and side_box
    assert map_box["x"] == 0 and map_box["width"] >= 1000, map_box
    assert map_box["height"] >= 780 and map_box["y"] + map_box["height"] <= 900, map_box
    assert side_box["x"] >= map_box["x"] + map_box["width"] - 1, side_box
    assert side_box["x"] + side_box["width"] <= 1440
    shot(console, "desktop-console", full_page=False)

    # Off duty again, so the demo area is as the next test expects it.
    with page.expect_navigation():
        page.get_by_role("button", name="结束值守", exact=True).tap()
    assert page.locator(".duty h2").inner_text() == "未在岗"
    console.wait_for_function(
        f"() => Number(document.getElementById('duty-count').textContent) === {before}"
    )


def test_officer_pages_on_the_police_room_pc_and_on_a_phone(desktop: Any, phone: Any) -> None:
    """The officer's people and invite pages work at 1440 px and do not overflow a phone."""
    page = desktop.new_page()
    log_in(page, DEMO_LOGINS["officer"])
    assert page.get_by_role("link", name="实时指挥台").is_visible()
    shot(page, "desktop-officer-home")
    page.goto("/officer/people")
    assert page.locator("table.list.people tbody tr").count() == 50  # a page of the 200 and more
    assert page.locator("nav.pager").is_visible()
    no_horizontal_scroll(page)
    shot(page, "desktop-officer-people", full_page=False)
    page.locator("table.list.people").evaluate("el => el.scrollIntoView()")
    shot(page, "desktop-officer-people-table", full_page=False)
    page.goto("/officer/invites")
    no_horizontal_scroll(page)
    shot(page, "desktop-officer-invites")

    mobile = phone.new_page()
    log_in(mobile, DEMO_LOGINS["officer"])
    mobile.locator("#grid-rows tr[data-grid]").first.wait_for()
    # The grid table is a list of cards on a phone: every figure says what it counts.
    labels = (
        mobile.locator("#grid-rows tr[data-grid]")
        .first.locator("td")
        .evaluate_all("tds => tds.map(td => td.dataset.label)")
    )
    assert labels == ["网格", "已巡点位", "在岗", "打卡"], labels
    phone_page_is_usable(mobile)
    shot(mobile, "phone-officer-home")
    for path, name in (
        ("/officer/people", "phone-officer-people"),
        ("/officer/invites", "phone-officer-invites"),
    ):
        mobile.goto(path)
        phone_page_is_usable(mobile)
        # No table cell sticks out past the right edge of the screen.
        overflow = mobile.evaluate(
            """() => [...document.querySelectorAll('table, td, th')]
                  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
                  .length"""
        )
        assert overflow == 0, f"{path}: {overflow} table parts stick out on a 360 px phone"
        shot(mobile, name, full_page=False)
        mobile.locator("table.list").evaluate("el => el.scrollIntoView()")
        shot(mobile, f"{name}-table", full_page=False)


def test_console_draws_hotspots_in_orange(desktop: Any) -> None:
    """On the console map a hotspot patrol point stands out in orange from ordinary points."""
    page = desktop.new_page()
    log_in(page, DEMO_LOGINS["dispatcher"])
    page.goto("/console")
    page.wait_for_function(
        "() => document.querySelectorAll('#map path.leaflet-interactive').length >= 52"
    )
    strokes = page.evaluate(
        """() => [...document.querySelectorAll('#map path.leaflet-interactive')]
                 .map(p => p.getAttribute('stroke'))"""
    )
    assert strokes.count("#e65100") == 10, sorted(set(strokes))
