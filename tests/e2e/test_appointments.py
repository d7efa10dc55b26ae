"""Issue 20's done-when for appointments, in the browser on the demo server: a resident with no
account opens the police room's page, signs up from 预约民警 and taps one of 陈警官's free times;
the officer confirms it on the appointments page and the resident's page says 已确认; the demo
resident, who met 陈警官 yesterday, rates the meeting 5 stars with a comment, once. Phone pages
at 360x740 (nothing sideways, 48 px targets) and the officer's page at 1440x900 are shot."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.helpers import DEMO_LOGINS, log_in, no_horizontal_scroll, shot, small_touch_targets

pytestmark = pytest.mark.e2e
RESIDENT = "13200000001"  # the demo resident (app/demo_police_room.py)


def _phone_checks(page: Any) -> None:
    no_horizontal_scroll(page)
    assert small_touch_targets(page) == []


def test_a_new_resident_books_and_the_officer_confirms(phone: Any, desktop: Any) -> None:
    name = f"周{random.choice('建华秀梅国强')}{random.randint(10, 99)}"  # noqa: S311
    number = f"131{random.randint(0, 99_999_999):08d}"  # noqa: S311
    page = phone.new_page()
    page.goto("/area/chengnan")
    card = page.locator(".pr-officer", has_text="陈警官")
    assert "居民评价：4.4 分（满分 5 分，5 条评价）" in card.inner_text()  # the demo's five
    shot(page, "appointments-area-phone")
    page.get_by_role("link", name="预约民警").click()
    page.wait_for_url("**/area/chengnan/join")
    _phone_checks(page)
    shot(page, "appointments-join-phone")
    page.fill("#name", name)
    page.fill("#phone", number)
    page.fill("#password", "zhoujia2026")
    page.locator("input[name=agree]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="注册并选择时间").click()
    assert page.url.endswith("/area/chengnan/book")
    with page.expect_navigation():
        page.get_by_role("link", name="陈警官").click()  # one officer's times at a time
    officer = page.locator(".appt-officer", has_text="陈警官")
    slot = officer.locator(".appt-slot").nth(1)
    picked = slot.inner_text()
    _phone_checks(page)
    shot(page, "appointments-book-phone")
    officer.locator("input[name=topic]").fill("<b>想咨询</b>防诈骗讲座")
    with page.expect_navigation():
        slot.click()
    assert page.url.endswith("/appointments")
    card = page.locator(".appt-card").first
    assert "等待民警确认" in card.inner_text() and picked in card.inner_text()
    assert "<b>想咨询</b>防诈骗讲座" in card.locator(".appt-topic").inner_text()  # as text
    _phone_checks(page)
    shot(page, "appointments-mine-requested-phone")

    desk = desktop.new_page()
    log_in(desk, DEMO_LOGINS["officer"], landing="/officer/appointments")
    mine = desk.locator(".appt-card", has_text=name)
    assert "等待民警确认" in mine.inner_text()
    answer = desk.locator(f'.appt-actions[data-for="{mine.get_attribute("data-id")}"]')
    answer.locator("input[name=note]").fill("请带上身份证")
    no_horizontal_scroll(desk)
    shot(desk, "appointments-desk-desktop", full_page=False)
    with desk.expect_navigation():
        answer.get_by_role("button", name="确认").click()
    assert "已确认" in desk.locator(".appt-card", has_text=name).inner_text()

    page.reload()
    card = page.locator(".appt-card").first
    assert "已确认" in card.inner_text() and "请带上身份证" in card.inner_text()
    shot(page, "appointments-mine-confirmed-phone")


def test_the_demo_resident_rates_yesterdays_meeting_once(phone: Any) -> None:
    page = phone.new_page()
    log_in(page, RESIDENT)
    page.get_by_role("link", name="我的预约").click()
    page.wait_for_url("**/appointments")
    rate = page.locator("form.appt-rate")
    assert rate.count() == 1
    _phone_checks(page)
    shot(page, "appointments-rate-phone")
    rate.locator("label.appt-star", has_text="5").click()
    rate.locator("textarea").fill("民警很耐心，问题当场解决了。")
    with page.expect_navigation():
        rate.get_by_role("button", name="提交评价").click()
    assert page.locator("form.appt-rate").count() == 0
    assert "已评价：★★★★★" in page.locator(".appt-card.appt-done").inner_text()
    shot(page, "appointments-rated-phone")


def test_the_officer_proposes_another_time_and_the_resident_accepts(
    phone: Any, desktop: Any
) -> None:
    later = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=3)
    typed = later.strftime("%Y-%m-%dT15:10")
    desk = desktop.new_page()
    log_in(desk, DEMO_LOGINS["officer"], landing="/officer/appointments")
    asked = desk.locator(".appt-card", has_text="孙秀英").filter(has_text="等待民警确认")
    answer = desk.locator(f'.appt-actions[data-for="{asked.get_attribute("data-id")}"]')
    answer.locator("input[name=note]").fill("周一上午我要开会，改到这个时间可以吗？")
    answer.locator("input[name=starts_at]").fill(typed)
    with desk.expect_navigation():
        answer.get_by_role("button", name="提议这个时间").click()
    assert "民警提议改时间" in desk.locator(".appt-card", has_text="周一上午我要开会").inner_text()

    page = phone.new_page()
    log_in(page, RESIDENT, landing="/appointments")
    card = page.locator(".appt-card.appt-proposed")
    assert f"{typed[:10]}" in card.inner_text() and "15:10" in card.inner_text()
    _phone_checks(page)
    shot(page, "appointments-proposed-phone")
    with page.expect_navigation():
        page.get_by_role("button", name="接受这个时间").click()
    confirmed = page.locator(".appt-card", has_text="周一上午我要开会")
    assert "已确认" in confirmed.inner_text()
