"""A volunteer joins with an officer's invite code on a phone, in Chinese first, then English."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.helpers import DEMO_LOGINS, log_in, no_horizontal_scroll, shot

pytestmark = pytest.mark.e2e

NEW_PHONE = "13512345678"
NEW_NAME = "王秀英"
NEW_PASSWORD = "meihua-1958"

ROLE_LABELS_ZH = {
    "volunteer": "志愿者",
    "guard": "保安",
    "grid_worker": "网格员",
    "officer": "民警",
    "dispatcher": "调度员",
    "admin": "管理员",
}


def issue_invite_code(page: Any) -> str:
    """The officer opens the invite page, issues a code and reads it off the page."""
    log_in(page, DEMO_LOGINS["officer"])
    page.goto("/officer/invites")
    assert page.locator("h1").inner_text() == "邀请码"
    with page.expect_navigation():
        page.get_by_role("button", name="生成邀请码").click()
    issued = page.locator("[data-invite]")
    code = issued.get_attribute("data-invite")
    assert code and re.fullmatch(r"[A-Z0-9]{6,12}", code), code
    assert issued.inner_text() == code
    # The new code heads the list of the community's codes, unused so far.
    first_row = page.locator("table.list tbody tr").first
    assert first_row.locator("td.code").inner_text() == code
    assert re.match(r"0 / 50\b", first_row.locator("td").nth(1).inner_text())
    return code


def test_officer_invites_and_volunteer_registers_on_phone_then_switches_language(
    desktop: Any, phone: Any
) -> None:
    """An invite issued on the police-room PC lets a new volunteer join on a phone; they stay
    logged in, can log out and in again, and the page follows the language switch both ways."""
    officer = desktop.new_page()
    code = issue_invite_code(officer)
    shot(officer, "desktop-officer-invites-issued")

    page = phone.new_page()
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    with page.expect_navigation():
        page.get_by_role("link", name="报名当志愿者").click()
    assert page.url.endswith("/register")
    no_horizontal_scroll(page)

    # Typed as an older person might: lower case, with a space; the site normalises it.
    page.fill("input[name=invite_code]", f"{code[:4].lower()} {code[4:].lower()}")
    page.fill("input[name=name]", NEW_NAME)
    page.fill("input[name=phone]", NEW_PHONE)
    page.fill("input[name=password]", NEW_PASSWORD)
    page.locator("label.check").tap()  # the whole label is the touch target
    assert page.locator("input[name=agree]").is_checked()
    with page.expect_navigation():
        page.get_by_role("button", name="报名", exact=True).tap()

    # Logged in straight away, on their own page, welcomed in Chinese.
    assert re.search(r"/profile\?welcome=1$", page.url), page.url
    assert page.locator(".alert-ok").inner_text() == "欢迎！您已成为志愿者。"
    assert page.locator("h1").inner_text() == NEW_NAME
    assert page.locator("dd[data-role=volunteer]").inner_text() == "志愿者"
    assert NEW_PHONE in page.locator("dl.facts").inner_text()
    assert page.locator(".duty h2").inner_text() == "未在岗"
    assert page.locator("footer .who").inner_text() == f"{NEW_NAME} · 志愿者"
    no_horizontal_scroll(page)
    shot(page, "phone-profile-welcome")

    # The invite now shows one use on the officer's page.
    officer.goto("/officer/invites")
    row = officer.locator("table.list tbody tr", has=officer.locator("td.code", has_text=code))
    assert re.match(r"1 / 50\b", row.locator("td").nth(1).inner_text())

    # Log out: back on the login page, and the profile is closed to them.
    with page.expect_navigation():
        page.get_by_role("button", name="退出登录", exact=True).tap()
    assert page.url.endswith("/login")
    assert page.locator("footer .who").count() == 0
    page.goto("/profile")
    assert "/login" in page.url
    assert page.locator("h1").inner_text() == "登录"

    # Log in again with the number and password they chose; the login page brings them back.
    page.fill("input[name=phone]", NEW_PHONE)
    page.fill("input[name=password]", NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录", exact=True).tap()
    assert page.url.endswith("/profile"), page.url
    assert page.locator("h1").inner_text() == NEW_NAME
    assert page.locator("dd[data-role=volunteer]").inner_text() == "志愿者"

    # English: the same page, every word switched.
    switch = page.locator(".lang-switch")
    assert switch.inner_text() == "English"
    with page.expect_navigation():
        switch.tap()
    assert page.url.endswith("/profile"), page.url
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("dd[data-role=volunteer]").inner_text() == "Volunteer"
    assert page.get_by_role("button", name="Log out", exact=True).is_visible()
    assert page.locator(".duty h2").inner_text() == "Off duty"
    assert page.locator(".lang-switch").inner_text() == "中文"
    assert "志愿者" not in page.locator("main").inner_text()
    no_horizontal_scroll(page)
    shot(page, "phone-profile-english")

    # The choice sticks across pages.
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="My page").is_visible()

    # And back to Chinese.
    with page.expect_navigation():
        page.locator(".lang-switch").tap()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.get_by_role("link", name="我的", exact=True).is_visible()
    page.goto("/profile")
    assert page.locator("dd[data-role=volunteer]").inner_text() == "志愿者"
    assert page.get_by_role("button", name="退出登录", exact=True).is_visible()


def test_unknown_invite_code_shows_the_translated_error_and_keeps_the_form(phone: Any) -> None:
    """A mistyped invite code is refused with a Chinese message; what was typed is kept."""
    page = phone.new_page()
    page.goto("/register")
    page.fill("input[name=invite_code]", "ZZZZ9999")
    page.fill("input[name=name]", "李桂兰")
    page.fill("input[name=phone]", "13512340000")
    page.fill("input[name=password]", "guilan-123")
    page.locator("label.check").tap()
    with page.expect_navigation() as nav:
        page.get_by_role("button", name="报名", exact=True).tap()
    assert nav.value.status == 404

    error = page.locator(".alert-error")
    assert error.get_attribute("data-code") == "invite_unknown"
    assert error.inner_text() == "邀请码不正确，请向警务室核对。"
    assert error.is_visible()
    box = error.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 740, "the error is below the fold"
    assert page.input_value("input[name=invite_code]") == "ZZZZ9999"
    assert page.input_value("input[name=name]") == "李桂兰"
    assert page.input_value("input[name=phone]") == "13512340000"
    assert page.input_value("input[name=password]") == ""  # never echoed back
    assert page.locator("input[name=agree]").is_checked()
    assert page.locator("footer .who").count() == 0  # nobody got logged in
    no_horizontal_scroll(page)
    shot(page, "phone-register-error")


@pytest.mark.parametrize("role", list(DEMO_LOGINS))
def test_each_demo_role_can_log_in_and_sees_its_role(phone: Any, role: str) -> None:
    """Every seeded demo account logs in with the demo password; its page names its role."""
    page = phone.new_page()
    log_in(page, DEMO_LOGINS[role])
    assert "/login" not in page.url
    page.goto("/profile")
    assert page.locator(f"dd[data-role={role}]").inner_text() == ROLE_LABELS_ZH[role]
    assert page.locator("footer .who").inner_text().endswith(f"· {ROLE_LABELS_ZH[role]}")
    assert DEMO_LOGINS[role] in page.locator("dl.facts").inner_text()
    # Field roles get the on-duty switch; police-room roles do not.
    has_duty = role in ("volunteer", "guard", "grid_worker")
    assert page.locator("section.duty").count() == (1 if has_duty else 0)
