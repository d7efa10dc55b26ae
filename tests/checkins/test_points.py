"""Officers place, move, retire and reprint patrol points, and print their posters."""

from __future__ import annotations

import io
import subprocess

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from app.roles import Role


@pytest.fixture
def officer(logged_in):
    return logged_in(Role.OFFICER)


def _create(client, area, **fields):
    body = {
        "name": "幼儿园门口",
        "lat": 33.3801,
        "lon": 120.1602,
        "grid_id": area["grid_ids"][0],
        "radius_m": 40,
        "points": 15,
        "hotspot": True,
    }
    body.update(fields)
    return client.post("/api/points", json=body, headers={"Accept-Language": "en"})


def test_an_officer_places_a_point_and_its_poster_url_checks_in(
    app, client, officer, area, make_user
):
    response = _create(client, area)
    assert response.status_code == 201
    point = response.get_json()["point"]
    assert (point["radius_m"], point["points"], point["hotspot"]) == (40, 15, True)
    assert point["url"].startswith("http://localhost/c/")
    client.post("/logout", json={})
    guard = make_user(Role.GUARD)
    client.post("/login", json={"phone": guard.phone, "password": "secret-pass-1"})
    token = point["url"].rsplit("/", 1)[1]
    # A few metres off the point: a scan exactly on its coordinates is held (evidence.py).
    answer = client.post(
        "/api/checkins", json={"token": token, "lat": 33.38013, "lon": 120.16024, "accuracy": 8}
    )
    assert answer.status_code == 201 and answer.get_json()["points"] == 15


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"lat": 123}, "invalid_input"),  # refused at the edge, naming lat
        ({"radius_m": 5}, "radius_range"),
        ({"points": 0}, "points_range"),
        ({"name": " "}, "point_name_missing"),
        ({"grid_id": 9999}, "grid_unknown"),
        ({"active_from": "2026-12-01T10:00", "active_until": "2026-12-01T09:00"}, "period_invalid"),
        ({"allowed_roles": ["chief"]}, "role_unknown"),
    ],
)
def test_bad_point_fields_are_refused_and_nothing_is_made(client, officer, area, fields, code):
    response = _create(client, area, **fields)
    assert response.get_json()["error"]["code"] == code
    assert client.get("/api/points").get_json()["points"] == []


def test_moving_a_point_keeps_its_posters_valid_at_the_new_place(client, officer, area):
    point = _create(client, area).get_json()["point"]
    moved = client.patch(f"/api/points/{point['id']}", json={"lat": 33.3810, "lon": 120.1610})
    assert moved.status_code == 200
    assert moved.get_json()["point"]["url"] == point["url"]
    assert moved.get_json()["point"]["lat"] == pytest.approx(33.3810)


def test_reprinting_voids_the_old_posters(client, officer, area):
    point = _create(client, area).get_json()["point"]
    reprinted = client.post(f"/api/points/{point['id']}/reprint").get_json()["point"]
    assert reprinted["poster_version"] == 2 and reprinted["url"] != point["url"]


def test_retiring_a_point_stops_it_counting(client, officer, area):
    point = _create(client, area).get_json()["point"]
    assert client.post(f"/api/points/{point['id']}/retire").get_json()["point"]["retired"] is True


def test_a_temporary_point_takes_a_local_period(client, officer, area):
    point = _create(
        client, area, active_from="2026-12-01T20:00", active_until="2026-12-02T06:00"
    ).get_json()["point"]
    assert point["active_from"] == "2026-12-01T12:00:00+00:00"


def test_the_poster_png_decodes_to_the_check_in_url(client, officer, area):
    point = _create(client, area).get_json()["point"]
    png = client.get(f"/officer/points/{point['id']}/poster.png")
    assert png.mimetype == "image/png"
    assert decode(Image.open(io.BytesIO(png.data)))[0].data.decode() == point["url"]


def test_the_grid_sheet_pdf_names_every_point_in_chinese(client, officer, area, tmp_path):
    _create(client, area, name="菜市场入口")
    _create(client, area, name="地下车库入口", lat=33.3803)
    response = client.get(f"/officer/grids/{area['grid_ids'][0]}/posters.pdf")
    assert response.mimetype == "application/pdf"
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "菜市场入口" in text and "地下车库入口" in text


def test_an_empty_grid_has_no_sheet(client, officer, area):
    response = client.get(
        f"/officer/grids/{area['grid_ids'][1]}/posters.pdf", headers={"Accept": "application/json"}
    )
    assert response.get_json()["error"]["code"] == "grid_has_no_points"


def test_the_editor_warns_when_posters_would_carry_a_loopback_address(app, client, officer, area):
    app.config["PUBLIC_URL"] = "http://127.0.0.1:5000"
    page = client.get("/officer/points", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-code="public_url"' in page and "WANJIA_PUBLIC_URL" in page


def test_the_configured_public_url_goes_on_the_posters(app, client, officer, area):
    app.config["PUBLIC_URL"] = "https://police-room.lan:8443"
    point = _create(client, area).get_json()["point"]
    assert point["url"].startswith("https://police-room.lan:8443/c/")
    page = client.get("/officer/points").get_data(as_text=True)
    assert 'data-code="public_url"' not in page


def test_the_point_page_lists_its_attempts(client, officer, area):
    point = _create(client, area).get_json()["point"]
    page = client.get(f"/officer/points/{point['id']}", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200 and "幼儿园门口" in page.get_data(as_text=True)
