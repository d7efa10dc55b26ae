"""The broadcast services with a given clock, on both databases: quiet hours defer and the sweep
delivers in the morning, once; the daily limit holds back the fourth; a circle widens at its
stage, once however often the sweep runs; "everyone" reaches people with no live position by
their grid; closing stops what still waits; only recipients answer "seen it"."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.errors import Conflict, NotFound
from app.extensions import db
from app.roles import Role
from app.types import utcnow
from app.uow import unit_of_work
from broadcasts import delivery, services
from broadcasts.models import Delivery
from broadcasts.rules import Pacing
from broadcasts.services import NewBroadcast
from broadcasts.tasks import sweep
from realtime.presence import Seen
from realtime.presence_backend import presence_for
from tests.broadcasts.conftest import SPOT
from tests.checkins.conftest import offset
from volunteers.areas import Areas
from volunteers.models import User
from volunteers.person import Person

PACING = Pacing()
AFTERNOON = datetime(2026, 12, 5, 7, 0, tzinfo=UTC)  # 15:00 in Shanghai
NIGHT = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
MORNING = datetime(2026, 12, 5, 23, 0, tzinfo=UTC)  # 07:00 on the 6th in Shanghai


@pytest.fixture
def people(app, area, make_user):
    """``people(metres=None, on_duty=True, grid=0)``: a volunteer of the first area, standing
    ``metres`` east of SPOT (no live position when None), in the area's grid ``grid``."""

    def make(metres: float | None = None, *, on_duty: bool = True, grid: int = 0) -> int:
        user = make_user(Role.VOLUNTEER)
        with app.app_context(), unit_of_work() as uow:
            row = uow.session.get_one(User, user.id)
            row.on_duty, row.grid_id = on_duty, area["grid_ids"][grid]
            uow.commit()
        if metres is not None:
            lat, lon = offset(*SPOT, metres)
            presence_for(app).update(Seen(user.id, "volunteer", lat, lon, 10.0, AFTERNOON))
        return user.id

    yield make
    presence_for(app).clear()


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER)


def _send(app, area, officer, now, **fields: Any) -> int:
    new = NewBroadcast(
        kind="fraud_warning",
        title="防诈骗",
        look_for="上门推销保健品的人",
        what_to_do="不要靠近，立即报告",
        **fields,
    )
    with app.app_context(), unit_of_work() as uow:
        broadcast = services.create(
            uow,
            Person.of(uow.session.get_one(User, officer.id)),
            new,
            areas=Areas(frozenset({area["police_area_id"]})),
            presence=presence_for(app),
            pacing=PACING,
            now=now,
        )
        uow.commit()
        return broadcast.id


def _sweep(app, now) -> int:
    with app.app_context(), unit_of_work() as uow:
        made = delivery.sweep(uow, presence_for(app), PACING, now)
        uow.commit()
    return made


def _delivered(app, broadcast_id: int | None = None) -> dict[int, list[int]]:
    """person -> the broadcasts delivered to them."""
    with app.app_context():
        query = select(Delivery.user_id, Delivery.broadcast_id).where(
            Delivery.status == "delivered"
        )
        if broadcast_id is not None:
            query = query.where(Delivery.broadcast_id == broadcast_id)
        got: dict[int, list[int]] = {}
        for user_id, b in db.session.execute(query.order_by(Delivery.id)):
            got.setdefault(user_id, []).append(b)
        return got


@pytest.mark.both_databases
def test_at_night_a_non_urgent_broadcast_waits_for_the_morning_and_is_delivered_once(
    app, area, people, officer
):
    person = people(100)
    sent = _send(app, area, officer, NIGHT)
    assert _delivered(app) == {}
    assert _sweep(app, MORNING - timedelta(minutes=1)) == 0
    assert _delivered(app) == {}
    assert _sweep(app, MORNING) == 1
    assert _sweep(app, MORNING) == 0  # the sweep again, or after a restart: nothing twice
    assert _delivered(app) == {person: [sent]}


@pytest.mark.both_databases
def test_an_urgent_broadcast_goes_at_night(app, area, people, officer):
    person = people(100)
    sent = _send(app, area, officer, NIGHT, urgent=True)
    assert _delivered(app) == {person: [sent]}


@pytest.mark.both_databases
def test_a_person_gets_three_non_urgent_broadcasts_a_day_and_the_fourth_next_morning(
    app, area, people, officer
):
    person = people(100)
    first = [_send(app, area, officer, AFTERNOON + timedelta(minutes=i)) for i in range(4)]
    urgent = _send(app, area, officer, AFTERNOON + timedelta(minutes=5), urgent=True)
    assert _delivered(app) == {person: [*first[:3], urgent]}
    assert _sweep(app, AFTERNOON + timedelta(hours=2)) == 0
    assert _sweep(app, MORNING) == 1
    assert sorted(_delivered(app)[person]) == sorted([*first, urgent])


