"""The walls between police areas on the sockets, generated from the registered namespaces: every
event handler guarded by ``@socket_requires`` has a case here (a test fails for one without),
sent by a person of the second area naming the first area's incident, offer or area. Each gets
an ``error`` event and nothing changes; events that act only on the caller change nothing of
the first area and tell its console nothing. The second area's console hears none of the first
area's presence, duty or incident news."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.config import TestConfig
from app.extensions import db, socketio
from app.roles import Role
from realtime import events
from tests.checkins.conftest import offset

SPOT = (33.3800, 120.1600)
FIRST_AREA_NEWS = {events.INCIDENT, events.PRESENCE, events.PRESENCE_GONE, events.DUTY_CHANGED}


@pytest.fixture
def app_settings() -> dict[str, Any]:
    return {"POSITION_MIN_INTERVAL_SECONDS": 0}  # each test sends a position right after another


def _guarded_events() -> set[tuple[str, str]]:
    """(namespace, event) of every handler guarded by ``@socket_requires``."""
    create_app(
        {k: v for k, v in vars(TestConfig).items() if k.isupper()} | {"DATABASE_URL": "sqlite://"}
    )
    found = set()
    for namespace, handler in socketio.server.namespace_handlers.items():
        for name in dir(type(handler)):
            if name.startswith("on_") and hasattr(getattr(type(handler), name), "permission"):
                found.add((namespace, name[3:]))
    return found


GUARDED = _guarded_events()


@dataclass
class Person:
    id: int
    sock: Any
    ns: str

    def call(self, event: str, data: Any) -> Any:
        return self.sock.emit(event, data, namespace=self.ns, callback=True)

    def received(self) -> dict[str, list[Any]]:
        got: dict[str, list[Any]] = {}
        for message in self.sock.get_received(self.ns):
            got.setdefault(message["name"], []).append(message["args"][0])
        return got


@pytest.fixture
def people(connect: Any) -> Any:
    """``people(role, community_id, metres=None)``: the shared ``connect`` fixture's person,
    as a ``Person`` that calls events on its own namespace."""

    def person(role: Role, community_id: int, metres: float | None = None) -> Person:
        user, sock = connect(role, community_id, metres)
        ns = events.CONSOLE_NS if role in (Role.DISPATCHER, Role.OFFICER) else events.FIELD_NS
        return Person(user.id, sock, ns)

    return person


@dataclass
class Walls:
    """The first area's dispatcher, guard, incident and offer; the second area's console and
    phone."""

    first_console: Person
    guard: Person
    incident_id: int
    offer_id: int
    first_area_id: int
    second_console: Person
    second_phone: Person


@pytest.fixture
def walls(area: dict[str, Any], second_area: dict[str, Any], people: Any) -> Walls:
    second_console = people(Role.DISPATCHER, second_area["community_id"])
    second_phone = people(Role.VOLUNTEER, second_area["community_id"], metres=40)
    first_console = people(Role.DISPATCHER, area["community_id"])
    guard = people(Role.GUARD, area["community_id"], metres=20)
    incident = first_console.call(
        events.CREATE_INCIDENT,
        {"kind": "theft", "priority": 1, "lat": SPOT[0], "lon": SPOT[1], "needed": 1},
    )
    sent = first_console.call(
        events.SEND_OFFERS, {"incident_id": incident["id"], "user_ids": [guard.id]}
    )
    assert [o["user_id"] for o in sent["offers"]] == [guard.id], sent
    for p in (first_console, guard, second_console, second_phone):
        p.received()  # start each test from here
    return Walls(
        first_console,
        guard,
        incident["id"],
        sent["offers"][0]["id"],
        area["police_area_id"],
        second_console,
        second_phone,
    )


# (namespace, event) -> (the second area's sender, its data naming the first area's object,
# the error code; None for an event that acts only on the sender).
Case = Callable[[Walls], tuple[Person, Any, str | None]]
CASES: dict[tuple[str, str], Case] = {
    (events.FIELD_NS, events.ANSWER_OFFER): lambda w: (
        w.second_phone,
        {"offer_id": w.offer_id, "accept": True},
        "offer_unknown",
    ),
    (events.FIELD_NS, events.PROGRESS): lambda w: (
        w.second_phone,
        {"offer_id": w.offer_id, "status": "en_route"},
        "offer_unknown",
    ),
    (events.FIELD_NS, events.SET_DUTY): lambda w: (w.second_phone, {"on_duty": False}, None),
    (events.FIELD_NS, events.POSITION): lambda w: (
        w.second_phone,
        dict(zip(("lat", "lon"), offset(*SPOT, 15), strict=True)) | {"accuracy": 5},
        None,
    ),
    (events.CONSOLE_NS, events.ROSTER): lambda w: (w.second_console, {}, None),
    (events.CONSOLE_NS, events.CREATE_INCIDENT): lambda w: (
        w.second_console,
        {"kind": "fire", "lat": SPOT[0], "lon": SPOT[1], "police_area_id": w.first_area_id},
        "area_unknown",
    ),
    (events.CONSOLE_NS, events.FIND_NEAREST): lambda w: (
        w.second_console,
        {"incident_id": w.incident_id},
        "incident_unknown",
    ),
    (events.CONSOLE_NS, events.SEND_OFFERS): lambda w: (
        w.second_console,
        {"incident_id": w.incident_id, "user_ids": [w.second_phone.id]},
        "incident_unknown",
    ),
    (events.CONSOLE_NS, events.CLOSE_INCIDENT): lambda w: (
        w.second_console,
        {"incident_id": w.incident_id},
        "incident_unknown",
    ),
    (events.CONSOLE_NS, events.WIDEN_INCIDENT): lambda w: (
        w.second_console,
        {"incident_id": w.incident_id, "police_area_id": w.first_area_id},
        "incident_unknown",
    ),
}

# Rows a sender's own event may change: its own login, duty and position records.
OWN_TABLES = {"login_sessions", "login_attempts"}


def snapshot(app: Flask, but: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, except the sender's own rows (``but``: their user id)."""
    with app.app_context():
        dump = {}
        for table in db.metadata.sorted_tables:
            if table.name in OWN_TABLES:
                continue
            owner = table.c.get("user_id")
            if owner is None and table.name == "users":
                owner = table.c.id
            query = select(table) if owner is None else select(table).where(owner != but)
            dump[table.name] = sorted((tuple(r) for r in db.session.execute(query)), key=repr)
        return dump


