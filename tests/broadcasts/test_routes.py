"""The broadcast endpoints at the edge: wrong roles, malformed bodies, ids past 2**31-1, the
form's required fields named in the refusal, "seen it" only from recipients, and photos served
only to the area's police and the people the broadcast reached."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.roles import Role
from broadcasts.models import Broadcast
from tests.broadcasts.conftest import MISSING, send
from tests.conftest import STAFF_PASSWORD, log_in

JSON = {"Accept": "application/json", "Accept-Language": "en"}
PAST_MAX = 2**31


def _jpeg() -> bytes:
    out = BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Broadcast))


@pytest.fixture
def volunteer(app, make_user):
    """A logged-in volunteer of the first area (no live position: reached by 'everyone')."""
    user = make_user(Role.VOLUNTEER)
    http = app.test_client()
    log_in(http, user)
    return http


def _everyone(officer_client, **fields):
    answer = send(officer_client, audience="everyone", **fields)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.GUARD, Role.GRID_WORKER])
def test_field_people_cannot_send_or_close(app, make_user, officer_client, role):
    sent = _everyone(officer_client)
    http = app.test_client()
    log_in(http, make_user(role))
    assert http.post("/officer/broadcasts", json=MISSING, headers=JSON).status_code == 403
    close = http.post(f"/officer/broadcasts/{sent['id']}/close", json={"outcome": "found"})
    assert close.status_code == 403
    assert http.get("/officer/broadcasts/open", headers=JSON).status_code == 403
    assert http.get("/officer/broadcasts", headers=JSON).status_code == 403
    assert _count(app) == 1


def test_the_police_room_does_not_answer_seen_it(app, officer_client):
    sent = _everyone(officer_client)
    answer = officer_client.post(
        f"/broadcasts/{sent['id']}/seen", json={"lat": 33.38, "lon": 120.16}, headers=JSON
    )
    assert answer.status_code == 403


@pytest.mark.both_databases
@pytest.mark.parametrize(("field", "code"), [("look_for", "look_for_missing"),
                                             ("what_to_do", "what_to_do_missing")])  # fmt: skip
def test_a_broadcast_without_instructions_is_refused_naming_the_field(
    app, officer_client, field, code
):
    for value in ("", "   "):
        answer = officer_client.post(
            "/officer/broadcasts", json=MISSING | {field: value}, headers=JSON
        )
        assert answer.status_code == 422
        error = answer.get_json()["error"]
        assert (error["code"], error["field"]) == (code, field)
        assert error["message"].startswith("Say what people should")
    assert _count(app) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "party"}, "kind"),
        ({"urgent": "yes please"}, "urgent"),
        ({"grid_ids": ["G01"]}, "grid_ids.0"),
        ({"grid_ids": [PAST_MAX]}, "grid_ids.0"),
        ({"center_lat": 95, "center_lon": 120.16}, "center_lat"),
        ({"center_lat": 33.38, "center_lon": 120.16, "stages": [{"after_min": 0, "radius_m": 5}]},
         "stages.0.radius_m"),
        ({"stages": []}, "stages"),
        ({"police_area_id": PAST_MAX}, "police_area_id"),
    ],
)  # fmt: skip
def test_malformed_bodies_are_refused_naming_the_field(app, officer_client, body, field):
    answer = officer_client.post("/officer/broadcasts", json=MISSING | body, headers=JSON)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["error"]["field"] == field
    assert _count(app) == 0


def test_a_body_that_is_not_an_object_is_refused(app, officer_client):
    for raw in ("[1, 2]", "not json", '"text"'):
        answer = officer_client.post(
            "/officer/broadcasts", data=raw, headers=JSON | {"Content-Type": "application/json"}
        )
        assert answer.status_code == 422
    assert _count(app) == 0


def test_stages_must_start_at_once(app, officer_client):
    body = {"center_lat": 33.38, "center_lon": 120.16, "stages": [{"after_min": 10}]}
    answer = officer_client.post("/officer/broadcasts", json=MISSING | body, headers=JSON)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "stages_start"


def test_ids_past_the_column_range_are_not_found(app, officer_client, volunteer):
    close = officer_client.post(
        f"/officer/broadcasts/{PAST_MAX}/close", json={"outcome": "found"}, headers=JSON
    )
    assert close.status_code == 404
    seen = volunteer.post(f"/broadcasts/{PAST_MAX}/seen", json={"lat": 1, "lon": 1}, headers=JSON)
    assert seen.status_code == 404
    assert volunteer.get(f"/broadcasts/{PAST_MAX}/photo").status_code == 404
    assert volunteer.get(f"/broadcasts/seen/{PAST_MAX}/photo").status_code == 404


def test_close_needs_a_known_outcome(app, officer_client):
    sent = _everyone(officer_client)
    for body in ({"outcome": "done"}, {}, {"outcome": 1}):
        answer = officer_client.post(
            f"/officer/broadcasts/{sent['id']}/close", json=body, headers=JSON
        )
        assert answer.status_code == 422
        assert answer.get_json()["error"]["field"] == "outcome"


@pytest.mark.both_databases
def test_a_recipient_sees_it_on_the_next_open_answers_and_sees_it_closed(
    app, officer_client, volunteer, make_user
):
    sent = _everyone(officer_client)
    (mine,) = volunteer.get("/broadcasts/mine", headers=JSON).get_json()["broadcasts"]
    assert (mine["id"], mine["look_for"]) == (sent["id"], MISSING["look_for"])
    bad = volunteer.post(f"/broadcasts/{sent['id']}/seen", json={"lat": 91, "lon": 0}, headers=JSON)
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "lat"
    ok = volunteer.post(
        f"/broadcasts/{sent['id']}/seen", json={"lat": 33.38, "lon": 120.16}, headers=JSON
    )
    assert ok.status_code == 201, ok.get_json()
    listed = officer_client.get("/officer/broadcasts/open", headers=JSON).get_json()["broadcasts"]
    assert [s["id"] for s in listed[0]["seen"]] == [ok.get_json()["id"]]
    # Someone who joined after it went out did not get it and cannot answer it.
    latecomer = app.test_client()
    log_in(latecomer, make_user(Role.VOLUNTEER))
    assert latecomer.get("/broadcasts/mine", headers=JSON).get_json()["broadcasts"] == []
    late = latecomer.post(f"/broadcasts/{sent['id']}/seen", json={"lat": 33.38, "lon": 120.16})
    assert late.status_code == 404
    officer_client.post(f"/officer/broadcasts/{sent['id']}/close", json={"outcome": "found"})
    assert volunteer.get("/broadcasts/mine", headers=JSON).get_json()["broadcasts"] == []
    again = volunteer.post(
        f"/broadcasts/{sent['id']}/seen", json={"lat": 33.38, "lon": 120.16}, headers=JSON
    )
    assert again.status_code == 409


def test_a_flood_of_seen_it_answers_is_refused(app, officer_client, volunteer):
    sent = _everyone(officer_client)
    url, body = f"/broadcasts/{sent['id']}/seen", {"lat": 33.38, "lon": 120.16}
    codes = [volunteer.post(url, json=body, headers=JSON).status_code for _ in range(11)]
    assert codes == [201] * 10 + [429]


def test_photos_reach_only_the_areas_police_and_the_recipients(
    app, officer_client, volunteer, outsider, make_user
):
    upload = officer_client.post(
        "/officer/broadcasts/photos",
        data={"photo": (BytesIO(_jpeg()), "face.jpg")},
        headers=JSON,
    )
    assert upload.status_code == 201, upload.get_json()
    sent = _everyone(officer_client, photo=upload.get_json()["photo"])
    url = sent["photo"]
    assert officer_client.get(url).status_code == 200
    assert volunteer.get(url).mimetype == "image/jpeg"
    assert volunteer.get(url + "?size=thumb").status_code == 200
    seen = volunteer.post(
        f"/broadcasts/{sent['id']}/seen",
        data={"lat": "33.38", "lon": "120.16", "photo": (BytesIO(_jpeg()), "there.jpg")},
        headers=JSON,
    )
    assert seen.status_code == 201, seen.get_json()
    seen_url = seen.get_json()["photo"]
    assert officer_client.get(seen_url).status_code == 200
    assert volunteer.get(seen_url).status_code == 200
    other_area = app.test_client()
    log_in(other_area, outsider, STAFF_PASSWORD)
    latecomer = app.test_client()
    log_in(latecomer, make_user(Role.VOLUNTEER))
    for http in (other_area, latecomer, app.test_client()):
        assert http.get(url, headers=JSON).status_code == 404
        assert http.get(seen_url, headers=JSON).status_code == 404


def test_a_photo_that_is_not_one_is_refused(app, officer_client):
    answer = officer_client.post(
        "/officer/broadcasts/photos",
        data={"photo": (BytesIO(b"%PDF-1.4 not a photo"), "a.jpg")},
        headers=JSON,
    )
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "photo_not_image"
    forged = send(officer_client, photo="../../etc/passwd:x")
    assert forged.status_code == 404 and _count(app) == 0


def test_the_form_page_offers_the_templates_and_grids(app, officer_client):
    page = officer_client.get("/officer/broadcasts", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "要找的人或事" in text and "第1网格" in text and "防诈骗提醒" in text
    assert "（22:00–07:00）" in text and "最多收到3条" in text
