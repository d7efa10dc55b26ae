"""A police station sets itself up, in the browser, on a fresh database without the demo (issue
18's "done when"): the one-time set-up link, a station with two police areas, an officer per
area; area 1's officer imports its community and grids from a GeoJSON file and draws a third
grid by hand, imports 30 people from a spreadsheet and prints their first-login sheet, and one
of them logs in by the QR code; patrol points come from a CSV; that volunteer's scan is held as
doubtful, appealed with one tap, approved, and the points arrive. Area 2's officer sees none of
it. Each step's own details are tested beside it; this test is the whole day in one go."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from openpyxl import Workbook

from tests.e2e.helpers import PHONE, log_in, no_horizontal_scroll, shot, small_touch_targets
from tests.e2e.test_boundaries import EXAMPLE, THIRD_GRID, _click_corners
from tests.e2e.test_setup import _fill_area, _printed_link
from tests.servers import Server, running
from tests.volunteers.test_first_login import _card_urls

ADMIN = ("13900008888", "Zhang-2026-shouhu-wanjia")
OFFICER_1 = ("13900008801", "Li-2026-dongbian-jingwu")
OFFICER_2 = ("13900008802", "Wang-2026-xibian-jingwu")
NAMES = "王秀英 李桂兰 张凤英 刘玉兰 陈淑珍 杨建国 黄志强 赵德明 周国华 吴秀珍".split()
JSON = {"Accept": "application/json"}
POINTS_CSV = (
    "名称,纬度,经度,网格编号,半径（米）,积分\r\n东湖·北门岗亭,33.3815,120.1700,D01,50,10\r\n"
)
NORTH_GATE = (33.3815, 120.1700)  # GCJ-02 is not involved: the points file is WGS-84


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """This test's own server on an empty database: its set-up link works once."""
    with running(tmp_path_factory.mktemp("station-story")) as server:
        yield server


@pytest.fixture
def desk(browser: Any, station: Server) -> Iterator[Any]:
    context = browser.new_context(
        base_url=station.base, locale="zh-CN", viewport={"width": 1440, "height": 900}
    )
    context.set_default_timeout(8_000)
    yield context
    context.close()


