"""Patrol points in bulk, as an attacker or with a bad file: a file that is not a usable
spreadsheet is refused as a whole, quickly, and writes nothing; only officers (and admins)
reach the import; an officer of another police area cannot import into area 1's grids; a
stale, forged or someone else's confirmation token imports nothing."""

from __future__ import annotations

import dataclasses
import os
import time

import pytest

from app import spreadsheet
from app.errors import Invalid
from app.roles import Role
from checkins.point_import import LAYOUT, MAX_ROWS
from tests.checkins.test_point_import import (
    GOOD,
    confirm,
    csv_bytes,
    point_count,
    points_now,
    upload,
    xlsx,
)
from tests.conftest import STAFF_PASSWORD, log_in


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (xlsx(GOOD, merge="A2:B2"), "a.xlsx", "point_file_merged_cells"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "photo.xlsx", "point_file_unreadable"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx", "point_file_unreadable"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", "point_file_old_excel"),
        ("名称,地址\n北门,某街\n".encode(), "a.csv", "point_file_headers"),
        (csv_bytes([]), "a.csv", "point_file_empty"),
        (b"", "a.csv", "point_file_empty"),
        (b"a" * (1024 * 1024 + 1), "big.csv", "point_file_too_large"),
    ],
)
def test_a_file_that_is_not_a_usable_spreadsheet_is_refused_as_a_whole(
    app, client, logged_in, data, name, code
):
    logged_in(Role.OFFICER)
    answer = upload(client, data, name)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["error"]["code"] == code
    assert point_count(app) == 0


def test_100000_rows_are_refused_quickly_naming_the_limit(app, client, logged_in):
    logged_in(Role.OFFICER)
    data = ("名称,纬度,经度,网格编号\n" + "a,1,1,G\n" * 100_000).encode()
    assert len(data) < 1024 * 1024  # under the size limit: the row limit refuses it
    started = time.perf_counter()
    answer = upload(client, data)
    elapsed = time.perf_counter() - started
    error = answer.get_json()["error"]
    assert answer.status_code == 422 and error["code"] == "point_file_too_many_rows"
    assert str(MAX_ROWS) in error["message"]
    assert elapsed < 3.0, elapsed  # 0.1 s measured; the margin is for a loaded machine
    rows = [[f"点{n}", 33.38, 120.16, "G01"] for n in range(MAX_ROWS + 1)]
    answer = upload(client, xlsx(rows), "many.xlsx")
    assert answer.get_json()["error"]["code"] == "point_file_too_many_rows"
    assert point_count(app) == 0


def test_merged_cells_after_many_rows_are_found_without_parsing_the_rows(app):
    """The merged ranges follow every cell in the sheet's XML: the search for them crosses
    two 1 MB chunks of 12,000 rows, and is a byte search, not an XML parse (that took 25 s
    for 100,000 rows on a loaded 2-core machine, the byte search 0.65 s)."""
    rows = [[f"点{n}", 33.38, 120.16, "G01"] for n in range(12_000)]
    data = xlsx(rows, merge="A12001:B12001")
    roomy = dataclasses.replace(LAYOUT, max_bytes=len(data))
    with app.test_request_context():
        started = time.perf_counter()
        with pytest.raises(Invalid) as refused:
            spreadsheet.read_table(data, roomy)
        elapsed = time.perf_counter() - started
    assert refused.value.code == "point_file_merged_cells"
    assert refused.value.params["cells"] == "A12001:B12001"
    assert elapsed < 2.0, elapsed


def test_a_50_mb_upload_is_refused_before_it_is_read(app, client, logged_in):
    logged_in(Role.OFFICER)
    started = time.perf_counter()
    answer = upload(client, b"x" * (50 * 1024 * 1024), "huge.csv")
    assert answer.status_code == 413
    assert answer.get_json()["error"]["code"] == "too_large"
    assert time.perf_counter() - started < 5
    assert point_count(app) == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/officer/points/import"),
        ("GET", "/officer/points/import/template.xlsx"),
        ("POST", "/officer/points/import"),
        ("POST", "/officer/points/import/confirm"),
    ],
)
@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.GUARD, Role.GRID_WORKER, Role.DISPATCHER])
def test_only_officers_and_admins_reach_the_points_import(client, logged_in, method, path, role):
    logged_in(role)
    answer = client.open(path, method=method, json={}, headers={"Accept": "application/json"})
    assert answer.status_code == 403


