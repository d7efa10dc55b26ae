"""Input at the edge: ids past the column's range are 404 on both databases, a body that is not
JSON or not an object is refused (never read as empty), fields are named in the person's
language, and a malformed multipart form is refused before the CSRF check can fail on it."""

from __future__ import annotations

import pytest

from app.roles import Role
from rewards.models import LedgerEntry
from tests.conftest import log_in

PAST_INT32 = 2**31


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        (None, "GET", f"/gifts/{PAST_INT32}/picture"),
        (Role.VOLUNTEER, "GET", f"/me/orders/{PAST_INT32}/qr.svg"),
        (Role.VOLUNTEER, "POST", f"/me/orders/{PAST_INT32}/cancel"),
        (Role.VOLUNTEER, "GET", f"/teams/{PAST_INT32}"),
        (Role.OFFICER, "PATCH", f"/api/points/{PAST_INT32}"),
        (Role.OFFICER, "POST", f"/api/points/{2**64}/retire"),
        (Role.OFFICER, "GET", f"/officer/points/{PAST_INT32}"),
        (Role.OFFICER, "PATCH", f"/api/gifts/{PAST_INT32}"),
        (Role.OFFICER, "POST", f"/officer/people/{PAST_INT32}/active"),
    ],
)
def test_an_id_past_the_columns_range_is_not_found(client, make_user, role, method, path):
    if role is not None:
        log_in(client, make_user(role))
    response = client.open(path, method=method, json={}, headers={"Accept": "application/json"})
    assert response.status_code == 404


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("query", "field"),
    [(f"id={PAST_INT32}", "id"), ("id=first", "id"), ("period=decade", "period")],
)
def test_a_leaderboard_query_out_of_range_names_the_field(client, make_user, query, field):
    log_in(client, make_user())
    response = client.get(f"/leaderboards?{query}", headers={"Accept": "application/json"})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == field


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"user_id": 1, "delta": 1.5, "note": "半分"}, "delta"),
        ({"user_id": PAST_INT32, "delta": 5, "note": "x"}, "user_id"),
        ({"user_id": "me", "delta": 5}, "user_id"),
        ({"user_id": 1, "delta": 10**9}, "delta"),
    ],
)
def test_a_correction_that_is_not_a_whole_number_in_range_pays_nothing(
    app, client, make_user, body, field
):
    log_in(client, make_user(Role.OFFICER))
    response = client.post("/api/corrections", json=body, headers={"Accept-Language": "en"})
    error = response.get_json()["error"]
    assert response.status_code == 422 and error["field"] == field and field in error["message"]
    with app.app_context():
        from app.extensions import db

        assert db.session.query(LedgerEntry).count() == 0


def test_a_forms_field_is_named_as_the_form_names_it(client):
    response = client.post(
        "/register",
        data={"invite_code": "ABC", "name": "张" * 61, "phone": "13500000000", "password": "x"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert response.status_code == 422
    assert "姓名" in response.get_data(as_text=True)  # not the machine name "name"


def test_the_field_is_named_in_chinese_too(client, make_user):
    log_in(client, make_user(Role.OFFICER))
    response = client.post(
        "/api/corrections",
        json={"user_id": 1, "delta": "五"},
        headers={"Accept-Language": "zh-CN"},
    )
    message = response.get_json()["error"]["message"]
    assert "delta" in message and "整数" in message


@pytest.mark.parametrize("body", ['{"gift_id": 1', "[1]", '"gift"', "null"])
def test_a_body_that_is_not_a_json_object_is_refused(client, make_user, body):
    log_in(client, make_user())
    response = client.post("/api/orders", data=body, content_type="application/json")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "body_malformed"


def test_a_multipart_part_without_a_name_is_refused_not_a_server_error(client, make_user):
    log_in(client, make_user(Role.OFFICER))
    body = b"--xx\r\nContent-Disposition: form-data\r\n\r\nhello\r\n--xx--\r\n"
    response = client.post(
        "/api/gifts/1/picture",
        data=body,
        content_type="multipart/form-data; boundary=xx",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "body_malformed"
