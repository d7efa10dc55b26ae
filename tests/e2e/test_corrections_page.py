"""The officers' corrections list in the police room's browser: one officer asks, another
approves or rejects, and the list says who did what and when."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import DEMO_LOGINS, log_in, shot

pytestmark = pytest.mark.e2e


def _ask(page: Any, phone: str, points: int, reason: str) -> None:
    if not page.locator(".ask-form").is_visible():
        page.locator(".ask summary").click()
    page.fill("#c-phone", phone)
    page.fill("#c-delta", str(points))
    page.fill("#c-note", reason)
    with page.expect_navigation():
        page.locator(".ask-form button[type=submit]").click()
    assert page.locator(".alert-error[data-code]").count() == 0, page.locator(".alert").inner_text()


def test_a_big_correction_waits_for_a_second_officer(desktop: Any) -> None:
    officer = desktop.new_page()
    log_in(officer, DEMO_LOGINS["officer"])
    officer.goto("/officer/corrections")
    _ask(officer, DEMO_LOGINS["volunteer"], 300, "端午活动奖励漏记")
    assert "审批" in officer.locator(".alert-ok").inner_text()
    _ask(officer, DEMO_LOGINS["guard"], 250, "夜巡签到漏记")
    _ask(officer, DEMO_LOGINS["volunteer"], 20, "漏扫一次，已核实")
    assert officer.locator(".pending-list .decide-form").count() == 0  # one's own: no buttons
    officer.context.clear_cookies()

    admin = desktop.new_page()
    log_in(admin, DEMO_LOGINS["admin"])
    admin.goto("/officer/corrections")
    rows = admin.locator(".pending-list tr[data-correction]")
    assert rows.count() == 2
    shot(admin, "corrections-desktop-pending", full_page=False)
    guard_row = rows.filter(has_text="夜巡签到漏记")
    guard_row.get_by_role("button", name="驳回").click()
    guard_row.locator(".row-error").wait_for()  # a rejection needs its reason, said beside it
    assert "原因" in guard_row.locator(".row-error").inner_text()
    guard_row.locator("input[name=reason]").fill("当晚签到已全部入账")
    with admin.expect_navigation():
        guard_row.get_by_role("button", name="驳回").click()
    admin.once("dialog", lambda dialog: dialog.accept())  # "现在给 … 入账 +300 分吗？"
    with admin.expect_navigation():
        rows.filter(has_text="端午活动奖励漏记").get_by_role("button", name="批准并入账").click()
    assert admin.locator(".pending-list tr[data-correction]").count() == 0
    states = admin.locator(".all-list .state").all_inner_texts()
    assert states[:3] == ["已直接入账", "已驳回", "已审批入账"]
    shot(admin, "corrections-desktop-decided", full_page=False)
