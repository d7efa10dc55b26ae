"""Logging out clears the phone's storage (shared duty phones), which holds the sighting
reports still waiting to send: the logout asks first, and saying no keeps them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import log_in

pytestmark = pytest.mark.e2e

WAITING_REPORTER = "13600000046"  # a demo volunteer no other browser test logs in as


def test_logging_out_with_reports_waiting_asks_first(phone: Any) -> None:
    page = phone.new_page()
    log_in(page, WAITING_REPORTER, landing="/report")
    page.locator(".cat-fire_risk .cat-face").tap()
    page.fill("#behaviour", "楼道里有人在给电动车充电")
    page.locator("#where", has_text="15").wait_for()
    phone.set_offline(True)
    page.locator("#send").tap()
    page.locator("#outcome-status.queued").wait_for()
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", answer)
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_timeout(300)
    assert asked and "1 条报告没有发出去" in asked[0]
    assert page.get_by_role("button", name="退出登录").is_visible()  # still logged in
    phone.set_offline(False)
    page.locator("#outcome-status.done").wait_for(timeout=30_000)
    page.reload()
    with page.expect_navigation():
        page.get_by_role("button", name="退出登录").click()  # nothing waits: no question
