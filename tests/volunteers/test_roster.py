"""People in bulk: a roster's preview names every row's problem and writes nothing, the import
is all or nothing, the list searches by pinyin and pages, and the export reads back."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.roles import Role
from volunteers.models import User
from volunteers.roster_file import MAX_ROWS, read_roster

SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"
HEADERS = ["姓名", "手机号", "角色", "网格", "巡防队"]


def xlsx(rows: list[list[Any]], *, headers: list[str] = HEADERS, merge: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def thirty() -> list[list[Any]]:
    roles = ["志愿者", "保安", "网格员", "volunteer", ""]
    return [
        [
            f"{SURNAMES[n % 20]}{'明华芳'[n % 3]}{n}",
            13900000000 + n,  # Excel keeps numbers as numbers
            roles[n % 5],
            "G01" if n % 2 else "第2网格",
            "巡防一队" if n % 3 == 0 else "",
        ]
        for n in range(30)
    ]


def upload(client: Any, data: bytes, name: str = "roster.xlsx") -> Any:
    return client.post(
        "/officer/people/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )


def people_count(app: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.both_databases
def test_thirty_people_from_an_xlsx_are_previewed_then_imported_with_their_groups(
    app, client, logged_in, area
):
    logged_in(Role.OFFICER)
    before = people_count(app)
    preview = upload(client, xlsx(thirty()))
    assert preview.status_code == 200, preview.get_json()
    body = preview.get_json()
    assert body["rows"] == 30 and body["ready"] and body["problems"] == []
    assert people_count(app) == before  # the preview writes nothing

    done = client.post("/officer/people/import/confirm", json={"token": body["token"]})
    assert done.status_code == 201, done.get_json()
    assert done.get_json()["imported"] == 30
    with app.app_context():
        people = db.session.scalars(select(User).where(User.phone.like("139000000%"))).all()
        assert len(people) == 30
        by_phone = {u.phone: u for u in people}
        first, second = by_phone["13900000000"], by_phone["13900000001"]
        assert (first.role, first.grid_id, first.team_id) == (
            "volunteer",
            area["grid_ids"][1],
            area["team_id"],
        )
        assert (second.role, second.grid_id, second.team_id) == ("guard", area["grid_ids"][0], None)
        assert {u.community_id for u in people} == {area["community_id"]}
    # The same file again: every number is now taken, and the token was used up.
    again = client.post("/officer/people/import/confirm", json={"token": body["token"]})
    assert again.status_code == 404


@pytest.mark.both_databases
def test_the_preview_names_each_rows_problem_and_nothing_is_written(app, client, logged_in):
    officer = logged_in(Role.OFFICER)
    before = people_count(app)
    rows = [
        ["张三", "13912340001", "志愿者", "G01", ""],
        ["李四", "139-1234-0001", "保安", "", ""],  # the same number as row 2, written otherwise
        ["王五", "13912340003", "警察", "G99", "不存在的队"],
        ["", "12345", "网格员", "", ""],
        ["赵六", officer.phone, "", "", ""],  # already registered
    ]
    answer = upload(client, xlsx(rows))
    assert answer.status_code == 200
    body = answer.get_json()
    assert not body["ready"] and body["token"] is None
    found = {(p["line"], p["field"], p["code"]) for p in body["problems"]}
    assert found == {
        (3, "phone", "phone_twice"),
        (4, "role", "role_unknown"),
        (4, "grid", "grid_unknown"),
        (4, "team", "team_unknown"),
        (5, "name", "name_missing"),
        (5, "phone", "phone_malformed"),
        (6, "phone", "phone_taken"),
    }
    twice = next(p for p in body["problems"] if p["code"] == "phone_twice")
    assert "2" in twice["message"]  # names the row it repeats
    assert people_count(app) == before
    # The page shows the same problems in a table, row by row.
    page = client.post(
        "/officer/people/import",
        data={"file": (io.BytesIO(xlsx(rows)), "名单.xlsx")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "zh-CN"},
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "名单.xlsx" in html
    assert html.count('<tr><td class="code"') == 7 and "没有这个网格" in html


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (
            xlsx([["张三", "13912340001", "", "", ""]], merge="A2:B2"),
            "a.xlsx",
            "roster_merged_cells",
        ),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "photo.xlsx", "roster_unreadable"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx", "roster_unreadable"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", "roster_old_excel"),
        ("名字,地址\n张三,某街\n".encode(), "a.csv", "roster_headers"),
        ("姓名,手机号\n".encode(), "a.csv", "roster_empty"),
        (b"", "a.csv", "roster_empty"),
    ],
)
def test_a_file_that_is_not_a_usable_roster_is_refused_as_a_whole(
    app, client, logged_in, data, name, code
):
    logged_in(Role.OFFICER)
    before = people_count(app)
    answer = upload(client, data, name)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["error"]["code"] == code
    assert people_count(app) == before


def test_too_many_rows_or_too_many_bytes_are_refused_with_the_limit(app, client, logged_in):
    logged_in(Role.OFFICER)
    rows = [[f"人{n}", str(13000000000 + n), "", "", ""] for n in range(MAX_ROWS + 1)]
    answer = upload(client, xlsx(rows))
    assert answer.get_json()["error"]["code"] == "roster_too_many_rows"
    assert str(MAX_ROWS) in answer.get_json()["error"]["message"]
    big = upload(client, b"a" * (5 * 1024 * 1024 + 1), "big.csv")
    assert big.status_code == 422 and big.get_json()["error"]["code"] == "roster_too_large"


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_a_csv_from_chinese_excel_reads_in_gbk_and_in_utf8_with_or_without_bom(
    client, logged_in, encoding
):
    logged_in(Role.OFFICER)
    text = "姓名,手机号,角色,网格,巡防队\r\n欧阳娜娜,13912340001,网格员,G02,巡防一队\r\n"
    answer = upload(client, text.encode(encoding), "名单.csv")
    body = answer.get_json()
    assert body["ready"] and body["rows"] == 1, body


def test_english_headers_and_a_title_line_above_them_are_read():
    data = xlsx(
        [["Ann", "13912340001", "guard", "G01", ""]],
        headers=["Name", "Mobile number", "Role", "Grid", "Team"],
    )
    assert read_roster(data)[0].name == "Ann"
    csv = "XX社区志愿者名单\n\n姓名,手机号\n张三,13912340001\n".encode()
    assert [(r.line, r.name) for r in read_roster(csv)] == [(4, "张三")]


@pytest.mark.both_databases
def test_the_import_is_all_or_nothing_when_a_number_is_taken_after_the_preview(
    app, client, logged_in, make_user
):
    logged_in(Role.OFFICER)
    token = upload(client, xlsx(thirty())).get_json()["token"]
    make_user(Role.VOLUNTEER, phone="13900000017")  # registers meanwhile
    before = people_count(app)
    answer = client.post("/officer/people/import/confirm", json={"token": token})
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "roster_has_problems"
    assert people_count(app) == before


def _import(client: Any, rows: list[list[Any]]) -> None:
    token = upload(client, xlsx(rows)).get_json()["token"]
    assert client.post("/officer/people/import/confirm", json={"token": token}).status_code == 201


@pytest.mark.both_databases
def test_the_list_finds_people_by_pinyin_initials_number_and_status_in_pinyin_order(
    client, logged_in
):
    logged_in(Role.OFFICER, name="民警")
    _import(
        client,
        [
            ["张三", "13912340001", "", "G01", ""],
            ["李四", "13912340002", "保安", "G02", "巡防一队"],
            ["张珊珊", "13912340003", "", "", ""],
            ["阿福", "13912340004", "", "", ""],
        ],
    )

    def names(**query: str) -> list[str]:
        html = client.get("/officer/people", query_string=query).get_data(as_text=True)
        table = html.split('<table class="list people">')[1].split("</table>")[0]
        return [cell.split(">")[1].split("<")[0] for cell in table.split('data-label="姓名"')[1:]]

    assert names(q="zs") == ["张三", "张珊珊"]
    assert names(q="zhangs") == ["张三", "张珊珊"]
    assert names(q="李") == ["李四"]
    assert names(q="340004") == ["阿福"]
    assert names(role="guard") == ["李四"]
    everyone = names(status="awaiting")
    assert everyone == ["阿福", "李四", "张三", "张珊珊"]  # a, l, zhangsan, zhangshanshan
    assert names(q="zz") == []


def test_the_list_pages_fifty_at_a_time(client, logged_in):
    logged_in(Role.OFFICER)
    _import(client, [[f"人员{n:03d}", str(13900000000 + n), "", "", ""] for n in range(120)])
    first = client.get("/officer/people").get_data(as_text=True)
    last = client.get("/officer/people?page=3").get_data(as_text=True)
    assert first.count('data-label="姓名"') == 50 and "第 1 / 3 页" in first.replace("Page", "")
    assert last.count('data-label="姓名"') == 121 - 100  # the officer too
    assert client.get("/officer/people?page=abc").status_code == 200  # a wrong page shows page 1


@pytest.mark.both_databases
def test_the_export_reads_back_as_the_roster_it_was_imported_from(client, logged_in):
    logged_in(Role.OFFICER)
    rows = thirty()
    _import(client, rows)
    answer = client.get("/officer/people/export.xlsx?status=awaiting")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    back = {r.phone: r for r in read_roster(answer.data)}
    assert len(back) == 30
    labels = {"": "志愿者", "volunteer": "志愿者"}
    for name, phone, role, grid, team in rows:
        row = back[str(phone)]
        assert (row.name, row.team) == (name, team)
        assert row.role == labels.get(role, role)
        assert row.grid == ("G01" if grid == "G01" else "G02")
    template = client.get("/officer/people/template.xlsx")
    assert read_roster(template.data)[0].name == "张三"


def test_names_that_look_like_formulas_are_exported_as_text(app, client, logged_in):
    """A name typed as ``=HYPERLINK(...)`` must not become a live formula in the officer's
    spreadsheet; a control character pasted into a name does not break the download."""
    logged_in(Role.OFFICER)
    hostile = ['=HYPERLINK("http://evil.example/","点我")', "+1+cmd|' /C calc'!A0", "王\x07五"]
    phones = [str(13900000100 + n) for n in range(3)]
    _import(client, [[f"人员{n}", phone, "", "", ""] for n, phone in enumerate(phones)])
    with app.app_context():  # the names as the registration form takes them
        for phone, name in zip(phones, hostile, strict=True):
            db.session.scalars(select(User).where(User.phone == phone)).one().name = name
        db.session.commit()
    answer = client.get("/officer/people/export.xlsx?status=awaiting")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.data))["人员"]
    cells = {row[1].value: row[0] for row in sheet.iter_rows(min_row=2)}
    assert {cell.data_type for cell in cells.values()} == {"s"}
    assert [cells[phone].value for phone in phones] == [*hostile[:2], "王五"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/officer/people"),
        ("POST", "/officer/people/import"),
        ("POST", "/officer/people/import/confirm"),
        ("POST", "/officer/people/first-login-sheet"),
        ("GET", "/officer/people/export.xlsx"),
        ("GET", "/officer/people/template.xlsx"),
    ],
)
@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.GUARD, Role.GRID_WORKER, Role.DISPATCHER])
def test_only_officers_and_admins_reach_people_in_bulk(client, logged_in, method, path, role):
    logged_in(role)
    answer = client.open(path, method=method, json={}, headers={"Accept": "application/json"})
    assert answer.status_code == 403
