"""Residents sign up from their police room's page with name, number and password (no invite
code), are logged in and sent to the booking page; refusals name what was wrong; sign-ups are
limited per address."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.conftest import log_in
from volunteers.models import User

JSON = {"Accept": "application/json", "Accept-Language": "en"}
GOOD = {"name": "孙阿姨", "phone": "13812345678", "password": "geheim-123", "agree": True}


def residents(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(User.name, User.phone, User.role).where(User.role == "resident")
        )
        return [tuple(row) for row in rows]


@pytest.mark.both_databases
def test_a_resident_signs_up_is_logged_in_and_can_book(app, client, room):
    answer = client.post("/area/ceshi/join", json=GOOD, headers=JSON)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["user"]["role"] == "resident"
    assert ("孙阿姨", "13812345678", "resident") in residents(app)
    assert client.get("/area/ceshi/book", headers=JSON).status_code == 200
    with app.app_context():
        user = db.session.scalars(select(User).where(User.phone == "13812345678")).one()
        assert (user.community_id, user.police_area_id, user.grid_id) == (None, None, None)


def test_the_form_signs_up_and_goes_to_the_booking_page(app, client, room):
    page = client.get("/area/ceshi/join", headers={"Accept-Language": "zh-CN"})
    assert "注册并选择时间" in page.get_data(as_text=True)
    answer = client.post("/area/ceshi/join", data={**GOOD, "agree": "1"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/area/ceshi/book")
    # a logged-in resident opening the sign-up again goes straight to booking
    again = client.get("/area/ceshi/join")
    assert again.status_code == 302 and again.headers["Location"].endswith("/area/ceshi/book")


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"agree": False}, 422, "terms_not_agreed"),
        ({"password": "12345"}, 422, "password_too_short"),
        ({"name": ""}, 422, None),
        ({"phone": "12"}, 422, None),
        ({"name": "x" * 61}, 422, "invalid_input"),
    ],
)
def test_bad_sign_ups_are_refused_and_nothing_is_kept(app, client, room, change, status, code):
    answer = client.post("/area/ceshi/join", json={**GOOD, **change}, headers=JSON)
    assert answer.status_code == status, answer.get_json()
    if code:
        assert answer.get_json()["error"]["code"] == code
    assert ("孙阿姨", "13812345678", "resident") not in residents(app)


def test_a_number_already_registered_is_told_to_log_in(app, client, room):
    answer = client.post(
        "/area/ceshi/join", json={**GOOD, "phone": room.resident.phone}, headers=JSON
    )
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "phone_taken"


def test_the_form_shows_a_refusal_above_it_in_chinese_and_keeps_what_was_typed(client, room):
    answer = client.post(
        "/area/ceshi/join",
        data={k: v for k, v in GOOD.items() if k != "agree"},  # the box left unticked
        headers={"Accept-Language": "zh-CN"},
    )
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "孙阿姨" in text and 'data-code="terms_not_agreed"' in text


def test_an_unknown_area_address_has_no_sign_up(client, room):
    assert client.get("/area/nowhere/join", headers=JSON).status_code == 404
    answer = client.post("/area/nowhere/join", json=GOOD, headers=JSON)
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "area_unknown"


def test_a_body_that_is_not_an_object_is_refused(client, room):
    answer = client.post("/area/ceshi/join", json=["孙阿姨"], headers=JSON)
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "body_malformed"


@pytest.mark.parametrize(
    "app_settings",
    [{"RATELIMIT_ENABLED": True, "RESIDENT_SIGNUP_LIMIT": "3 per hour"}],
)
def test_sign_ups_are_limited_per_address(app, room):
    answers = []
    for n in range(4):
        http = app.test_client()
        body = {**GOOD, "phone": f"1381234560{n}"}
        answers.append(http.post("/area/ceshi/join", json=body, headers=JSON).status_code)
    assert answers == [201, 201, 201, 429]
    other = app.test_client()
    answer = other.post(
        "/area/ceshi/join",
        json={**GOOD, "phone": "13812345699"},
        headers=JSON,
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert answer.status_code == 201
    assert len(residents(app)) == 2 + 4  # the room's two and four new ones


def test_a_resident_reaches_only_residents_pages(app, client, room):
    log_in(client, room.resident)
    assert client.get("/officer/appointments", headers=JSON).status_code == 403
    assert client.get("/officer/people", headers=JSON).status_code == 403
    assert client.get("/appointments", headers=JSON).status_code == 200


def test_every_link_on_a_residents_home_opens(client, room):
    log_in(client, room.resident)
    home = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "我的预约" in home
    links = {
        link
        for link in re.findall(r'href="(/[^"]*)"', home)
        if not link.startswith(("/static/", "/lang/"))
    }
    assert "/appointments" in links
    for link in sorted(links):
        assert client.get(link).status_code == 200, link
