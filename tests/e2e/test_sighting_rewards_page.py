"""The officers' sighting rewards page in a browser: six kinds in Chinese with big number
fields, each saved on its own with "已保存" under it, a wrong number refused beside its field;
on a phone nothing scrolls sideways and every target is 48 px."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import DEMO_LOGINS, log_in, no_horizontal_scroll, shot, small_touch_targets

pytestmark = pytest.mark.e2e
PAGE = "/officer/sighting-rewards"


def _save(page: Any, kind: str, points: str) -> Any:
    row = page.locator(f'.reward-row[data-category="{kind}"]')
    row.locator("input[name=points]").fill(points)
    row.get_by_role("button", name="保存").click()
    return row


def test_an_officer_sets_what_a_kind_pays_on_a_phone(phone: Any) -> None:
    page = phone.new_page()
    log_in(page, DEMO_LOGINS["officer"], landing=PAGE)
    assert page.locator(".reward-name").all_inner_texts() == [
        "可疑人员", "可疑车辆", "可疑情况", "火灾隐患", "消防通道堵塞", "诈骗",
    ]  # fmt: skip
    no_horizontal_scroll(page)
    assert small_touch_targets(page) == []
    was = page.locator("#points-fire_risk").input_value()
    try:
        row = _save(page, "fire_risk", "5000")
        assert row.locator(".reward-error").inner_text() == "请填 0 到 1000 之间的整数。"
        assert row.locator("input").get_attribute("aria-invalid") == "true"
        shot(page, "sighting-rewards-phone-refused")
        row = _save(page, "fire_risk", "50")
        row.locator(".reward-saved", has_text="已保存：50 分。").wait_for()
        assert row.locator(".reward-error").is_hidden()
        shot(page, "sighting-rewards-phone-saved")
        page.reload()
        assert page.locator("#points-fire_risk").input_value() == "50"
    finally:
        _save(page, "fire_risk", was).locator(".reward-saved").wait_for()  # others count points


def test_the_page_on_the_police_rooms_screen(desktop: Any) -> None:
    page = desktop.new_page()
    log_in(page, DEMO_LOGINS["officer"], landing=PAGE)
    assert page.locator(".reward-row").count() == 6
    no_horizontal_scroll(page)
    shot(page, "sighting-rewards-desktop", full_page=False)
