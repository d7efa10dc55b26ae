"""My data on a phone: a volunteer finds it from the footer, reads what closing the account
does, types the password, ticks "I understand" and closes it; they land logged out, and the
number no longer logs in."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.helpers import log_in, no_horizontal_scroll, shot, small_touch_targets
from tests.e2e.test_register import issue_invite_code

pytestmark = pytest.mark.e2e

PHONE_NUMBER = "13512340771"  # a volunteer of this test's own: the demo logins stay open
NAME = "周桂芳"
PASSWORD = "guifang-1958"


def _join(page: Any, code: str) -> None:
    page.goto(f"/register?code={code}")
    page.fill("input[name=name]", NAME)
    page.fill("input[name=phone]", PHONE_NUMBER)
    page.fill("input[name=password]", PASSWORD)
    page.locator("label.check").tap()
    with page.expect_navigation():
        page.get_by_role("button", name="报名", exact=True).tap()
    assert page.locator("footer .who").inner_text().startswith(NAME)


def test_a_volunteer_closes_their_account_from_my_data(desktop: Any, phone: Any) -> None:
    code = issue_invite_code(desktop.new_page())
    page = phone.new_page()
    _join(page, code)

    # From the footer to My data: the counts, the download, and the way to close.
    with page.expect_navigation():
        page.locator("footer").get_by_role("link", name="我的数据").tap()
    assert page.url.endswith("/me/data")
    assert page.locator("h1").inner_text() == "我的数据"
    assert page.locator("#close-account").inner_text() == "注销账号"
    no_horizontal_scroll(page)
    assert small_touch_targets(page) == []
    shot(page, "phone-my-data")

    with page.expect_navigation():
        page.get_by_role("link", name="注销账号…").tap()
    assert page.url.endswith("/me/close")
    main = page.locator("main").inner_text()
    for said in ("姓名和手机号", "退出登录", "已注销用户", "无法恢复", "同一个手机号重新注册"):
        assert said in main, said
    assert page.get_by_role("link", name="先下载我的数据").get_attribute("href") == (
        "/me/data.xlsx"
    )
    no_horizontal_scroll(page)
    assert small_touch_targets(page) == []
    shot(page, "phone-close-account")

    # Forgetting the tick: told so in Chinese, on the same page, nothing closed.
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation() as nav:
        page.get_by_role("button", name="永久注销我的账号").tap()
    assert nav.value.status == 422
    error = page.locator(".alert-error")
    assert error.get_attribute("data-code") == "not_understood"
    assert "我明白" in error.inner_text()
    # The page opens at the form (#confirm), the error on screen beside the fields.
    box = error.bounding_box()
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 740, box
    assert page.locator("input[name=password]").input_value() == ""  # never echoed back
    shot(page, "phone-close-account-error", full_page=False)

    # The password again, the tick (the whole label is the target), the big red button.
    page.fill("input[name=password]", PASSWORD)
    page.locator("label.check").tap()
    assert page.locator("input[name=understood]").is_checked()
    with page.expect_navigation():
        page.get_by_role("button", name="永久注销我的账号").tap()
    assert urlsplit(page.url).path == "/me/closed"
    assert page.locator("h1").inner_text() == "您的账号已注销"
    assert page.locator("footer .who").count() == 0
    assert page.locator("footer").get_by_role("link", name="登录").is_visible()
    no_horizontal_scroll(page)
    shot(page, "phone-account-closed")

    # Logged out for good: my data asks for a login, and the old number no longer logs in.
    page.goto("/me/data")
    assert "/login" in page.url
    log_in(page, PHONE_NUMBER, PASSWORD)
    assert page.locator(".alert-error").get_attribute("data-code") == "wrong_credentials"