def test_a_visitor_who_is_not_logged_in_is_asked_to_log_in(app, client):
    answer = upload(client, csv_bytes(GOOD))
    assert answer.status_code == 401 and point_count(app) == 0


@pytest.mark.both_databases
def test_an_officer_of_another_area_cannot_import_into_area_1s_grids(
    app, client, outsider, second_area
):
    log_in(client, outsider, STAFF_PASSWORD)
    body = upload(client, csv_bytes(GOOD)).get_json()  # G01, G02: area 1's grids
    assert not body["ready"] and body["token"] is None
    assert {(p["field"], p["code"]) for p in body["problems"]} == {("grid", "grid_unknown")}
    assert len(body["problems"]) == 3
    before = points_now(app)
    # Their own grid takes the same rows.
    own = [[name, lat, lon, "N01", *rest] for name, lat, lon, _grid, *rest in GOOD]
    token = upload(client, csv_bytes(own)).get_json()["token"]
    assert confirm(client, token).status_code == 201
    added = points_now(app)[len(before) :]
    assert {grid for _name, grid, *_rest in added} == {second_area["grid_id"]}


@pytest.mark.parametrize(
    "token",
    ["0" * 32, "../../etc/passwd", "٣" * 32, "a" * 65, ""],
)
def test_a_forged_or_malformed_confirmation_token_imports_nothing(app, client, logged_in, token):
    logged_in(Role.OFFICER)
    answer = confirm(client, token)
    assert answer.status_code in (404, 422)
    code = answer.get_json()["error"]["code"]
    assert code == ("point_file_upload_gone" if answer.status_code == 404 else "invalid_input")
    assert point_count(app) == 0


def test_a_stale_token_or_another_officers_token_imports_nothing(app, client, logged_in, make_user):
    logged_in(Role.OFFICER)
    token = upload(client, csv_bytes(GOOD)).get_json()["token"]
    log_in(client, make_user(Role.OFFICER))  # a colleague of the same area
    assert confirm(client, token).get_json()["error"]["code"] == "point_file_upload_gone"
    mine = upload(client, csv_bytes(GOOD)).get_json()["token"]
    folder = os.path.join(app.instance_path, "point_imports")
    (stored,) = [f for f in os.listdir(folder) if mine in f]
    day_ago = time.time() - 25 * 3600
    os.utime(os.path.join(folder, stored), (day_ago, day_ago))
    assert confirm(client, mine).status_code == 404
    assert point_count(app) == 0


def test_a_malformed_confirmation_names_the_field(client, logged_in):
    logged_in(Role.OFFICER)
    token = upload(client, csv_bytes(GOOD)).get_json()["token"]
    answer = confirm(client, token, datum="bd09")
    error = answer.get_json()["error"]
    assert answer.status_code == 422 and error["field"] == "datum"
    not_json = client.post(
        "/officer/points/import/confirm", data="{", content_type="application/json"
    )
    assert not_json.status_code == 422
    bad_form = upload(client, csv_bytes(GOOD), datum="bd09")
    assert bad_form.status_code == 422 and bad_form.get_json()["error"]["field"] == "datum"


@pytest.mark.both_databases
def test_the_import_is_all_or_nothing_when_a_name_is_taken_after_the_preview(
    app, client, logged_in, area
):
    logged_in(Role.OFFICER)
    token = upload(client, csv_bytes(GOOD)).get_json()["token"]
    # Someone places one of the file's points by hand meanwhile.
    placed = client.post(
        "/api/points",
        json={"name": "河边步道", "lat": 33.379, "lon": 120.158, "grid_id": area["grid_ids"][1]},
    )
    assert placed.status_code == 201
    before = points_now(app)
    answer = confirm(client, token)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "point_file_has_problems"
    assert points_now(app) == before


def test_a_database_refusal_at_the_last_point_leaves_no_point_behind(
    app, client, logged_in, monkeypatch
):
    """The points are written in one unit of work: when the database refuses the last one
    (here a position past its CHECK constraint, slipped past the check), none is kept."""
    from checkins import point_import

    logged_in(Role.OFFICER)
    token = upload(client, csv_bytes(GOOD)).get_json()["token"]
    check = point_import.check_points

    def spoiled(*args, **kwargs):
        preview = check(*args, **kwargs)
        preview.rows[-1].lat = 95.0
        return preview

    monkeypatch.setattr(point_import, "check_points", spoiled)
    answer = confirm(client, token)
    assert answer.status_code == 500
    assert point_count(app) == 0
