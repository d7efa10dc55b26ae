"""The officer's day over HTTP: the officer's home after logging in, the walls between police
areas, roles, malformed input, and the nudge that keeps open pages current."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from app.extensions import socketio
from app.roles import Role
from app.uow import unit_of_work
from checkins import tokens
from checkins.models import HELD
from checkins.policy import signing_key
from officer_day.live import EVENT, NAMESPACE, WATCHED_ENDPOINTS
from tests.conftest import STAFF_PASSWORD, log_in
from tests.officer_day.conftest import LAT, LON
from volunteers import services
from volunteers.models import User

JSON = {"Accept": "application/json"}


def test_an_officer_lands_on_the_day_after_logging_in(client, make_user):
    officer = make_user(Role.OFFICER)
    log_in(client, officer)
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"] == "/officer"
    page = client.get("/officer").get_data(as_text=True)
    assert 'id="day-map"' in page and 'id="hours-chart"' in page
    assert "/officer/held" in page and "/officer/desk" in page and "/console" in page


def test_the_officers_area_is_shown_by_default(client, area, make_user):
    log_in(client, make_user(Role.OFFICER))
    answer = client.get("/api/officer/day", headers=JSON)
    assert answer.status_code == 200
    assert answer.get_json()["day"]["area_id"] == area["police_area_id"]


def test_an_officer_of_another_area_gets_404_for_this_one(client, area, outsider):
    log_in(client, outsider, STAFF_PASSWORD)
    asked = {"area": area["police_area_id"]}
    assert client.get("/api/officer/day", query_string=asked, headers=JSON).status_code == 404
    assert client.get("/officer", query_string=asked).status_code == 404
    own = client.get("/api/officer/day", headers=JSON).get_json()["day"]
    assert own["area_id"] != area["police_area_id"]
    assert own["area_name"] == "城北警务区"


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.GUARD, Role.DISPATCHER])
def test_other_roles_are_refused(client, logged_in, role):
    logged_in(role)
    assert client.get("/api/officer/day", headers=JSON).status_code == 403
    assert client.get("/officer", headers=JSON).status_code == 403


def test_nobody_logged_in_is_sent_to_log_in(client):
    assert client.get("/api/officer/day", headers=JSON).status_code == 401
    assert client.get("/officer").headers["Location"].startswith("/login")


@pytest.mark.parametrize("asked", ["abc", "0", "-1", "1.5", str(2**31), str(2**63)])
def test_a_malformed_area_is_refused_naming_the_field(client, logged_in, asked):
    logged_in(Role.OFFICER)
    answer = client.get("/api/officer/day", query_string={"area": asked}, headers=JSON)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["field"] == "area"
    page = client.get("/officer", query_string={"area": asked})
    assert page.status_code == 422


def test_an_admin_asking_for_an_area_that_does_not_exist_gets_404(client, area, logged_in):
    logged_in(Role.ADMIN)
    asked = {"area": area["police_area_id"] + 1000}
    assert client.get("/api/officer/day", query_string=asked, headers=JSON).status_code == 404
    shown = client.get("/api/officer/day", headers=JSON).get_json()["day"]
    assert shown["area_id"] == area["police_area_id"]


def test_an_officer_placed_in_no_area_sees_an_empty_page_saying_so(app, client, make_user):
    officer = make_user(Role.OFFICER)
    with app.app_context(), unit_of_work() as uow:
        uow.session.execute(
            update(User)
            .where(User.id == officer.id)
            .values(police_area_id=None, community_id=None, grid_id=None, team_id=None)
        )
        uow.commit()
    log_in(client, officer)
    assert client.get("/api/officer/day", headers=JSON).get_json() == {"day": None}
    page = client.get("/officer").get_data(as_text=True)
    assert 'data-code="no_area"' in page and 'id="day-map"' not in page


def test_a_station_officer_picks_one_of_the_stations_areas(app, client, area, second_area):
    with app.app_context(), unit_of_work() as uow:
        officer = services.create_user(
            uow,
            name="站长",
            phone="13900000999",
            password=STAFF_PASSWORD,
            role=Role.OFFICER,
            placement=services.Placement(),
            hash_method=app.config["PASSWORD_HASH_METHOD"],
        )
        officer.station_id = area["station_id"]
        uow.commit()
    log_in(client, officer, STAFF_PASSWORD)
    page = client.get("/officer").get_data(as_text=True)
    assert 'id="area"' in page and "城北警务区" in page
    first = client.get("/api/officer/day", headers=JSON).get_json()["day"]
    assert first["area_id"] == area["police_area_id"]
    picked = {"area": second_area["police_area_id"]}
    other = client.get("/api/officer/day", query_string=picked, headers=JSON).get_json()["day"]
    assert other["area_id"] == second_area["police_area_id"]


def test_the_watched_endpoints_exist(app):
    """The nudge watches other packages' endpoints by name: a renamed one must fail here."""
    assert WATCHED_ENDPOINTS <= set(app.view_functions)