@pytest.mark.both_databases
def test_a_circle_widens_to_the_whole_area_at_its_stage_once(app, area, people, officer):
    near, far = people(200), people(900)
    stages = [{"after_min": 0, "radius_m": 500}, {"after_min": 30, "radius_m": None}]
    sent = _send(app, area, officer, AFTERNOON, urgent=True, center=SPOT, stages=stages)
    assert _delivered(app) == {near: [sent]}
    assert _sweep(app, AFTERNOON + timedelta(minutes=29)) == 0
    assert _sweep(app, AFTERNOON + timedelta(minutes=30)) == 1
    assert _sweep(app, AFTERNOON + timedelta(minutes=31)) == 0
    assert _delivered(app) == {near: [sent], far: [sent]}


@pytest.mark.both_databases
def test_everyone_reaches_people_without_a_position_by_their_grid(app, area, people, officer):
    on_duty_here = people(None, grid=1)
    off_duty_here = people(None, on_duty=False, grid=1)
    people(None, on_duty=False, grid=0)  # another grid
    grid = area["grid_ids"][1]
    to_duty = _send(app, area, officer, AFTERNOON, urgent=True, grid_ids=[grid])
    to_all = _send(app, area, officer, AFTERNOON, urgent=True, grid_ids=[grid], audience="everyone")
    assert _delivered(app, to_duty) == {on_duty_here: [to_duty]}
    assert _delivered(app, to_all) == {on_duty_here: [to_all], off_duty_here: [to_all]}


@pytest.mark.both_databases
def test_closing_stops_what_still_waits_and_only_recipients_answer(app, area, people, officer):
    person, stranger = people(100), people(None, on_duty=False)
    sent = _send(app, area, officer, NIGHT)
    with app.app_context(), unit_of_work() as uow:
        for who in (person, stranger):
            with pytest.raises(NotFound):
                services.seen_it(
                    uow, Person.of(uow.session.get_one(User, who)), sent,
                    lat=33.38, lon=120.16, accuracy_m=None, now=NIGHT,
                )  # fmt: skip
    with app.app_context(), unit_of_work() as uow:
        services.close(
            uow, Person.of(uow.session.get_one(User, officer.id)), sent, "cancelled",
            areas=Areas(frozenset({area["police_area_id"]})), now=NIGHT,
        )  # fmt: skip
        uow.commit()
    assert _sweep(app, MORNING) == 0
    assert _delivered(app) == {}
    with app.app_context():
        statuses = db.session.scalars(select(Delivery.status)).all()
        assert statuses == ["dropped"]  # not left pending for every sweep to look at again
    with app.app_context(), unit_of_work() as uow, pytest.raises(Conflict):
        services.close(
            uow, Person.of(uow.session.get_one(User, officer.id)), sent, "found",
            areas=Areas(frozenset({area["police_area_id"]})), now=NIGHT,
        )  # fmt: skip


def test_the_beat_runs_the_sweep_as_a_task(app, area, people, officer):
    """The Celery task opens its own unit of work on the real clock: a broadcast whose wider
    stage is long due reaches the far person when the task runs."""
    far = people(900)
    stages = [{"after_min": 0, "radius_m": 500}, {"after_min": 30, "radius_m": None}]
    an_hour_ago = utcnow() - timedelta(hours=1)
    sent = _send(app, area, officer, an_hour_ago, urgent=True, center=SPOT, stages=stages)
    with app.app_context():
        assert sweep() == 1
        assert sweep() == 0
    assert _delivered(app) == {far: [sent]}


@pytest.mark.both_databases
def test_two_sweeps_at_once_deliver_each_broadcast_to_each_person_once(app, area, people, officer):
    """Two beat processes (or a sweep and its redelivery) race: each delivery is claimed once."""
    near, far = people(100), people(900)
    stages = [{"after_min": 0, "radius_m": 500}, {"after_min": 30, "radius_m": None}]
    wide = _send(app, area, officer, AFTERNOON, urgent=True, center=SPOT, stages=stages)
    waiting = _send(app, area, officer, NIGHT)  # waits for the morning
    barrier = threading.Barrier(2)
    made: list[int] = []

    def run() -> None:
        barrier.wait()
        made.append(_sweep(app, MORNING))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(made) == 3, made
    assert {k: sorted(v) for k, v in _delivered(app).items()} == {
        near: sorted([wide, waiting]),
        far: sorted([wide, waiting]),
    }
