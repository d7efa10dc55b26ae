"""Patrol routes: a round decided once when its window closes, bonus for a complete one,
the officer told about missed points."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.errors import Invalid
from app.extensions import db, socketio
from app.roles import Role
from app.uow import unit_of_work
from checkins import patrols, services
from checkins.models import CheckIn, PatrolRoute, RouteRun
from checkins.tasks import close_route_windows
from realtime import events
from rewards import ledger
from volunteers.models import User
from volunteers.person import Person

TZ = ZoneInfo("Asia/Shanghai")


def _route(app, officer, points, people, starts="21:00", ends="23:00", bonus=30):
    with app.app_context(), unit_of_work() as uow:
        actor = Person.of(officer)
        route = patrols.create_route(
            uow,
            actor,
            patrols.RouteFields(
                name="夜巡一线",
                starts_at=time.fromisoformat(starts),
                ends_at=time.fromisoformat(ends),
                point_ids=[p.id for p in points],
                user_ids=[u.id for u in people],
                bonus_points=bonus,
            ),
        )
        route.created_at = datetime(2026, 11, 20, 12, tzinfo=TZ)  # first window: the 20th
        uow.commit()
        return route.id


def _visit(app, user, point, at):
    with app.app_context(), unit_of_work() as uow:
        uow.session.add(
            CheckIn(
                user_id=user.id,
                point_id=point.id,
                token="t",
                status="valid",
                server_time=at,
                observed_at=at,
                points=point.points,
            )
        )
        uow.commit()


def _close(app, now):
    with app.app_context(), unit_of_work() as uow:
        runs = patrols.close_windows(uow, now, TZ)
        uow.commit()
        return [(r.user_id, r.status, r.bonus_points, list(r.missed_point_ids)) for r in runs]


@pytest.fixture
def setup(app, make_user, make_point):
    officer = make_user(Role.OFFICER)
    walker = make_user(Role.GUARD)
    idler = make_user(Role.VOLUNTEER)
    points = [make_point(name=f"站{i}", lat=33.38 + i * 0.0004) for i in range(3)]
    return officer, walker, idler, points


def _local(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 11, day, hh, mm, tzinfo=TZ)


@pytest.mark.both_databases
def test_a_complete_round_pays_its_bonus_once_and_missed_points_are_reported(app, setup, client):
    officer, walker, idler, points = setup
    _route(app, officer, points, [walker, idler])
    for i, point in enumerate(points):
        _visit(app, walker, point, _local(20, 21, 10 + i * 10))
    _visit(app, idler, points[0], _local(20, 21, 30))
    _visit(app, idler, points[1], _local(20, 23, 30))  # after the window: does not count

    client.post("/login", json={"phone": officer.phone, "password": "secret-pass-1"})
    console = socketio.test_client(app, namespace=events.CONSOLE_NS, flask_test_client=client)
    console.get_received(events.CONSOLE_NS)
    decided = _close(app, _local(20, 23, 1))
    assert sorted(decided) == sorted(
        [
            (walker.id, "completed", 30, []),
            (idler.id, "partial", 0, [points[1].id, points[2].id]),
        ]
    )
    told = [
        m["args"][0]
        for m in console.get_received(events.CONSOLE_NS)
        if m["name"] == events.ROUTE_CLOSED
    ]
    partial = next(t for t in told if t["status"] == "partial")
    assert partial["missed_points"] == ["站1", "站2"] and partial["route_name"] == "夜巡一线"
    console.disconnect(events.CONSOLE_NS)

    assert _close(app, _local(20, 23, 30)) == []  # the sweep again decides nothing new
    with app.app_context():
        assert ledger.balance(db.session, walker.id) == 30
        assert ledger.balance(db.session, idler.id) == 0


def test_a_window_across_midnight_counts_visits_after_midnight(app, setup):
    officer, walker, _idler, points = setup
    _route(app, officer, points, [walker], starts="22:00", ends="06:00")
    _visit(app, walker, points[0], _local(20, 23, 0))
    _visit(app, walker, points[1], _local(21, 2, 0))
    _visit(app, walker, points[2], _local(21, 5, 30))
    assert _close(app, _local(21, 5, 59)) == []
    assert _close(app, _local(21, 6, 1)) == [(walker.id, "completed", 30, [])]


def test_nobody_walking_is_a_missed_round(app, setup):
    officer, walker, _idler, points = setup
    _route(app, officer, points, [walker])
    assert _close(app, _local(20, 23, 1))[0][1] == "missed"


def test_a_disabled_or_closed_account_walks_no_rounds(app, setup):
    officer, walker, idler, points = setup
    _route(app, officer, points, [walker, idler])
    with app.app_context(), unit_of_work() as uow:
        uow.session.get_one(User, idler.id).active = False
        uow.commit()
    assert _close(app, _local(20, 23, 1)) == [(walker.id, "missed", 0, [p.id for p in points])]


def test_the_periodic_task_runs_the_sweep_and_is_safe_twice(app, setup):
    officer, walker, _idler, points = setup
    route_id = _route(app, officer, points, [walker])
    with app.app_context(), unit_of_work() as uow:
        uow.session.get(PatrolRoute, route_id).created_at = datetime.now(UTC) - timedelta(days=3)
        uow.commit()
    first = close_route_windows.apply().result
    again = close_route_windows.apply().result
    assert first >= 1 and again == 0
    with app.app_context():
        runs = db.session.scalars(select(RouteRun)).all()
        assert len({(r.route_id, r.user_id, r.day) for r in runs}) == len(runs) == first


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"point_ids": []}, "route_points_invalid"),
        ({"starts_at": "23:00"}, "route_window_empty"),
        ({"user_ids": []}, "route_people_invalid"),
        ({"bonus_points": 0}, "route_bonus_range"),
        ({"starts_at": "9pm"}, "invalid_input"),  # at the edge, naming starts_at
    ],
)
def test_bad_routes_are_refused_with_a_reason(client, setup, change, code):
    officer, walker, _idler, points = setup
    client.post("/login", json={"phone": officer.phone, "password": "secret-pass-1"})
    body = {
        "name": "夜巡",
        "starts_at": "21:00",
        "ends_at": "23:00",
        "bonus_points": 30,
        "point_ids": [p.id for p in points],
        "user_ids": [walker.id],
    }
    response = client.post("/api/routes", json={**body, **change})
    assert response.get_json()["error"]["code"] == code
    assert client.post("/api/routes", json=body).status_code == 201


def test_police_accounts_cannot_be_put_on_a_route(app, setup):
    officer, _walker, _idler, points = setup
    with pytest.raises(Invalid):
        _route(app, officer, points, [officer])


def test_the_walker_sees_todays_round_on_their_history(app, setup, client, token_for, time_machine):
    officer, walker, _idler, points = setup
    # At local noon, so that the round's window (half an hour back, an hour on) never wraps
    # midnight whenever the test runs.
    time_machine.move_to(datetime.now(TZ).replace(hour=12, minute=0), tick=True)
    now = datetime.now(TZ)
    start = (now - timedelta(minutes=30)).time().replace(second=0, microsecond=0)
    end = (now + timedelta(minutes=60)).time().replace(second=0, microsecond=0)
    _route(app, officer, points, [walker], starts=start.isoformat(), ends=end.isoformat())
    _visit(app, walker, points[0], datetime.now(UTC) - timedelta(minutes=5))
    client.post("/login", json={"phone": walker.phone, "password": "secret-pass-1"})
    rounds = client.get("/me/checkins", headers={"Accept": "application/json"}).get_json()["rounds"]
    assert rounds[0]["open"] is True
    assert [s["visited"] for s in rounds[0]["stops"]] == [True, False, False]
    assert services.VALID == "valid"