def test_a_check_in_nudges_the_pages_of_its_community_and_a_refusal_does_not(
    app, client, area, second_area, logged_in, add_points, monkeypatch
):
    told = []
    monkeypatch.setattr(socketio, "emit", lambda event, data, **kw: told.append((event, data, kw)))
    logged_in(Role.VOLUNTEER)
    (point_id,) = add_points(1)
    with app.app_context():
        token = tokens.sign(signing_key(), point_id, 1)

    refused = client.post("/api/checkins", json={"token": "x" * 20, "lat": LAT, "lon": LON})
    assert refused.status_code >= 400
    assert [t for t in told if t[0] == EVENT] == []

    # A few metres off the point, as real fixes are (one exactly on it is held as faked).
    done = client.post(
        "/api/checkins", json={"token": token, "lat": LAT + 4e-5, "lon": LON, "accuracy": 10}
    )
    assert done.status_code == 201, done.get_json()
    nudges = [t for t in told if t[0] == EVENT]
    room = f"officer_day:{area['community_id']}"
    assert nudges == [(EVENT, {}, {"to": room, "namespace": NAMESPACE})]


def test_a_held_scan_decided_by_an_officer_nudges_the_pages_of_their_area(
    app, client, area, logged_in, add_points, add_checkin, monkeypatch
):
    (point_id,) = add_points(1)
    held_id = add_checkin(point_id, datetime.now(UTC), status=HELD)
    told = []
    monkeypatch.setattr(socketio, "emit", lambda event, data, **kw: told.append((event, data, kw)))
    logged_in(Role.OFFICER)
    assert client.post("/api/officer/held/999/approve", json={}).status_code == 404
    assert told == []  # a refused decision changed nothing

    decided = client.post(f"/api/officer/held/{held_id}/approve", json={})
    assert decided.status_code == 200, decided.get_json()
    room = f"officer_day:{area['community_id']}"
    assert [t for t in told if t[0] == EVENT] == [(EVENT, {}, {"to": room, "namespace": NAMESPACE})]


def _connect(app, client, auth):
    sock = socketio.test_client(app, namespace=NAMESPACE, flask_test_client=client, auth=auth)
    connected = sock.is_connected(NAMESPACE)
    if connected:
        sock.disconnect(NAMESPACE)
    return connected


def test_the_page_joins_its_own_areas_rooms_only(app, client, area, second_area, make_user):
    log_in(client, make_user(Role.OFFICER))
    assert _connect(app, client, {"area": area["police_area_id"]})
    assert not _connect(app, client, {"area": second_area["police_area_id"]})


@pytest.mark.parametrize("auth", [None, {}, {"area": "abc"}, {"area": 2**31}, {"area": 0}])
def test_a_malformed_area_is_refused_at_connect(app, client, logged_in, auth):
    logged_in(Role.OFFICER)
    assert not _connect(app, client, auth)


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.DISPATCHER])
def test_other_roles_cannot_connect(app, client, area, logged_in, role):
    logged_in(role)
    assert not _connect(app, client, {"area": area["police_area_id"]})


def test_nobody_logged_in_cannot_connect(app, client, area):
    assert not _connect(app, client, {"area": area["police_area_id"]})
