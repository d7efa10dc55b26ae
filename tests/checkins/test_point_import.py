"""Patrol points in bulk: a spreadsheet's preview names every row's problem (row, column,
reason) and writes nothing; the import is all or nothing; CSV (UTF-8 or GB18030) and XLSX both
read; GCJ-02 coordinates are stored as WGS-84."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.geodatum import gcj02_to_wgs84
from app.roles import Role
from checkins.models import PatrolPoint

HEADERS = ["名称 (name)", "纬度 (latitude)", "经度 (longitude)", "网格编号 (grid code)",
           "半径（米） (radius m)", "积分 (points)", "重点 (hotspot)"]  # fmt: skip
GOOD = [
    ["菜市场东门", 33.3801, 120.1602, "G01", 50, 10, "否"],
    ["小学后门", 33.3812, 120.1633, "G01", "", "", ""],
    ["河边步道", 33.3790, 120.1581, "G02", 80, 20, "是"],
]


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8-sig", headers=HEADERS) -> bytes:
    lines = [",".join(str(c) for c in row) for row in [headers, *rows]]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx(rows: list[list[Any]], *, merge: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client: Any, data: bytes, name: str = "points.csv", **form: str) -> Any:
    return client.post(
        "/officer/points/import",
        data={"file": (io.BytesIO(data), name), **form},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )


def confirm(client: Any, token: str, **extra: Any) -> Any:
    return client.post("/officer/points/import/confirm", json={"token": token, **extra})


def points_now(app: Any) -> list[tuple[str, int, float, float, int, int, bool]]:
    with app.app_context():
        rows = db.session.scalars(select(PatrolPoint).order_by(PatrolPoint.id)).all()
        return [(p.name, p.grid_id, p.lat, p.lon, p.radius_m, p.points, p.hotspot) for p in rows]


def point_count(app: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PatrolPoint))


@pytest.mark.both_databases
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_a_csv_in_utf8_with_or_without_bom_or_gb18030_previews_then_imports(
    app, client, logged_in, area, encoding
):
    logged_in(Role.OFFICER)
    preview = upload(client, csv_bytes(GOOD, encoding))
    body = preview.get_json()
    assert preview.status_code == 200 and body["ready"] and body["rows"] == 3, body
    assert point_count(app) == 0  # the preview writes nothing
    answer = confirm(client, body["token"])
    assert answer.status_code == 201 and answer.get_json() == {"imported": 3}
    g1, g2 = area["grid_ids"]
    assert points_now(app) == [
        ("菜市场东门", g1, 33.3801, 120.1602, 50, 10, False),
        ("小学后门", g1, 33.3812, 120.1633, 50, 10, False),  # empty cells: a new point's defaults
        ("河边步道", g2, 33.3790, 120.1581, 80, 20, True),
    ]
    again = confirm(client, body["token"])  # a token imports once
    assert again.status_code == 404 and point_count(app) == 3


def test_the_template_filled_in_excel_imports_with_english_headers_read_too(
    app, client, logged_in, area
):
    logged_in(Role.OFFICER)
    template = client.get("/officer/points/import/template.xlsx")
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.data))
    sheet = book.active
    assert [c.value for c in sheet[1]][:4] == HEADERS[:4]
    sheet.delete_rows(2)  # the example row
    for row in GOOD:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    body = upload(client, buffer.getvalue(), "巡逻点.xlsx").get_json()
    assert body["ready"] and body["rows"] == 3, body
    assert confirm(client, body["token"]).status_code == 201
    english = csv_bytes(
        [["Gate", "33.38", "120.16", "G02"]], headers=["Name", "Latitude", "Longitude", "Grid code"]
    )
    assert upload(client, english).get_json()["ready"]
    assert point_count(app) == 3


def test_gcj02_coordinates_are_stored_as_wgs84(app, client, logged_in):
    logged_in(Role.OFFICER)
    body = upload(client, csv_bytes(GOOD[:1]), datum="gcj02").get_json()
    assert confirm(client, body["token"], datum="gcj02").status_code == 201
    (_name, _grid, lat, lon, *_rest) = points_now(app)[0]
    expected = gcj02_to_wgs84(33.3801, 120.1602)
    assert (lat, lon) == pytest.approx(expected, abs=1e-9)
    assert abs(lat - 33.3801) + abs(lon - 120.1602) > 0.001  # a few hundred metres moved


BAD_ROWS = [
    (["", 33.38, 120.16, "G01"], "name", "point_name_missing"),
    (["北门岗亭", "三十三", 120.16, "G01"], "lat", "lat_not_a_number"),
    (["北门岗亭", "nan", 120.16, "G01"], "lat", "lat_not_a_number"),
    (["北门岗亭", "", 120.16, "G01"], "lat", "lat_missing"),
    (["北门岗亭", 91, 120.16, "G01"], "lat", "lat_range"),
    (["北门岗亭", 33.38, 181, "G01"], "lon", "lon_range"),
    (["北门岗亭", 33.38, 120.16, "G09"], "grid", "grid_unknown"),
    (["北门岗亭", 33.38, 120.16, "N01"], "grid", "grid_unknown"),  # the second area's grid
    (["北门岗亭", 33.38, 120.16, "2147483648"], "grid", "grid_unknown"),
    (["北门岗亭", 33.38, 120.16, ""], "grid", "grid_missing"),
    (["北门岗亭", 33.38, 120.16, "G01", 5], "radius_m", "radius_m_range"),
    (["北门岗亭", 33.38, 120.16, "G01", 50.5], "radius_m", "radius_m_not_a_number"),
    (["北门岗亭", 33.38, 120.16, "G01", 50, 1000], "points", "points_range"),
    (["北门岗亭", 33.38, 120.16, "G01", 50, 10, "也许"], "hotspot", "hotspot_unclear"),
    (["菜市场东门", 33.38, 120.16, "G01"], "name", "point_name_twice"),  # row 2's name, grid
    (["老菜场", 33.38, 120.16, "G01"], "name", "point_name_taken"),  # an existing point's
]


@pytest.mark.parametrize(("row", "column", "code"), BAD_ROWS)
def test_each_kind_of_bad_row_is_named_by_row_column_and_reason_and_nothing_is_written(
    app, client, logged_in, make_point, second_area, row, column, code
):
    make_point(name="老菜场")
    logged_in(Role.OFFICER)
    before = points_now(app)
    body = upload(client, csv_bytes([GOOD[0], row, GOOD[2]])).get_json()
    assert not body["ready"] and body["token"] is None and body["rows"] == 3
    assert [(p["line"], p["field"], p["code"]) for p in body["problems"]] == [(3, column, code)]
    assert body["problems"][0]["message"]
    assert points_now(app) == before


def test_the_same_name_in_two_grids_is_two_points(client, logged_in):
    logged_in(Role.OFFICER)
    rows = [["北门", 33.38, 120.16, "G01"], ["北门", 33.381, 120.161, "G02"]]
    assert upload(client, csv_bytes(rows)).get_json()["ready"]


def test_the_preview_page_lists_every_problem_in_chinese(app, client, logged_in):
    logged_in(Role.OFFICER)
    rows = [["", "abc", 120.16, "G09"], *GOOD]
    page = client.post(
        "/officer/points/import",
        data={"file": (io.BytesIO(csv_bytes(rows)), "点位.csv")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "zh-CN"},
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "点位.csv" in html
    assert html.count('<tr data-code="') == 3
    assert "纬度不是数字" in html and "您的警务区没有这个网格" in html
    assert point_count(app) == 0


def test_english_readers_get_english_reasons(client, logged_in):
    logged_in(Role.OFFICER)
    client.get("/lang/en")
    body = upload(client, csv_bytes([["x", 95, 120.16, "G01"]])).get_json()
    assert body["problems"][0]["message"] == "The latitude must be between -90 and 90."
