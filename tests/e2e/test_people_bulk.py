"""People in bulk in the browser: an officer at the police room's PC checks a roster (its
problems listed row by row), imports a good one and prints the first-login sheet; a volunteer
scans their card on a cheap phone, chooses a password twice and is logged in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook

from tests.e2e.helpers import DEMO_LOGINS, log_in, no_horizontal_scroll, shot, small_touch_targets
from tests.volunteers.test_first_login import _card_urls

SHOTS = Path("/tmp/shots")
HEADERS = ["姓名", "手机号", "角色", "网格", "巡防队"]
NAMES = "王秀英 李桂兰 张凤英 刘玉兰 陈淑珍 杨建国 黄志强 赵德明 周国华 吴秀珍".split()


def _roster(tmp_path: Path, name: str, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def _thirty() -> list[list[Any]]:
    roles = ["志愿者", "保安", "网格员"]
    teams = ["红袖标巡防一队", "", "楼栋安保队"]
    return [
        [
            f"{NAMES[n % 10]}{'' if n < 10 else n}",
            13855550000 + n,
            roles[n % 3],
            f"G0{1 + n % 4}",
            teams[n % 3],
        ]
        for n in range(30)
    ]


def _check(page: Any, path: Path) -> None:
    page.set_input_files("#roster-file", str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="检查文件").click()


def _save(page: Any, name: str, *, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page, animations="disabled")
    shot(page, name, full_page=full_page)


def test_an_officer_imports_thirty_people_and_one_logs_in_by_the_qr_code(
    desktop: Any, phone: Any, tmp_path: Path
) -> None:
    officer = desktop.new_page()
    log_in(officer, DEMO_LOGINS["officer"])
    officer.goto("/officer/people")
    no_horizontal_scroll(officer)
    _save(officer, "desktop-people")

    # A roster with mistakes: each is listed with its row, nothing is imported.
    bad = _thirty()
    bad[4][1] = bad[3][1]  # the same number twice
    bad[7][3] = "G99"  # no such grid
    bad[11][2] = "队长"  # no such role
    bad[20][1] = "1385555"  # too short
    _check(officer, _roster(tmp_path, "名单-有错.xlsx", bad))
    problems = officer.locator("table.problems tbody tr")
    assert problems.count() == 4
    assert "与第 5 行的手机号相同" in problems.nth(0).inner_text()
    no_horizontal_scroll(officer)
    _save(officer, "desktop-people-preview-problems")
    _save(officer, "desktop-people-preview-problems-full", full_page=True)

    # The corrected roster: ready, then imported.
    _check(officer, _roster(tmp_path, "名单.xlsx", _thirty()))
    assert officer.get_by_text("全部 30 人检查无误，可以导入。").is_visible()
    _save(officer, "desktop-people-preview-ready")
    with officer.expect_navigation():
        officer.get_by_role("button", name="导入 30 人").click()
    assert officer.get_by_text("已导入 30 人").is_visible()
    assert officer.locator("table.list.people tbody tr").count() == 30  # those awaiting
    _save(officer, "desktop-people-imported")

    # The first-login sheet, as the print button fetches it.
    token = officer.locator('meta[name="csrf-token"]').get_attribute("content")
    answer = officer.request.post(
        "/officer/people/first-login-sheet", form={"csrf_token": token, "grid_id": ""}
    )
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(answer.body())
    urls = _card_urls(pdf, tmp_path)
    assert len(urls) == 8

    # A volunteer's phone opens the first card's code.
    mobile = phone.new_page()
    mobile.goto(urls[0])
    assert "您好" in mobile.locator("h1").inner_text()
    no_horizontal_scroll(mobile)
    assert small_touch_targets(mobile) == []
    _save(mobile, "phone-first-login")
    mobile.fill("#password", "meihua-2026")
    mobile.fill("#password_again", "meihua-2027")
    with mobile.expect_navigation():
        mobile.get_by_role("button", name="保存并登录").tap()
    assert "两次输入的密码不一样" in mobile.locator(".alert-error").inner_text()
    _save(mobile, "phone-first-login-mismatch")
    mobile.fill("#password", "meihua-2026")
    mobile.fill("#password_again", "meihua-2026")
    mobile.get_by_text("显示密码").tap()
    assert mobile.locator("#password").get_attribute("type") == "text"
    with mobile.expect_navigation():
        mobile.get_by_role("button", name="保存并登录").tap()
    assert "/profile" in mobile.url

    # The same card again, on another phone: refused, with the way to log in.
    other = phone.new_page()
    other.goto(urls[0])
    assert "不能再用" in other.locator("h1").inner_text()
    _save(other, "phone-first-login-used")
