"""Boundaries over HTTP: the GeoJSON import's preview and confirmation (all or nothing), drawing
a community's or grid's boundary, and the walls: wrong role, another area's officer (404 and
nothing changes), malformed bodies and ids past 2**31-1."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.roles import Role
from app.uow import unit_of_work
from checkins.models import PatrolPoint
from tests.conftest import STAFF_PASSWORD, log_in
from tests.volunteers.test_boundary_rules import (
    LAT,
    LON,
    M_PER_DEG_LAT,
    M_PER_DEG_LON,
    _gcj02,
    collection,
    feature,
    rectangle,
)
from volunteers.models import Community, Grid

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "boundaries_example.geojson"
JSON = {"Accept": "application/json", "Accept-Language": "en"}
TOO_BIG_ID = 2**31


def preview(client, data: bytes, area_id: int, datum: str = "wgs84", **headers: str) -> Any:
    return client.post(
        "/officer/boundaries/import",
        data={"file": (io.BytesIO(data), "boundaries.geojson"), "area_id": area_id, "datum": datum},
        headers={**JSON, **headers},
        content_type="multipart/form-data",
    )


def confirm(client, token: str, area_id: int, datum: str = "wgs84") -> Any:
    return client.post(
        "/officer/boundaries/import/confirm",
        json={"token": token, "area_id": area_id, "datum": datum},
        headers=JSON,
    )


def snapshot(app) -> list[tuple[Any, ...]]:
    """Every community's and grid's name and boundary: what a refused change must not touch."""
    with app.app_context(), unit_of_work(write=False) as uow:
        communities = uow.session.execute(
            select(Community.id, Community.name, Community.boundary).order_by(Community.id)
        ).all()
        grids = uow.session.execute(
            select(Grid.id, Grid.code, Grid.name, Grid.boundary).order_by(Grid.id)
        ).all()
    return [tuple(row) for row in (*communities, *grids)]


@pytest.mark.both_databases
def test_the_example_file_is_previewed_then_imported_whole(app, client, area, logged_in):
    logged_in(Role.OFFICER)
    checked = preview(client, EXAMPLE.read_bytes(), area["police_area_id"])
    assert checked.status_code == 200, checked.get_json()
    body = checked.get_json()
    assert body["ready"] and body["features"] == 3 and body["problems"] == []
    assert body["warning"] is None
    before = snapshot(app)
    assert snapshot(app) == before  # the preview wrote nothing
    done = confirm(client, body["token"], area["police_area_id"])
    assert done.status_code == 201 and done.get_json() == {"imported": 3}
    with app.app_context(), unit_of_work(write=False) as uow:
        community = uow.session.scalar(select(Community).where(Community.name == "东湖社区"))
        assert community.police_area_id == area["police_area_id"]
        assert community.boundary["type"] == "Polygon"
        assert sorted((g.code, g.name) for g in community.grids) == [
            ("D01", "东湖第1网格"),
            ("D02", "东湖第2网格"),
        ]
    # The token is spent: a second confirmation finds no upload.
    assert confirm(client, body["token"], area["police_area_id"]).status_code == 404


def test_an_existing_community_gets_the_boundary_and_its_grid_by_code(app, client, area, logged_in):
    logged_in(Role.OFFICER)
    data = collection(
        feature(rectangle(0, 0, 600, 600), kind="community", name="测试社区"),
        feature(
            rectangle(0, 0, 300, 600),
            kind="grid",
            name="一号网格",
            code="G01",
            community="测试社区",
        ),
    )
    body = preview(client, data, area["police_area_id"]).get_json()
    assert body["ready"], body
    assert confirm(client, body["token"], area["police_area_id"]).status_code == 201
    with app.app_context(), unit_of_work(write=False) as uow:
        community = uow.session.get(Community, area["community_id"])
        grid = uow.session.get(Grid, area["grid_ids"][0])
        assert community.boundary is not None
        assert grid.boundary is not None and grid.name == "一号网格"
        assert uow.session.scalar(select(func.count(Community.id))) == 1


def test_a_file_with_one_bad_feature_names_each_and_writes_nothing(app, client, area, logged_in):
    logged_in(Role.OFFICER)
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[LON, LAT], [LON + 0.01, LAT + 0.01], [LON + 0.01, LAT], [LON, LAT + 0.01], [LON, LAT]]
        ],
    }
    data = collection(
        feature(rectangle(0, 0, 600, 600), kind="community", name="东湖社区"),
        feature(
            rectangle(0, 0, 300, 600), kind="grid", name="好网格", code="D01", community="东湖社区"
        ),
        feature(
            rectangle(500, 0, 900, 600),
            kind="grid",
            name="出界网格",
            code="D02",
            community="东湖社区",
        ),
        feature(
            rectangle(200, 0, 400, 600),
            kind="grid",
            name="重叠网格",
            code="D03",
            community="东湖社区",
        ),
        feature(bow_tie, kind="grid", name="蝴蝶结", code="D04", community="东湖社区"),
        feature(rectangle(0, 0, 5, 5), kind="grid", name="太小", code="D05", community="东湖社区"),
        feature(rectangle(0, 0, 9000, 9000), kind="community", name="太大"),
        feature(
            {"type": "Point", "coordinates": [LON, LAT]},
            kind="grid",
            name="点",
            code="D06",
            community="东湖社区",
        ),
        feature(
            rectangle(0, 0, 100, 100), kind="grid", name="无主", code="X1", community="无此社区"
        ),
    )
    before = snapshot(app)
    body = preview(client, data, area["police_area_id"]).get_json()
    assert not body["ready"] and body["token"] is None
    codes = {(p["index"], p["name"]): p["message"] for p in body["problems"]}
    assert "outside its community 东湖社区" in codes[(3, "出界网格")]
    assert "overlaps" in codes[(4, "重叠网格")]
    assert "edges cross each other" in codes[(5, "蝴蝶结")]
    assert "covers only" in codes[(6, "太小")]
    assert "km²" in codes[(7, "太大")]
    assert "Polygon or MultiPolygon" in codes[(8, "点")]
    assert "no community 无此社区" in codes[(9, "无主")]
    assert (1, "东湖社区") not in codes and (2, "好网格") not in codes
    assert snapshot(app) == before


def test_the_preview_page_lists_each_bad_feature_and_offers_no_import(client, area, logged_in):
    logged_in(Role.OFFICER)
    data = collection(
        feature(rectangle(0, 0, 600, 600), kind="community", name="东湖社区"),
        feature(
            rectangle(500, 0, 900, 600),
            kind="grid",
            name="出界网格",
            code="D02",
            community="东湖社区",
        ),
        feature(rectangle(0, 0, 5, 5), kind="grid", name="太小", code="D05", community="东湖社区"),
    )
    page = client.post(
        "/officer/boundaries/import",
        data={
            "file": (io.BytesIO(data), "b.geojson"),
            "area_id": area["police_area_id"],
            "datum": "gcj02",
        },
        content_type="multipart/form-data",
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "文件中有 3 个要素，其中 2 个有问题" in html
    assert "出界网格 (D02)" in html and "超出了所属社区 东湖社区" in html
    assert "平方米" in html and "GCJ-02" in html
    assert "import/confirm" not in html


@pytest.mark.both_databases
def test_a_confirmation_after_the_area_changed_is_checked_again_and_writes_nothing(
    app, client, area, logged_in
):
    """Between the preview and the confirmation someone draws a community where the file's
    lies: the import is refused whole, its grids are not written either."""
    logged_in(Role.OFFICER)
    body = preview(client, EXAMPLE.read_bytes(), area["police_area_id"]).get_json()
    assert body["ready"]
    west, south = 120.1690, 33.3780  # inside the example's community
    drawn = {
        "type": "Polygon",
        "coordinates": [
            [
                [west, south],
                [west + 0.002, south],
                [west + 0.002, south + 0.002],
                [west, south + 0.002],
                [west, south],
            ]
        ],
    }
    community_url = f"/officer/boundaries/communities/{area['community_id']}"
    assert client.put(community_url, json={"geometry": drawn}, headers=JSON).status_code == 200
    before = snapshot(app)
    refused = confirm(client, body["token"], area["police_area_id"])
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "boundary_import_refused"
    assert "Feature 1 (东湖社区)" in refused.get_json()["error"]["message"]
    assert snapshot(app) == before


def test_problems_are_told_in_chinese_by_default(client, area, logged_in):
    logged_in(Role.OFFICER)
    data = collection(feature(rectangle(0, 0, 5, 5), kind="community", name="太小"))
    body = preview(client, data, area["police_area_id"], **{"Accept-Language": "zh-CN"}).get_json()
    assert "平方米" in body["problems"][0]["message"]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"{broken", "boundary_file_unreadable"),
        (b'{"type": "Feature"}', "boundary_not_collection"),
        (b"PK\x03\x04 a zip, not json", "boundary_file_unreadable"),
    ],
)
def test_a_file_that_is_not_geojson_is_refused_and_named(client, area, logged_in, data, code):
    logged_in(Role.OFFICER)
    answer = preview(client, data, area["police_area_id"])
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == code


def test_a_50_mb_upload_is_refused_without_reading_it_all(app, client, area, logged_in):
    logged_in(Role.OFFICER)
    app.config["MAX_CONTENT_LENGTH"] = None  # the app's own limit must not be what answers
    answer = preview(client, b" " * (50 * 1024 * 1024), area["police_area_id"])
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "boundary_file_too_large"


def test_a_gcj02_file_declared_wgs84_is_previewed_with_the_warning(app, client, area, logged_in):
    logged_in(Role.OFFICER)
    with app.app_context(), unit_of_work() as uow:
        for i, (x, y) in enumerate(((100, 100), (250, 200), (400, 300))):
            lat, lon = LAT + y / M_PER_DEG_LAT, LON + x / M_PER_DEG_LON
            uow.session.add(
                PatrolPoint(name=f"点{i}", lat=lat, lon=lon, grid_id=area["grid_ids"][0])
            )
        uow.commit()
    truth = rectangle(0, 0, 500, 400)
    data = collection(feature(_gcj02(truth), kind="community", name="东湖社区"))
    wrong = preview(client, data, area["police_area_id"], datum="wgs84").get_json()
    assert wrong["ready"] and "would fall inside if the file were in GCJ-02" in wrong["warning"]
    right = preview(client, data, area["police_area_id"], datum="gcj02").get_json()
    assert right["ready"] and right["warning"] is None
    assert confirm(client, right["token"], area["police_area_id"], "gcj02").status_code == 201
    with app.app_context(), unit_of_work(write=False) as uow:
        saved = uow.session.scalar(select(Community).where(Community.name == "东湖社区"))
        south_west = saved.boundary["coordinates"][0][0]
    assert south_west == pytest.approx([LON, LAT], abs=1e-6)  # within 0.1 m of the truth


def test_the_page_shows_the_areas_boundaries_as_data_not_markup(app, client, area, logged_in):
    logged_in(Role.OFFICER)
    with app.app_context(), unit_of_work() as uow:
        community = uow.session.get(Community, area["community_id"])
        community.name = "测试社区<img src=x onerror=alert(1)>"
        community.boundary = rectangle(0, 0, 600, 600)
        uow.commit()
    page = client.get("/officer/boundaries")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "boundary-map" in html and "leaflet-geoman" in html
    assert "测试社区" in html and "G01" in html
    assert "<img src=x" not in html  # escaped in the list and in the map's JSON
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html


@pytest.mark.both_databases
def test_a_drawn_grid_boundary_is_checked_and_saved(app, client, area, logged_in):
    logged_in(Role.OFFICER)
    community_url = f"/officer/boundaries/communities/{area['community_id']}"
    grid_url = f"/officer/boundaries/grids/{area['grid_ids'][0]}"
    saved = client.put(community_url, json={"geometry": rectangle(0, 0, 600, 600)}, headers=JSON)
    assert saved.status_code == 200, saved.get_json()
    outside = client.put(grid_url, json={"geometry": rectangle(500, 0, 900, 300)}, headers=JSON)
    assert outside.status_code == 422
    assert outside.get_json()["error"]["code"] == "boundary_outside_community"
    inside = client.put(grid_url, json={"geometry": rectangle(0, 0, 300, 300)}, headers=JSON)
    assert inside.status_code == 200
    new = client.post(
        f"{community_url}/grids",
        json={"code": "G03", "name": "第3网格", "geometry": rectangle(300, 0, 600, 300)},
        headers=JSON,
    )
    assert new.status_code == 201 and new.get_json()["name"] == "第3网格"
    overlapping = client.post(
        f"{community_url}/grids",
        json={"code": "G04", "name": "第4网格", "geometry": rectangle(100, 100, 500, 400)},
        headers=JSON,
    )
    assert overlapping.status_code == 422
    assert overlapping.get_json()["error"]["code"] == "boundary_overlap"
    taken = client.post(
        f"{community_url}/grids",
        json={"code": "G01", "name": "重号", "geometry": rectangle(0, 400, 300, 600)},
        headers=JSON,
    )
    assert taken.status_code == 422 and taken.get_json()["error"]["code"] == "grid_code_taken"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"geometry": "POLYGON((0 0, 1 1))"},
        {
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[LON, LAT], [LON + 0.01, LAT + 0.01], [LON + 0.01, LAT], [LON, LAT + 0.01]]
                ],
            }
        },
        {"geometry": {"type": "Polygon", "coordinates": [[[10**400, 1], [2, 3], [4, 5]]]}},
        {"geometry": {"type": "MultiPolygon", "coordinates": 7}},
    ],
)
def test_a_malformed_drawing_is_a_422_naming_what_is_wrong(client, area, logged_in, body):
    logged_in(Role.OFFICER)
    answer = client.put(f"/officer/boundaries/grids/{area['grid_ids'][0]}", json=body, headers=JSON)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["message"]


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.GUARD, Role.GRID_WORKER, Role.DISPATCHER])
def test_field_people_and_dispatchers_cannot_touch_boundaries(app, client, area, logged_in, role):
    logged_in(role)
    before = snapshot(app)
    grid_url = f"/officer/boundaries/grids/{area['grid_ids'][0]}"
    assert client.get("/officer/boundaries", headers=JSON).status_code == 403
    assert (
        client.put(grid_url, json={"geometry": rectangle(0, 0, 300, 300)}, headers=JSON).status_code
        == 403
    )
    assert preview(client, EXAMPLE.read_bytes(), area["police_area_id"]).status_code == 403
    assert snapshot(app) == before


@pytest.mark.both_databases
def test_an_officer_of_another_area_cannot_draw_or_import_here(app, client, area, outsider):
    log_in(client, outsider, password=STAFF_PASSWORD)
    before = snapshot(app)
    drawing = {"geometry": rectangle(0, 0, 300, 300)}
    community_url = f"/officer/boundaries/communities/{area['community_id']}"
    assert client.put(community_url, json=drawing, headers=JSON).status_code == 404
    grid_url = f"/officer/boundaries/grids/{area['grid_ids'][0]}"
    assert client.put(grid_url, json=drawing, headers=JSON).status_code == 404
    new_grid = {**drawing, "code": "G09", "name": "越区网格"}
    assert client.post(f"{community_url}/grids", json=new_grid, headers=JSON).status_code == 404
    assert preview(client, EXAMPLE.read_bytes(), area["police_area_id"]).status_code == 404
    assert client.get(f"/officer/boundaries?area_id={area['police_area_id']}").status_code == 404
    # Their own area's import works; confirming it into area 1 does not.
    own = preview(client, EXAMPLE.read_bytes(), outsider.police_area_id).get_json()
    assert own["ready"], own
    assert confirm(client, own["token"], area["police_area_id"]).status_code == 404
    assert snapshot(app) == before


@pytest.mark.parametrize(
    "path",
    [
        f"/officer/boundaries/communities/{TOO_BIG_ID}",
        f"/officer/boundaries/grids/{TOO_BIG_ID}",
    ],
)
def test_ids_past_the_column_range_are_404(client, area, logged_in, path):
    logged_in(Role.OFFICER)
    assert (
        client.put(path, json={"geometry": rectangle(0, 0, 300, 300)}, headers=JSON).status_code
        == 404
    )
    posted = client.post(
        f"/officer/boundaries/communities/{TOO_BIG_ID}/grids",
        json={"code": "G9", "name": "网格", "geometry": rectangle(0, 0, 300, 300)},
        headers=JSON,
    )
    assert posted.status_code == 404


def test_an_area_id_past_the_column_range_is_named_not_a_500(client, area, logged_in):
    logged_in(Role.OFFICER)
    answer = preview(client, EXAMPLE.read_bytes(), TOO_BIG_ID)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["field"] == "area_id"
    assert client.get(f"/officer/boundaries?area_id={TOO_BIG_ID}", headers=JSON).status_code == 422
    assert confirm(client, "abc", TOO_BIG_ID).status_code == 422


def test_a_confirmation_with_a_made_up_token_is_404(client, area, logged_in):
    logged_in(Role.OFFICER)
    assert confirm(client, "0" * 32, area["police_area_id"]).status_code == 404
    assert confirm(client, "../../etc", area["police_area_id"]).status_code == 404
    assert json.loads(confirm(client, "", area["police_area_id"]).data)["error"]["field"] == "token"