def test_every_guarded_socket_event_has_a_case():
    assert GUARDED, "no guarded socket events found"
    missing = sorted(GUARDED - set(CASES))
    assert not missing, f"add a case naming the first area's object to CASES: {missing}"
    assert not set(CASES) - GUARDED, sorted(set(CASES) - GUARDED)


@pytest.mark.both_databases
@pytest.mark.parametrize(("ns", "event"), sorted(set(CASES) & GUARDED))
def test_a_second_area_sender_changes_nothing_of_the_first_area(app, walls, ns, event):
    sender, data, code = CASES[ns, event](walls)
    assert sender.ns == ns
    before = snapshot(app, but=sender.id)
    reply = sender.call(event, data)
    if code is None:
        assert "error" not in reply, reply
    else:
        assert reply["error"]["code"] == code, reply
        assert sender.received()[events.ERROR] == [reply]
    assert snapshot(app, but=sender.id) == before
    heard = walls.first_console.received()
    assert not set(heard) & FIRST_AREA_NEWS, heard  # nothing of the second area's either
    assert walls.guard.received() == {}
    if event == events.ROSTER:
        assert walls.guard.id not in {p["user_id"] for p in reply["people"]}


@pytest.mark.both_databases
def test_the_second_areas_console_hears_nothing_of_the_first_area(app, area, people, walls):
    guard = walls.guard
    assert guard.call(events.ANSWER_OFFER, {"offer_id": walls.offer_id, "accept": True})["status"]
    lat, lon = offset(*SPOT, 5)
    guard.call(events.POSITION, {"lat": lat, "lon": lon, "accuracy": 5})
    guard.call(events.PROGRESS, {"offer_id": walls.offer_id, "status": "en_route"})
    walls.first_console.call(events.CLOSE_INCIDENT, {"incident_id": walls.incident_id})
    guard.call(events.SET_DUTY, {"on_duty": False})
    people(Role.GRID_WORKER, area["community_id"], metres=60)
    heard_first = walls.first_console.received()
    assert {events.INCIDENT, events.PRESENCE, events.DUTY_CHANGED} <= set(heard_first)
    heard_second = walls.second_console.received()
    assert not set(heard_second) & FIRST_AREA_NEWS, heard_second
    state = walls.second_console.sock
    state.disconnect(events.CONSOLE_NS)
    state.connect(namespace=events.CONSOLE_NS)
    (first_state,) = walls.second_console.received()[events.STATE]
    assert first_state["incidents"] == []
    assert guard.id not in {p["user_id"] for p in first_state["people"]}
