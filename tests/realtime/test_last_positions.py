"""The last positions survive a restart (a new app on the same database): the first dispatch
round after it finds the people who were out; they are kept only while on duty."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
import redis
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.roles import Role
from app.types import utcnow
from app.uow import unit_of_work
from realtime import escalation, events, last_positions, tasks
from realtime.models import LastPosition, Offer
from realtime.presence import Seen
from realtime.presence_backend import presence_for
from realtime.presence_redis import RedisPresence
from realtime.settings import dispatch_settings
from tests.conftest import _settings
from tests.realtime.test_presence import REDIS_URL
from volunteers import services
from volunteers.models import User
from volunteers.person import Person


@pytest.fixture
def restart(app: Flask) -> Iterator:
    """``restart()``: a new app (a restarted server) on the same database, with no presence."""
    made: list[Flask] = []

    def new_app() -> Flask:
        again = create_app(
            _settings(DATABASE_URL=app.config["DATABASE_URL"]), str(app.instance_path)
        )
        made.append(again)
        return again

    yield new_app
    for again in made:
        with again.app_context():
            db.engine.dispose()


def _call(sock, ns, event, data):
    return sock.emit(event, data, namespace=ns, callback=True)


def _stored(app: Flask) -> dict[int, LastPosition]:
    with app.app_context():
        return {p.user_id: p for p in db.session.scalars(select(LastPosition))}


@pytest.mark.both_databases
def test_after_a_restart_the_first_round_finds_the_people_who_were_out(app, area, connect, restart):
    _d, console = connect(Role.DISPATCHER, area["community_id"])
    near, near_phone = connect(Role.GUARD, area["community_id"], metres=300)
    other, other_phone = connect(Role.GUARD, area["community_id"], metres=600)
    incident = _call(
        console,
        events.CONSOLE_NS,
        events.CREATE_INCIDENT,
        {"kind": "fire", "priority": 1, "lat": 33.38, "lon": 120.16},
    )
    _call(
        console,
        events.CONSOLE_NS,
        events.SEND_OFFERS,
        {"incident_id": incident["id"], "user_ids": [near.id]},
    )
    console.disconnect(events.CONSOLE_NS)  # the server goes down
    near_phone.disconnect(events.FIELD_NS)
    other_phone.disconnect(events.FIELD_NS)

    again = restart()
    later = utcnow() + timedelta(seconds=app.config["DISPATCH_OFFER_SECONDS"] + 1)
    with again.app_context(), unit_of_work() as uow:
        assert escalation.escalate_due(
            uow, presence_for(again), now=later, settings=dispatch_settings()
        ) == [incident["id"]]
        uow.commit()
    with again.app_context():
        asked = dict(
            db.session.execute(
                select(Offer.user_id, Offer.status).where(Offer.incident_id == incident["id"])
            ).all()
        )
        assert asked == {near.id: "expired", other.id: "offered"}
        restored = presence_for(again).get(other.id)
    assert restored is not None and restored.role == Role.GUARD


@pytest.mark.both_databases
def test_going_off_duty_or_being_disabled_deletes_the_saved_position(app, area, connect, make_user):
    officer = make_user(Role.OFFICER)
    off, off_phone = connect(Role.VOLUNTEER, area["community_id"], metres=100)
    disabled, _phone = connect(Role.VOLUNTEER, area["community_id"], metres=200)
    assert set(_stored(app)) == {off.id, disabled.id}
    reply = _call(off_phone, events.FIELD_NS, events.SET_DUTY, {"on_duty": False})
    assert reply["on_duty"] is False
    assert set(_stored(app)) == {disabled.id}
    with app.app_context(), unit_of_work() as uow:
        services.set_active(uow, Person.of(officer), disabled.id, False)
        uow.commit()
    assert _stored(app) == {}


def test_a_position_is_saved_at_most_every_interval(app, area, connect):
    user, _phone = connect(Role.GUARD, area["community_id"], metres=100)
    saved = _stored(app)[user.id]
    every = timedelta(seconds=60)
    with app.app_context():
        soon = Seen(user.id, Role.GUARD, saved.lat, saved.lon, 5.0, saved.seen_at + every / 2)
        assert not last_positions.due(db.session(), soon, every=every)
        later = replace(soon, seen_at=saved.seen_at + every)
        assert last_positions.due(db.session(), later, every=every)


def test_a_restart_restores_neither_old_positions_nor_people_off_duty(app, area, connect, restart):
    old, a = connect(Role.GUARD, area["community_id"], metres=100)
    left, b = connect(Role.GUARD, area["community_id"], metres=200)
    fresh, c = connect(Role.GUARD, area["community_id"], metres=300)
    grace = timedelta(seconds=app.config["PRESENCE_GRACE_SECONDS"])
    with app.app_context(), unit_of_work() as uow:
        uow.session.get(LastPosition, old.id).seen_at = utcnow() - grace - timedelta(seconds=1)
        # Off duty without the hook (a row left by a crash in an older version, say).
        uow.session.get(User, left.id).on_duty = False
        uow.commit()
    for sock in (a, b, c):
        sock.disconnect(events.FIELD_NS)
    again = restart()
    with again.app_context():
        store = presence_for(again)
        assert [s.user_id for s in store.all()] == [fresh.id]


def test_the_presence_sweep_deletes_positions_of_phones_gone_quiet(app, area, connect):
    quiet, _a = connect(Role.GUARD, area["community_id"], metres=100)
    live, _b = connect(Role.GUARD, area["community_id"], metres=200)
    grace = timedelta(seconds=app.config["PRESENCE_GRACE_SECONDS"])
    with app.app_context(), unit_of_work() as uow:
        uow.session.get(LastPosition, quiet.id).seen_at = utcnow() - grace - timedelta(seconds=1)
        uow.commit()
    with app.app_context():
        tasks.expire_presence()
    assert set(_stored(app)) == {live.id}


def test_redis_gets_the_saved_positions_but_keeps_a_newer_one(app, area, connect):
    """The scaled mode: Redis emptied by a restart gets the saved positions back; one a phone
    shared meanwhile (newer than the saved one) stays."""
    moved, _a = connect(Role.GUARD, area["community_id"], metres=100)
    still, _b = connect(Role.GUARD, area["community_id"], metres=200)
    saved = _stored(app)
    client = redis.Redis.from_url(REDIS_URL)
    store = RedisPresence(client, f"test:last:{uuid.uuid4().hex}")
    try:
        shared = saved[moved.id].seen_at + timedelta(seconds=5)
        newer = Seen(moved.id, Role.GUARD, 33.39, 120.17, 8.0, shared)
        store.update(newer)
        since = utcnow() - timedelta(minutes=2)
        with app.app_context():
            assert last_positions.restore(db.session(), store, newer_than=since) == 1
        assert store.get(moved.id) == newer
        back, kept = store.get(still.id), saved[still.id]
        assert back is not None and (back.lat, back.lon) == (kept.lat, kept.lon)
    finally:
        store.clear()
        client.close()
