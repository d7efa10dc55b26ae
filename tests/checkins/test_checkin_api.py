"""Checking in at a patrol point through the API: each rule in order, with its own code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.roles import Role
from app.uow import unit_of_work
from checkins.models import CheckIn, PatrolPoint
from rewards.models import LedgerEntry


def _counts(app, user_id):
    with app.app_context():
        valid = db.session.scalar(
            select(func.count())
            .select_from(CheckIn)
            .where(CheckIn.user_id == user_id, CheckIn.status == "valid")
        )
        entries = db.session.scalar(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.user_id == user_id)
        )
        return valid, entries


@pytest.mark.both_databases
def test_a_check_in_at_the_point_counts_and_pays(app, logged_in, make_point, submit):
    user = logged_in(Role.GUARD)
    point = make_point(points=20)
    response = submit(point, metres=12)
    assert response.status_code == 201
    body = response.get_json()
    assert body["points"] == 20 and body["balance"] == 20
    assert body["streak_days"] == 1
    assert body["point"]["name"] == "菜市场入口"
    assert body["remaining_today"] == app.config["CHECKIN_DAILY_CAP"] - 1
    with app.app_context():
        row = db.session.scalar(select(CheckIn))
        assert row.status == "valid" and 11 < row.distance_m < 13
        assert row.accuracy_m == 10 and row.server_time is not None
    assert _counts(app, user.id) == (1, 1)


@pytest.mark.both_databases
def test_a_check_in_500_m_away_is_refused_and_pays_nothing(app, logged_in, make_point, submit):
    user = logged_in(Role.VOLUNTEER)
    response = submit(make_point(), metres=500, lang="zh-CN")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "too_far"
    assert "500 米" in error["message"]
    assert _counts(app, user.id) == (0, 0)
    with app.app_context():
        kept = db.session.scalar(select(CheckIn))
        assert (kept.status, kept.reason, kept.suspicious) == ("refused", "too_far", True)


def test_the_accuracy_allowance_keeps_a_rough_but_honest_fix_as_a_held_patrol(
    logged_in, make_point, submit
):
    """Outside the fence but within what the accuracy forgives: no longer counted blindly nor
    refused, but held for an officer (tests/checkins/test_held.py follows it through)."""
    logged_in()
    response = submit(make_point(radius_m=50), metres=80, accuracy=40)
    assert response.status_code == 202
    assert response.get_json()["status"] == "held"


def test_the_allowance_is_capped_so_a_vague_fix_cannot_stretch_the_fence(
    logged_in, make_point, submit, app
):
    logged_in()
    allowance = app.config["CHECKIN_ACCURACY_ALLOWANCE_M"]
    response = submit(make_point(radius_m=50), metres=50 + allowance + 20, accuracy=140)
    assert response.get_json()["error"]["code"] == "too_far"


@pytest.mark.parametrize(
    ("token", "code"),
    [("garbage", "qr_invalid"), ("1.1.AAAAAAAAAAAAAAAA", "qr_invalid")],
)
def test_a_forged_qr_is_refused_as_suspicious(app, logged_in, make_point, submit, token, code):
    user = logged_in()
    response = submit(make_point(), token=token)
    assert response.get_json()["error"]["code"] == code
    assert _counts(app, user.id) == (0, 0)
    with app.app_context():
        assert db.session.scalar(select(CheckIn.suspicious)) is True


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"token": "1.1.AAAA", "lat": 33.38, "lo', "body"),  # cut off on a weak link
        ("[1, 2]", "body"),
        ('{"lat": 33.38, "lon": 120.16, "accuracy": 10}', "token"),
        ('{"token": "", "lat": 33.38}', "token"),
        ('{"token": "x", "lat": "north", "lon": 120.16}', "lat"),
        ('{"token": "x", "lat": 91, "lon": 120.16}', "lat"),
        ('{"token": "x", "lat": 33.38, "lon": 120.16, "accuracy": "good"}', "accuracy"),
        ('{"token": "x", "lat": 33.38, "lon": 120.16, "device_time": "yesterday"}', "device_time"),
    ],
)
def test_a_malformed_check_in_names_the_field_and_is_not_kept_as_evidence(
    app, client, logged_in, body, field
):
    user = logged_in()
    response = client.post(
        "/api/checkins",
        data=body,
        content_type="application/json",
        headers={"Accept-Language": "zh-CN"},
    )
    assert response.status_code in (400, 422)
    error = response.get_json()["error"]
    assert error.get("field", "body") == field and error["message"]
    assert error["code"] != "qr_invalid"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0
    assert _counts(app, user.id) == (0, 0)


def test_a_reprinted_point_makes_old_posters_stale(app, logged_in, make_point, submit, token_for):
    logged_in()
    point = make_point()
    old = token_for(point)
    with app.app_context(), unit_of_work() as uow:
        uow.session.get(PatrolPoint, point.id).poster_version = 2
        uow.commit()
    assert submit(point, token=old).get_json()["error"]["code"] == "qr_stale"
    assert submit(point, token=token_for(point, 2)).status_code == 201


@pytest.mark.parametrize(
    ("field", "hours_from_now"),
    [("retired_at", -1), ("active_from", 1), ("active_until", -1)],
)
def test_an_inactive_point_is_refused(logged_in, make_point, submit, field, hours_from_now):
    logged_in()
    point = make_point(**{field: datetime.now(UTC) + timedelta(hours=hours_from_now)})
    assert submit(point).get_json()["error"]["code"] == "point_inactive"


def test_a_temporary_point_counts_inside_its_period(logged_in, make_point, submit):
    logged_in()
    point = make_point(
        active_from=datetime.now(UTC) - timedelta(hours=1),
        active_until=datetime.now(UTC) + timedelta(hours=1),
    )
    assert submit(point).status_code == 201


def test_a_point_for_guards_only_refuses_volunteers(logged_in, make_point, submit):
    logged_in(Role.VOLUNTEER)
    assert (
        submit(make_point(allowed_roles="guard")).get_json()["error"]["code"] == "role_not_allowed"
    )


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"lat": None}, "location_missing"),
        ({"lon": "east"}, "invalid_input"),  # garbage is refused at the edge, not kept
        ({"lat": 95.0}, "invalid_input"),
        ({"accuracy": 900}, "accuracy_poor"),
        ({"accuracy": float("nan")}, "invalid_input"),
    ],
)
def test_a_missing_or_rough_location_is_refused_with_advice(
    logged_in, make_point, submit, fields, code
):
    logged_in()
    point = make_point()
    if "accuracy" in fields and fields["accuracy"] != fields["accuracy"]:
        response = submit(point, accuracy=0, lat="NaN")
    else:
        response = submit(
            point,
            **{k: v for k, v in fields.items() if k != "accuracy"},
            accuracy=fields.get("accuracy", 10),
        )
    assert response.get_json()["error"]["code"] == code


def test_the_same_point_again_within_the_cooldown_pays_nothing(app, logged_in, make_point, submit):
    user = logged_in()
    point = make_point()
    assert submit(point).status_code == 201
    again = submit(point)
    assert again.status_code == 409
    error = again.get_json()["error"]
    assert error["code"] == "cooldown"
    assert "30 minutes" in error["message"]
    assert _counts(app, user.id) == (1, 1)


def test_the_daily_cap_stops_paying(app, logged_in, make_point, submit):
    app.config["CHECKIN_DAILY_CAP"] = 2
    logged_in(Role.GUARD)
    points = [make_point(name=f"点{i}", lat=33.38 + i * 0.0005) for i in range(3)]
    assert [submit(p).status_code for p in points[:2]] == [201, 201]
    assert submit(points[2]).get_json()["error"]["code"] == "daily_cap"


def test_an_impossible_journey_is_refused_as_suspicious(app, logged_in, make_point, submit):
    user = logged_in()
    near = make_point(name="东门")
    far = make_point(name="远处", lat=33.40)  # about 2.2 km north
    assert submit(near).status_code == 201
    response = submit(far)
    assert response.get_json()["error"]["code"] == "too_fast"
    assert _counts(app, user.id) == (1, 1)


def test_a_late_offline_check_in_counts_within_the_allowed_delay(
    app, logged_in, make_point, submit
):
    logged_in()
    point = make_point()
    response = submit(point, ago=timedelta(minutes=45))
    assert response.status_code == 201
    with app.app_context():
        row = db.session.scalar(select(CheckIn))
        assert (row.server_time - row.observed_at) > timedelta(minutes=44)


def test_a_check_in_older_than_the_allowed_delay_is_refused(logged_in, make_point, submit, app):
    logged_in()
    late = timedelta(minutes=app.config["CHECKIN_LATE_MAX_MINUTES"] + 5)
    assert submit(make_point(), ago=late).get_json()["error"]["code"] == "too_late"


def test_a_late_check_in_still_obeys_the_cooldown_around_it(logged_in, make_point, submit):
    logged_in()
    point = make_point()
    assert submit(point).status_code == 201
    assert submit(point, ago=timedelta(minutes=10)).get_json()["error"]["code"] == "cooldown"


def test_an_unreadable_phone_time_is_a_clear_error(logged_in, make_point, submit):
    logged_in()
    response = submit(make_point(), device_time="yesterday-ish")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == ("invalid_input", "device_time")


def test_the_same_submission_twice_pays_once_and_answers_the_same(
    app, logged_in, make_point, submit
):
    user = logged_in()
    point = make_point()
    first = submit(point, client_id="phone-attempt-1")
    second = submit(point, client_id="phone-attempt-1")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.get_json()["replayed"] is True
    assert second.get_json()["checkin_id"] == first.get_json()["checkin_id"]
    assert _counts(app, user.id) == (1, 1)


def test_police_roles_do_not_check_in(logged_in, make_point, submit):
    logged_in(Role.OFFICER)
    assert submit(make_point()).status_code == 403


def test_the_scan_page_sends_anonymous_people_through_login_and_back(
    client, make_point, token_for, make_user
):
    point = make_point()
    path = f"/c/{token_for(point)}"
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={path}"
    user = make_user(Role.GUARD)
    back = client.post(
        "/login", data={"phone": user.phone, "password": "secret-pass-1", "next": path}
    )
    assert back.headers["Location"] == path
    page = client.get(path, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "菜市场入口" in page, page[page.find("<main") : page.find("</main>")]
    assert "leaflet" not in page.lower()


def test_the_history_shows_counted_and_refused_attempts(logged_in, make_point, submit, client):
    logged_in()
    point = make_point()
    submit(point)
    submit(point, metres=600)
    history = client.get("/me/checkins", headers={"Accept": "application/json"}).get_json()
    assert history["balance"] == 10 and history["valid_today"] == 1
    assert [c["valid"] for c in history["checkins"]] == [False, True] or [
        c["valid"] for c in history["checkins"]
    ] == [True, False]
    refused = next(c for c in history["checkins"] if not c["valid"])
    assert refused["reason"] == "too_far" and "600" in refused["reason_text"]
