"""Issue 20's done-when for the police room page and the tip box, in the browser on the demo
server: a resident with no account opens the police room page on a phone (under 30 KB on a
first visit), reads the officers and hours, leaves a tip (a script in it shows as text) and
gets a code; the officer sees it in the officer's day and replies there; the resident types the
code and reads the reply. Screenshots at 360x740 and 1440x900."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import DEMO_LOGINS, log_in, no_horizontal_scroll, shot, small_touch_targets
from tests.e2e.test_phone_light import Traffic

pytestmark = pytest.mark.e2e
SLUG = "chengnan"
FIRST_VISIT_BUDGET = 30 * 1024
TIP = '<img src=x onerror="window.hacked=1">夜里有人在3号楼撬电动车锁'


def test_a_resident_leaves_a_tip_and_reads_the_officers_reply_by_its_code(
    phone: Any, desktop: Any
) -> None:
    page = phone.new_page()
    traffic = Traffic(phone, page)
    page.goto(f"/area/{SLUG}")
    page.wait_for_load_state("load")
    traffic.settle(page)
    assert traffic.total() < FIRST_VISIT_BUDGET, traffic.total()
    assert page.locator("h1").inner_text().startswith("城南警务区")
    assert "这里不是报警电话" in page.locator(".pr-banner").inner_text()
    assert page.locator(".pr-officer", has_text="陈警官").is_visible()
    assert "周一 09:00–11:30" in page.locator(".pr-officer", has_text="陈警官").inner_text()
    assert "0515-88880000" in page.inner_text("body")  # the station's 24-hour duty line
    assert "周一至周五" in page.locator("#reception-hours").inner_text()
    assert page.locator(".pr-fraud").count() == 1
    no_horizontal_scroll(page)
    assert small_touch_targets(page) == []
    shot(page, "police-room-page-phone")

    page.click("text=显示地图")
    page.wait_for_selector("#area-map .leaflet-marker-icon")
    shot(page, "police-room-page-map-phone", full_page=False)

    page.click("a:has-text('线索征集')")
    page.fill("#tip-text", TIP)
    shot(page, "police-room-tip-form-phone")
    page.click("button:has-text('提交线索')")
    code = page.locator("#tip-code").inner_text().strip()
    assert len(code) == 12, code
    shot(page, "police-room-tip-sent-phone")

    office = desktop.new_page()
    log_in(office, DEMO_LOGINS["officer"], landing="/officer")
    tip = office.locator(".pr-tip", has_text="3号楼撬电动车锁")
    assert tip.is_visible()
    assert office.locator(".pr-tip.pr-overdue").count() >= 1  # the demo's overdue tip
    assert office.evaluate("window.hacked") is None
    tip.locator("textarea").fill("已安排巡逻队今晚重点巡查 3 号楼，谢谢您。")
    tip.locator("button:has-text('发送回复')").click()
    office.wait_for_load_state("load")
    assert office.locator(".pr-tip", has_text="3号楼撬电动车锁").count() == 0  # answered
    office.goto("/officer/tips")
    shot(office, "police-room-officer-tips-desktop")
    office.goto("/officer")
    office.locator(".pr-tips").scroll_into_view_if_needed()
    shot(office, "police-room-officer-day-tips-desktop")

    page.goto("/tips")
    page.fill("#code", code.lower().replace("-", " "))
    page.click("button:has-text('查看回复')")
    assert page.locator("#tip-reply").inner_text() == "已安排巡逻队今晚重点巡查 3 号楼，谢谢您。"
    assert TIP in page.locator("#tip-text").inner_text()  # as text, not markup
    assert page.evaluate("window.hacked") is None
    shot(page, "police-room-tip-reply-phone")

    wide = desktop.new_page()
    wide.goto(f"/area/{SLUG}")
    shot(wide, "police-room-page-desktop")


def test_an_officer_posts_a_notice_and_keeps_the_public_profile(phone: Any, desktop: Any) -> None:
    office = desktop.new_page()
    log_in(office, DEMO_LOGINS["officer"], landing="/officer/notices")
    office.fill("#title", "春节期间注意防火防盗")
    office.fill("#body", "外出前关好门窗，楼道里不要堆放杂物。")
    office.click("button:has-text('发布公告')")
    assert office.locator(".pr-notice", has_text="春节期间注意防火防盗").is_visible()
    shot(office, "police-room-notices-desktop")
    office.goto("/officer/profile")
    assert office.locator("input[name=start_0]").input_value() == "09:00"  # the demo's Monday
    office.fill("#title", "社区民警（一级警长）")
    office.click("button:has-text('保存')")
    assert office.locator(".alert-ok").is_visible()
    shot(office, "police-room-profile-desktop")

    page = phone.new_page()
    log_in(page, DEMO_LOGINS["officer"], landing="/officer/profile")
    no_horizontal_scroll(page)
    assert small_touch_targets(page) == []
    shot(page, "police-room-profile-phone")
    page.goto(f"/area/{SLUG}")
    assert page.locator(".pr-notice", has_text="春节期间注意防火防盗").is_visible()
    assert "一级警长" in page.locator(".pr-officer", has_text="陈警官").inner_text()
    page.goto("/officer/notices")
    page.locator(".pr-notice", has_text="春节期间注意防火防盗").locator("button").click()
    page.goto(f"/area/{SLUG}")
    assert page.locator(".pr-notice", has_text="春节期间注意防火防盗").count() == 0
