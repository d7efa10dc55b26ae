"""The appointment endpoints on the real clock: the booking page's free slots, a booking, the
officer's desk and decisions, the resident's list, acceptance, cancellation and rating; wrong
roles, another area's officer, malformed bodies and ids past 2**31-1."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app.edge import MAX_ID
from app.roles import Role
from app.types import utcnow
from police_room import appointments
from tests.conftest import log_in
from tests.police_room.appointment_fixtures import SHANGHAI, add_profile, set_state

JSON = {"Accept": "application/json", "Accept-Language": "en"}
EVERY_DAY = [{"weekday": d, "start": "00:00", "end": "23:30"} for d in range(7)]


@pytest.fixture
def desk(app, room):
    """The room's officer takes bookings round the clock, so the real clock always finds one."""
    from app.extensions import db
    from app.uow import unit_of_work
    from police_room.models import OfficerProfile

    with app.app_context(), unit_of_work() as uow:
        uow.session.get_one(OfficerProfile, room.officer.id).reception = EVERY_DAY
        uow.commit()
    del db
    return room


def first_slot(http, slug="ceshi") -> str:
    answer = http.get(f"/area/{slug}/book", headers=JSON)
    assert answer.status_code == 200, answer.get_json()
    officer = answer.get_json()["officers"][0]
    # The second free slot, today's or a later day's (late in the evening today has one left):
    # the first may pass meanwhile.
    free = [slot for day in officer["days"] for slot in day["slots"]]
    return free[1]["value"]


def booked(app, room) -> tuple[Any, int]:
    http = app.test_client()
    log_in(http, room.resident)
    slot = first_slot(http)
    answer = http.post(
        "/area/ceshi/book",
        json={"officer_id": room.officer.id, "starts_at": slot, "topic": "邻居噪音"},
        headers=JSON,
    )
    assert answer.status_code == 201, answer.get_json()
    return http, answer.get_json()["appointment"]["id"]


def officer_client(app, officer):
    http = app.test_client()
    log_in(http, officer)
    return http


@pytest.mark.both_databases
def test_the_whole_path_book_confirm_meet_rate(app, desk):
    http, appointment_id = booked(app, desk)
    mine = http.get("/appointments", headers=JSON).get_json()["appointments"]
    assert [(a["id"], a["status"], a["officer"]) for a in mine] == [
        (appointment_id, "requested", "张警官")
    ]
    officer = officer_client(app, desk.officer)
    waiting = officer.get("/officer/appointments", headers=JSON).get_json()["waiting"]
    assert [(a["id"], a["resident"], a["topic"]) for a in waiting] == [
        (appointment_id, "李阿姨", "邻居噪音")
    ]
    answer = officer.post(
        f"/officer/appointments/{appointment_id}/decide",
        json={"action": "confirm", "note": "请带上身份证"},
        headers=JSON,
    )
    assert answer.get_json()["appointment"]["status"] == "confirmed", answer.get_json()
    early = http.post(f"/appointments/{appointment_id}/rating", json={"stars": 5}, headers=JSON)
    assert early.status_code == 422 and early.get_json()["error"]["code"] == "not_met_yet"
    set_state(app, appointment_id, appointments.DONE)
    rated = http.post(
        f"/appointments/{appointment_id}/rating",
        json={"stars": 5, "comment": "<b>很耐心</b>"},
        headers=JSON,
    )
    assert rated.status_code == 201, rated.get_json()
    assert rated.get_json()["appointment"]["stars"] == 5
    again = http.post(f"/appointments/{appointment_id}/rating", json={"stars": 1}, headers=JSON)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "rated_already"
    page = officer.get("/officer/appointments").get_data(as_text=True)
    assert "&lt;b&gt;很耐心&lt;/b&gt;" in page and "<b>很耐心" not in page