@pytest.fixture
def make_phone(browser: Any, station: Server) -> Iterator[Any]:
    made: list[Any] = []

    def make(**options: Any) -> Any:
        context = browser.new_context(base_url=station.base, **{**PHONE, **options})
        context.set_default_timeout(8_000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


def _set_up_station(page: Any, server: Server) -> None:
    page.goto(_printed_link(server))
    page.fill("#name", "张所长")
    page.fill("#phone", ADMIN[0])
    page.fill("#password", ADMIN[1])
    page.fill("#station_name", "城东派出所")
    page.fill("#station_phone", "0515-86880000")
    rows = page.locator("#area-rows .area-row")
    _fill_area(rows.nth(0), "东湖警务区", "东湖路 1 号警务室", "0515-86880110")
    page.get_by_role("button", name="+ 再添加一个警务区").click()
    _fill_area(rows.nth(1), "东关警务区", "东关街 9 号警务室", "0515-86880120")
    with page.expect_navigation():
        page.get_by_role("button", name="完成设置并登录").click()
    assert page.url.endswith("/admin/areas?welcome=1")


def _add_officer(page: Any, name: str, login: tuple[str, str], area: str) -> None:
    tool = page.locator("section[id^=add-account]")
    tool.get_by_label("姓名").fill(name)
    tool.get_by_label("手机号").fill(login[0])
    tool.locator("input[name=password]").fill(login[1])
    tool.get_by_label("身份").select_option("officer")
    tool.get_by_label("负责范围").select_option(label=area)
    with page.expect_navigation():
        tool.get_by_role("button", name="创建账号").click()
    assert page.locator(".alert-error").count() == 0, page.locator(".alert-error").all_inner_texts()


def _import_boundaries(page: Any, server: Server) -> int:
    page.goto("/officer/boundaries")
    page.set_input_files("#boundary-file", str(EXAMPLE))
    with page.expect_navigation():
        page.get_by_role("button", name="检查文件").click()
    with page.expect_navigation():
        page.get_by_role("button", name="导入 3 个边界").click()
    [(community_id,)] = server.query("SELECT id FROM communities WHERE name = '东湖社区'")
    page.locator(f"#boundary-map path.boundary-community-{community_id}").wait_for()
    page.select_option("#draw-target", f"new-grid:{community_id}")
    page.fill("#new-grid-code", "D03")
    page.fill("#new-grid-name", "东湖第3网格")
    page.locator("#draw-start").click()
    _click_corners(page, community_id, THIRD_GRID)
    with page.expect_navigation():
        page.locator("#draw-save").click()
    assert "东湖第3网格 的边界已保存" in page.locator("[data-saved]").inner_text()
    shot(page, "story-boundaries")
    return community_id


def _thirty(tmp_path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机号", "角色", "网格", "巡防队"])
    roles = ["志愿者", "保安", "网格员"]
    for n in range(30):
        sheet.append([f"{NAMES[n % 10]}{n}", 13866660000 + n, roles[n % 3], f"D0{1 + n % 3}", ""])
    path = tmp_path / "东湖名单.xlsx"
    book.save(path)
    return path


def _import_people(page: Any, tmp_path: Path) -> list[str]:
    """Import the roster and print the first-login sheet: its cards' URLs."""
    page.goto("/officer/people")
    page.set_input_files("#roster-file", str(_thirty(tmp_path)))
    with page.expect_navigation():
        page.get_by_role("button", name="检查文件").click()
    assert page.get_by_text("全部 30 人检查无误，可以导入。").is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="导入 30 人").click()
    assert page.get_by_text("已导入 30 人").is_visible()
    shot(page, "story-people")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    sheet = page.request.post(
        "/officer/people/first-login-sheet", form={"csrf_token": token, "grid_id": ""}
    )
    assert sheet.status == 200 and sheet.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(sheet.body())
    return _card_urls(pdf, tmp_path)


def _import_points(page: Any, tmp_path: Path) -> dict[str, Any]:
    page.goto("/officer/points/import")
    path = tmp_path / "点位.csv"
    path.write_bytes(POINTS_CSV.encode("gb18030"))
    page.set_input_files("#import-file", str(path))
    page.get_by_role("button", name="检查文件").click()
    page.get_by_text("全部 1 个点位都可以导入。").wait_for()
    with page.expect_navigation():
        page.get_by_role("button", name="导入 1 个点位").click()
    [point] = page.request.get("/api/points", headers=JSON).json()["points"]
    return point


def test_a_station_sets_itself_up_and_its_first_held_patrol_is_paid(
    station: Server, desk: Any, make_phone: Any, tmp_path: Path
) -> None:
    admin = desk.new_page()
    _set_up_station(admin, station)
    _add_officer(admin, "李警官", OFFICER_1, "东湖警务区")
    _add_officer(admin, "王警官", OFFICER_2, "东关警务区")
    no_horizontal_scroll(admin)
    shot(admin, "story-admin-areas")
    admin.context.clear_cookies()

    officer = desk.new_page()
    log_in(officer, *OFFICER_1)
    community_id = _import_boundaries(officer, station)
    assert station.query(
        "SELECT code FROM grids WHERE community_id = ? ORDER BY code", community_id
    ) == [("D01",), ("D02",), ("D03",)]
    cards = _import_people(officer, tmp_path)
    assert len(cards) == 8
    point = _import_points(officer, tmp_path)
    assert point["name"] == "东湖·北门岗亭"

    # The first card's person logs in by its QR code on their phone, then scans the poster
    # standing (by the phone's word) exactly on the point's coordinates: held, not refused.
    phone = make_phone(
        geolocation={"latitude": NORTH_GATE[0], "longitude": NORTH_GATE[1], "accuracy": 10},
        permissions=["geolocation"],
    )
    mobile = phone.new_page()
    mobile.goto(cards[0])
    mobile.fill("#password", "meihua-2026")
    mobile.fill("#password_again", "meihua-2026")
    with mobile.expect_navigation():
        mobile.get_by_role("button", name="保存并登录").tap()
    assert "/profile" in mobile.url
    before = mobile.request.get("/me/checkins", headers=JSON).json()["balance"]
    mobile.goto(urlsplit(point["url"]).path)
    mobile.locator("#status.held").wait_for(timeout=10_000)
    assert mobile.locator("#held-reasons li").count() >= 1
    mobile.locator("#appeal").tap()
    mobile.locator("#appeal-done").wait_for()
    assert small_touch_targets(mobile) == []
    shot(mobile, "story-phone-held-appealed")

    officer.goto("/officer/held")
    row = officer.locator("tr[data-held]")
    assert row.count() == 1 and "已申诉" in row.inner_text()
    row.get_by_role("button", name="批准，发放 +10").click()
    row.locator(".decided").wait_for()
    shot(officer, "story-held-approved")
    after = mobile.request.get("/me/checkins", headers=JSON).json()["balance"]
    assert after == before + 10

    # Area 2's officer: none of area 1's people, points, held scans or boundaries.
    officer.context.clear_cookies()
    other = desk.new_page()
    log_in(other, *OFFICER_2)
    for path in ("/officer/people", "/officer/points", "/officer/held", "/officer/boundaries"):
        other.goto(path)
        text = other.locator("main").inner_text()
        for seen in ("东湖·北门岗亭", "东湖社区", NAMES[0]):
            assert seen not in text, (path, seen)
    assert other.request.get(f"/officer/points/{point['id']}", headers=JSON).status == 404
    shot(other, "story-area-2-boundaries")
