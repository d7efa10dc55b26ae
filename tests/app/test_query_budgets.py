"""Query budgets on the hot paths: a check-in, the console's first load, a leaderboard read and
the store page each run a fixed number of statements, however many rows they show. A change that
adds a query per row (an N+1) fails here."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import socketio
from app.roles import Role
from app.types import utcnow
from app.uow import unit_of_work
from checkins import tokens
from checkins.models import PatrolPoint
from checkins.policy import signing_key
from realtime import events
from realtime.models import Incident, Offer
from realtime.presence_backend import presence_for
from rewards import ledger
from rewards.models import Gift
from tests.checkins.conftest import offset
from tests.conftest import log_in

CHECKIN_BUDGET = 12
CONSOLE_BUDGET = 6
LEADERBOARD_BUDGET = 14
STORE_BUDGET = 8


def _earn(app, user, points, source):
    with app.app_context(), unit_of_work() as uow:
        ledger.award(
            uow, user_id=user.id, delta=points, reason="checkin", source_type="t", source_id=source
        )
        uow.commit()


def _poster(app, grid_id: int, name: str, lat: float) -> dict:
    """A new patrol point and the check-in body a phone 5 m from it sends."""
    with app.app_context(), unit_of_work() as uow:
        point = PatrolPoint(name=name, lat=lat, lon=120.16, radius_m=50, points=10, grid_id=grid_id)
        uow.session.add(point)
        uow.commit()
        token = tokens.sign(signing_key(), point.id, point.poster_version)
    at_lat, at_lon = offset(point.lat, point.lon, 5)
    return {"token": token, "lat": at_lat, "lon": at_lon, "accuracy": 10}


@pytest.mark.both_databases
def test_a_check_in_runs_within_its_budget(app, client, area, make_user, count_queries):
    log_in(client, make_user(Role.GUARD))
    grid = area["grid_ids"][0]
    first, second = _poster(app, grid, "第一个点", 33.3800), _poster(app, grid, "第二个点", 33.3802)
    assert client.post("/api/checkins", json=first).status_code == 201  # records the patrol day
    with count_queries() as queries:
        assert client.post("/api/checkins", json=second).status_code == 201
    assert len(queries) <= CHECKIN_BUDGET, "\n".join(queries)


def _console_queries(app, area, make_user, count_queries, incidents: int) -> int:
    people = [make_user(Role.VOLUNTEER) for _ in range(3)]
    with app.app_context(), unit_of_work() as uow:
        for n in range(incidents):
            incident = Incident(
                kind="theft",
                priority=2,
                description=f"第{n}起",
                lat=33.38,
                lon=120.16,
                needed=1,
                created_by_id=people[0].id,
                police_area_id=area["police_area_id"],
            )
            uow.session.add(incident)
            uow.session.flush()
            uow.session.add_all(
                Offer(
                    incident_id=incident.id,
                    user_id=p.id,
                    distance_m=10.0 * i,
                    expires_at=utcnow() + timedelta(minutes=5),
                )
                for i, p in enumerate(people)
            )
        uow.commit()
    http = app.test_client()
    log_in(http, make_user(Role.DISPATCHER))
    with count_queries() as queries:
        console = socketio.test_client(app, namespace=events.CONSOLE_NS, flask_test_client=http)
        state = [m for m in console.get_received(events.CONSOLE_NS) if m["name"] == events.STATE]
    console.disconnect(events.CONSOLE_NS)
    assert len(state[0]["args"][0]["incidents"]) >= incidents
    return len(queries)


def test_the_consoles_first_load_does_not_grow_with_its_incidents(
    app, area, make_user, count_queries
):
    with app.app_context():
        presence_for(app)  # made once per process (it restores saved positions), not per console
    few = _console_queries(app, area, make_user, count_queries, incidents=1)
    many = _console_queries(app, area, make_user, count_queries, incidents=8)
    assert many == few <= CONSOLE_BUDGET


@pytest.mark.both_databases
def test_a_leaderboard_read_does_not_grow_with_its_people(app, client, make_user, count_queries):
    me = make_user()
    log_in(client, me)
    counts = []
    for size in (2, 12):
        for n in range(size):
            _earn(app, make_user(), 5 + n, f"{size}-{n}")
        _earn(app, me, 1, f"me-{size}")
        with count_queries() as queries:
            body = client.get(
                "/leaderboards?scope=grid&period=week", headers={"Accept": "application/json"}
            ).get_json()
        assert body["me"] is not None and len(body["top"]) > size
        counts.append(len(queries))
    assert counts[0] == counts[1] <= LEADERBOARD_BUDGET, counts


def test_the_store_page_does_not_grow_with_its_gifts(app, client, area, make_user, count_queries):
    log_in(client, make_user())
    counts = []
    for size in (1, 10):
        with app.app_context(), unit_of_work() as uow:
            uow.session.add_all(
                Gift(
                    police_area_id=area["police_area_id"],
                    name=f"礼品{size}-{n}",
                    price=10 + n,
                    stock=5,
                    per_person_limit=1,
                    pickup_place="警务室",
                    description="",
                )
                for n in range(size)
            )
            uow.commit()
        with count_queries() as queries:
            assert client.get("/store").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= STORE_BUDGET, counts