def test_the_resident_accepts_a_proposal_or_cancels_by_plain_forms(app, desk):
    http, appointment_id = booked(app, desk)
    officer = officer_client(app, desk.officer)
    later = (utcnow().astimezone(SHANGHAI) + timedelta(days=3)).strftime("%Y-%m-%dT10:00")
    answer = officer.post(
        f"/officer/appointments/{appointment_id}/decide",
        data={"action": "propose", "starts_at": later, "note": "上午我在开会"},
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)
    page = http.get("/appointments", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "上午我在开会" in page and later[:10] in page and "民警提议改时间" in page
    assert http.post(f"/appointments/{appointment_id}/accept").status_code == 303
    mine = http.get("/appointments", headers=JSON).get_json()["appointments"][0]
    assert (mine["status"], mine["when"][:10]) == ("confirmed", later[:10])
    assert http.post(f"/appointments/{appointment_id}/accept").status_code == 409
    assert http.post(f"/appointments/{appointment_id}/cancel").status_code == 303
    assert http.get("/appointments", headers=JSON).get_json()["appointments"][0]["status"] == (
        "cancelled"
    )


def test_the_booking_page_lists_the_officers_free_times_in_chinese(app, desk):
    http = app.test_client()
    log_in(http, desk.resident)
    page = http.get("/area/ceshi/book", headers={"Accept-Language": "zh-CN"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "张警官" in text and "预约民警" in text and "appt-slot" in text


def test_an_unknown_area_address_is_not_found(app, desk):
    http = app.test_client()
    log_in(http, desk.resident)
    answer = http.get("/area/nowhere/book", headers=JSON)
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "area_unknown"
    assert app.test_client().get("/area/nowhere/join", headers=JSON).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"starts_at": "2026-12-31T10:00:00+08:00"}, "officer_id"),
        ({"officer_id": 1, "starts_at": "tomorrow"}, "starts_at"),
        ({"officer_id": 1, "starts_at": "2026-12-31T10:00:00"}, "starts_at"),  # no zone
        ({"officer_id": MAX_ID + 1, "starts_at": "2026-12-31T10:00:00+08:00"}, "officer_id"),
        ({"officer_id": 1, "starts_at": "2026-12-31T10:00:00+08:00", "topic": "x" * 301}, "topic"),
    ],
)
def test_a_malformed_booking_names_its_field(app, desk, body, field):
    http = app.test_client()
    log_in(http, desk.resident)
    answer = http.post("/area/ceshi/book", json=body, headers=JSON)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["error"]["field"] == field


def test_a_body_that_is_not_an_object_is_refused(app, desk):
    http = app.test_client()
    log_in(http, desk.resident)
    answer = http.post("/area/ceshi/book", json=[1, 2], headers=JSON)
    assert answer.status_code == 422
    answer = http.post("/appointments/1/rating", json={"stars": "five"}, headers=JSON)
    assert answer.status_code == 422 and answer.get_json()["error"]["field"] == "stars"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/appointments/{}/accept"),
        ("POST", "/appointments/{}/cancel"),
        ("POST", "/appointments/{}/rating"),
        ("POST", "/officer/appointments/{}/decide"),
    ],
)
def test_ids_past_the_column_range_are_not_found(app, desk, method, path):
    for who in (desk.resident, desk.officer):
        http = app.test_client()
        log_in(http, who)
        answer = http.open(path.format(2**31), method=method, json={}, headers=JSON)
        assert answer.status_code in (403, 404), answer.get_json()


@pytest.mark.both_databases
def test_another_areas_officer_cannot_see_or_decide_and_nothing_changes(app, desk, outsider):
    _http, appointment_id = booked(app, desk)
    from tests.conftest import STAFF_PASSWORD

    other = app.test_client()
    log_in(other, outsider, STAFF_PASSWORD)
    assert other.get("/officer/appointments", headers=JSON).get_json()["waiting"] == []
    answer = other.post(
        f"/officer/appointments/{appointment_id}/decide", json={"action": "decline"}, headers=JSON
    )
    assert answer.status_code == 404
    mine = _http.get("/appointments", headers=JSON).get_json()["appointments"]
    assert mine[0]["status"] == "requested"


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.GRID_WORKER, Role.RESIDENT])
def test_only_officers_decide(app, desk, logged_in, client, role):
    _http, appointment_id = booked(app, desk)
    logged_in(role)
    answer = client.post(
        f"/officer/appointments/{appointment_id}/decide", json={"action": "confirm"}, headers=JSON
    )
    assert answer.status_code == 403


@pytest.mark.parametrize("role", [Role.OFFICER, Role.DISPATCHER, Role.ADMIN])
def test_police_room_staff_do_not_book(app, desk, logged_in, client, role):
    logged_in(role)
    assert client.get("/area/ceshi/book", headers=JSON).status_code == 403
    assert client.get("/appointments", headers=JSON).status_code == 403


def test_a_hidden_officer_takes_no_bookings(app, desk, make_user):
    quiet = make_user(Role.OFFICER, name="钱警官")
    add_profile(app, quiet, EVERY_DAY)
    http = app.test_client()
    log_in(http, desk.resident)
    names = [o["name"] for o in http.get("/area/ceshi/book", headers=JSON).get_json()["officers"]]
    assert sorted(names) == ["张警官", "钱警官"]
    from app.extensions import db
    from app.uow import unit_of_work
    from police_room.models import OfficerProfile

    with app.app_context(), unit_of_work() as uow:
        uow.session.get_one(OfficerProfile, quiet.id).shown = False
        uow.commit()
    del db
    names = [o["name"] for o in http.get("/area/ceshi/book", headers=JSON).get_json()["officers"]]
    assert names == ["张警官"]


def test_the_booking_page_shows_the_asked_officers_times_and_refuses_a_bad_one(app, desk):
    http = app.test_client()
    log_in(http, desk.resident)
    page = http.get(f"/area/ceshi/book?officer={desk.officer.id}").get_data(as_text=True)
    assert f'id="officer-{desk.officer.id}"' in page
    for bad in ("abc", str(MAX_ID + 1), "0"):
        answer = http.get(f"/area/ceshi/book?officer={bad}", headers=JSON)
        assert answer.status_code == 422 and answer.get_json()["error"]["field"] == "officer"
