"""Dispatch over real Socket.IO test clients: nearest by role, offers, the first M acceptances,
withdrawals, progress, points, escalation exactly once, reconnects."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db, socketio
from app.roles import Role
from app.types import utcnow
from app.uow import unit_of_work
from realtime import escalation, events
from realtime.models import Incident, Offer
from realtime.presence_backend import presence_for
from realtime.settings import dispatch_settings
from rewards import ledger
from tests.checkins.conftest import offset
from tests.conftest import PASSWORD

SPOT = (33.3800, 120.1600)


@pytest.fixture
def connect(app, make_user):
    """``connect(role, metres=..)``: a logged-in person with their own HTTP and socket clients;
    field people go on duty and share a position ``metres`` east of the spot."""
    made = []

    def person(role, metres=None, namespace=None):
        user = make_user(role, location_consent=True)
        http = app.test_client()
        assert (
            http.post("/login", json={"phone": user.phone, "password": PASSWORD}).status_code == 200
        )
        ns = namespace or (
            events.CONSOLE_NS if role in (Role.DISPATCHER, Role.OFFICER) else events.FIELD_NS
        )
        sock = socketio.test_client(app, namespace=ns, flask_test_client=http)
        assert sock.is_connected(ns)
        made.append((sock, ns))
        if metres is not None:
            assert sock.emit(events.SET_DUTY, {"on_duty": True}, namespace=ns, callback=True)[
                "on_duty"
            ]
            lat, lon = offset(*SPOT, metres)
            assert sock.emit(
                events.POSITION,
                {"lat": lat, "lon": lon, "accuracy": 10},
                namespace=ns,
                callback=True,
            ) == {"ok": True}
        sock.get_received(ns)
        return user, sock

    yield person
    for sock, ns in made:
        if sock.is_connected(ns):
            sock.disconnect(ns)
    presence_for(app).clear()


def _received(sock, ns, name):
    return [m["args"][0] for m in sock.get_received(ns) if m["name"] == name]


def _console_call(sock, event, data):
    return sock.emit(event, data, namespace=events.CONSOLE_NS, callback=True)


def _incident(console, needed=1, roles=None):
    reply = _console_call(
        console,
        events.CREATE_INCIDENT,
        {
            "kind": "theft",
            "priority": 1,
            "description": "电动车被盗",
            "lat": SPOT[0],
            "lon": SPOT[1],
            "needed": needed,
            "roles": roles,
        },
    )
    assert reply["status"] == "open", reply
    return reply


def test_the_nearest_available_are_found_by_role_and_distance(app, connect):
    _d, console = connect(Role.DISPATCHER)
    near_guard, _ = connect(Role.GUARD, metres=120)
    far_guard, _ = connect(Role.GUARD, metres=900)
    volunteer, _ = connect(Role.VOLUNTEER, metres=50)
    connect(Role.GUARD, metres=5000)  # beyond the radius
    incident = _incident(console)
    found = _console_call(
        console,
        events.FIND_NEAREST,
        {"incident_id": incident["id"], "roles": ["guard"], "radius_m": 2000},
    )
    assert [p["user_id"] for p in found["people"]] == [near_guard.id, far_guard.id]
    assert 115 <= found["people"][0]["distance_m"] <= 125
    everyone = _console_call(
        console, events.FIND_NEAREST, {"incident_id": incident["id"], "radius_m": 2000}
    )
    assert [p["user_id"] for p in everyone["people"]][0] == volunteer.id


def test_the_first_acceptance_wins_and_the_rest_are_withdrawn(app, connect):
    _d, console = connect(Role.DISPATCHER)
    first, first_phone = connect(Role.GUARD, metres=100)
    second, second_phone = connect(Role.VOLUNTEER, metres=200)
    incident = _incident(console, needed=1)
    console.get_received(events.CONSOLE_NS)
    _console_call(
        console,
        events.SEND_OFFERS,
        {"incident_id": incident["id"], "user_ids": [first.id, second.id]},
    )
    offer_1 = _received(first_phone, events.FIELD_NS, events.OFFER)[0]
    offer_2 = _received(second_phone, events.FIELD_NS, events.OFFER)[0]
    assert offer_1["incident"]["kind"] == "theft" and 95 < offer_1["distance_m"] < 105

    accepted = first_phone.emit(
        events.ANSWER_OFFER,
        {"offer_id": offer_1["id"], "accept": True},
        namespace=events.FIELD_NS,
        callback=True,
    )
    assert accepted["status"] == "accepted"
    assert _received(second_phone, events.FIELD_NS, events.OFFER)[-1]["status"] == "withdrawn"
    board = _received(console, events.CONSOLE_NS, events.INCIDENT)[-1]
    assert {o["user_id"]: o["status"] for o in board["offers"]} == {
        first.id: "accepted",
        second.id: "withdrawn",
    }

    late = second_phone.emit(
        events.ANSWER_OFFER,
        {"offer_id": offer_2["id"], "accept": True},
        namespace=events.FIELD_NS,
        callback=True,
    )
    assert late["error"]["code"] == "offer_withdrawn"
    with app.app_context():
        assert ledger.balance(db.session, first.id) == app.config["DISPATCH_ACCEPTED_POINTS"]
        assert ledger.balance(db.session, second.id) == 0


def test_someone_elses_or_an_expired_offer_cannot_be_accepted(app, connect):
    _d, console = connect(Role.DISPATCHER)
    asked, asked_phone = connect(Role.GUARD, metres=100)
    _other, other_phone = connect(Role.GUARD, metres=150)
    incident = _incident(console)
    _console_call(
        console, events.SEND_OFFERS, {"incident_id": incident["id"], "user_ids": [asked.id]}
    )
    offer = _received(asked_phone, events.FIELD_NS, events.OFFER)[0]
    stolen = other_phone.emit(
        events.ANSWER_OFFER,
        {"offer_id": offer["id"], "accept": True},
        namespace=events.FIELD_NS,
        callback=True,
    )
    assert stolen["error"]["code"] == "offer_unknown"
    with app.app_context(), unit_of_work() as uow:
        uow.session.get(Offer, offer["id"]).expires_at = utcnow() - timedelta(seconds=1)
        uow.commit()
    expired = asked_phone.emit(
        events.ANSWER_OFFER,
        {"offer_id": offer["id"], "accept": True},
        namespace=events.FIELD_NS,
        callback=True,
    )
    assert expired["error"]["code"] == "offer_expired"


@pytest.mark.both_databases
def test_accepting_an_offer_the_sweep_expired_answers_offer_expired(app, connect):
    """The sweep marks a round's unanswered offers expired before it asks others; accepting one
    then says it expired (not that it was already answered) and pays nothing."""
    _d, console = connect(Role.DISPATCHER)
    asked, asked_phone = connect(Role.GUARD, metres=100)
    incident = _incident(console)
    _console_call(
        console, events.SEND_OFFERS, {"incident_id": incident["id"], "user_ids": [asked.id]}
    )
    offer = _received(asked_phone, events.FIELD_NS, events.OFFER)[0]
    later = utcnow() + timedelta(seconds=app.config["DISPATCH_OFFER_SECONDS"] + 1)
    with app.app_context(), unit_of_work() as uow:
        swept = escalation.escalate_due(
            uow, presence_for(app), now=later, settings=dispatch_settings()
        )
        uow.commit()
    assert swept == [incident["id"]]
    reply = asked_phone.emit(
        events.ANSWER_OFFER,
        {"offer_id": offer["id"], "accept": True},
        namespace=events.FIELD_NS,
        callback=True,
    )
    assert reply["error"]["code"] == "offer_expired"
    with app.app_context():
        assert db.session.get(Offer, offer["id"]).status == "expired"
        assert ledger.balance(db.session, asked.id) == 0


def test_accepted_people_report_each_step_in_order_and_arrival_pays(app, connect):
    _d, console = connect(Role.DISPATCHER)
    guard, phone = connect(Role.GUARD, metres=100)
    incident = _incident(console)
    _console_call(
        console, events.SEND_OFFERS, {"incident_id": incident["id"], "user_ids": [guard.id]}
    )
    offer = _received(phone, events.FIELD_NS, events.OFFER)[0]

    def step(status):
        return phone.emit(
            events.PROGRESS,
            {"offer_id": offer["id"], "status": status},
            namespace=events.FIELD_NS,
            callback=True,
        )

    assert step("en_route")["error"]["code"] == "progress_out_of_order"
    phone.emit(
        events.ANSWER_OFFER,
        {"offer_id": offer["id"], "accept": True},
        namespace=events.FIELD_NS,
        callback=True,
    )
    assert step("arrived")["error"]["code"] == "progress_out_of_order"
    assert [step(s)["status"] for s in ("en_route", "arrived", "done")] == [
        "en_route",
        "arrived",
        "done",
    ]
    board = _received(console, events.CONSOLE_NS, events.INCIDENT)[-1]
    assert board["offers"][0]["status"] == "done" and board["offers"][0]["arrived_at"]
    with app.app_context():
        expected = app.config["DISPATCH_ACCEPTED_POINTS"] + app.config["DISPATCH_ARRIVED_POINTS"]
        assert ledger.balance(db.session, guard.id) == expected


@pytest.mark.both_databases
def test_nobody_accepting_in_time_escalates_exactly_once(app, connect):
    _d, console = connect(Role.DISPATCHER)
    near, near_phone = connect(Role.GUARD, metres=300)
    far, far_phone = connect(Role.GUARD, metres=1500)  # outside the first radius (1 km)
    incident = _incident(console)
    found = _console_call(console, events.FIND_NEAREST, {"incident_id": incident["id"]})
    assert [p["user_id"] for p in found["people"]] == [near.id]
    _console_call(
        console, events.SEND_OFFERS, {"incident_id": incident["id"], "user_ids": [near.id]}
    )
    console.get_received(events.CONSOLE_NS)

    later = utcnow() + timedelta(seconds=app.config["DISPATCH_OFFER_SECONDS"] + 1)

    def sweep():
        with app.app_context(), unit_of_work() as uow:
            done = escalation.escalate_due(
                uow, presence_for(app), now=later, settings=dispatch_settings()
            )
            uow.commit()
            return done

    assert sweep() == [incident["id"]]
    assert sweep() == []  # the same round is never escalated twice
    assert _received(near_phone, events.FIELD_NS, events.OFFER)[-1]["status"] == "expired"
    assert _received(far_phone, events.FIELD_NS, events.OFFER)[-1]["round"] == 2
    board = _received(console, events.CONSOLE_NS, events.INCIDENT)[-1]
    assert board["round"] == 2
    assert {o["user_id"]: o["status"] for o in board["offers"]} == {
        near.id: "expired",
        far.id: "offered",
    }


def test_when_every_round_is_used_the_console_is_told_nobody_came(app, connect):
    app.config["DISPATCH_MAX_ROUNDS"] = 1
    _d, console = connect(Role.DISPATCHER)
    near, _ = connect(Role.GUARD, metres=300)
    incident = _incident(console)
    _console_call(
        console, events.SEND_OFFERS, {"incident_id": incident["id"], "user_ids": [near.id]}
    )
    with app.app_context(), unit_of_work() as uow:
        escalation.escalate_due(
            uow,
            presence_for(app),
            now=utcnow() + timedelta(minutes=5),
            settings=dispatch_settings(),
        )
        uow.commit()
    with app.app_context():
        assert db.session.get(Incident, incident["id"]).exhausted is True


def test_a_reconnecting_phone_and_console_get_their_state_again(app, connect):
    _d, console = connect(Role.DISPATCHER)
    guard, phone = connect(Role.GUARD, metres=100)
    incident = _incident(console)
    _console_call(
        console, events.SEND_OFFERS, {"incident_id": incident["id"], "user_ids": [guard.id]}
    )
    phone.disconnect(events.FIELD_NS)
    phone.connect(namespace=events.FIELD_NS)
    state = _received(phone, events.FIELD_NS, events.STATE)[0]
    assert [o["incident"]["id"] for o in state["offers"]] == [incident["id"]]
    console.disconnect(events.CONSOLE_NS)
    console.connect(namespace=events.CONSOLE_NS)
    console_state = _received(console, events.CONSOLE_NS, events.STATE)[0]
    assert [i["id"] for i in console_state["incidents"]] == [incident["id"]]
    assert [p["user_id"] for p in console_state["people"]] == [guard.id]


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"lat": 91, "lon": 120}, "position_invalid"),
        ({"lat": "x", "lon": 120}, "invalid_input"),  # a type: refused at the edge
        ("here", "body_malformed"),
        ({"lat": 33.38, "lon": 181}, "position_invalid"),
    ],
)
def test_positions_out_of_range_are_refused(app, connect, payload, code):
    _user, phone = connect(Role.GUARD, metres=10)
    with app.app_context():
        before = presence_for(app).get(_user.id)
    reply = phone.emit(events.POSITION, payload, namespace=events.FIELD_NS, callback=True)
    assert reply["error"]["code"] == code
    with app.app_context():
        assert presence_for(app).get(_user.id) == before


def test_a_flood_of_positions_is_rate_limited(app, connect):
    _user, phone = connect(Role.GUARD, metres=10)
    reply = phone.emit(
        events.POSITION,
        {"lat": 33.38, "lon": 120.16, "accuracy": 5},
        namespace=events.FIELD_NS,
        callback=True,
    )
    assert reply["error"]["code"] == "position_flood"


def test_positions_are_shared_only_on_duty_and_off_duty_removes_them(app, connect):
    user, phone = connect(Role.VOLUNTEER)
    reply = phone.emit(
        events.POSITION,
        {"lat": 33.38, "lon": 120.16, "accuracy": 5},
        namespace=events.FIELD_NS,
        callback=True,
    )
    assert reply["error"]["code"] == "not_on_duty"
    on, on_phone = connect(Role.GUARD, metres=10)
    _d, console = connect(Role.DISPATCHER)
    on_phone.emit(events.SET_DUTY, {"on_duty": False}, namespace=events.FIELD_NS, callback=True)
    assert {"user_id": on.id} in _received(console, events.CONSOLE_NS, events.PRESENCE_GONE)
    with app.app_context():
        assert presence_for(app).get(on.id) is None


@pytest.mark.parametrize(
    ("event", "data"),
    [
        (events.CREATE_INCIDENT, {"kind": "theft", "lat": 33.38, "lon": 120.16}),
        (events.FIND_NEAREST, {"incident_id": 1}),
        (events.SEND_OFFERS, {"incident_id": 1, "user_ids": [1]}),
        (events.CLOSE_INCIDENT, {"incident_id": 1}),
    ],
)
def test_a_volunteer_cannot_call_a_dispatchers_event(app, connect, event, data):
    user, phone = connect(Role.VOLUNTEER)
    # Field people cannot open the console channel at all ...
    http = app.test_client()
    http.post("/login", json={"phone": user.phone, "password": PASSWORD})
    console = socketio.test_client(app, namespace=events.CONSOLE_NS, flask_test_client=http)
    assert not console.is_connected(events.CONSOLE_NS)
    # ... and the same event sent on their own channel does nothing.
    assert not phone.emit(event, data, namespace=events.FIELD_NS, callback=True)
    with app.app_context():
        assert db.session.scalar(select(Incident.id)) is None


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"kind": "alien", "lat": 33.38, "lon": 120.16}, "kind_unknown"),
        ({"kind": "theft", "lat": 95, "lon": 120.16}, "position_invalid"),
        ({"kind": "theft", "lat": 33.38, "lon": 120.16, "priority": 9}, "priority_range"),
        ({"kind": "theft", "lat": 33.38, "lon": 120.16, "needed": 0}, "needed_range"),
        ({"kind": "theft", "lat": 33.38, "lon": 120.16, "roles": ["officer"]}, "role_unknown"),
    ],
)
def test_a_bad_incident_is_refused_and_nothing_is_made(app, connect, data, code):
    _d, console = connect(Role.DISPATCHER)
    assert _console_call(console, events.CREATE_INCIDENT, data)["error"]["code"] == code
    with app.app_context():
        assert db.session.scalar(select(Incident.id)) is None


@pytest.mark.parametrize("radius", [-5, 0, 10**7])
def test_an_impossible_search_radius_is_refused(app, connect, radius):
    _d, console = connect(Role.DISPATCHER)
    incident = _incident(console)
    reply = _console_call(
        console, events.FIND_NEAREST, {"incident_id": incident["id"], "radius_m": radius}
    )
    assert reply["error"]["code"] == "radius_range"


@pytest.mark.parametrize(
    ("event", "data", "field"),
    [
        (events.FIND_NEAREST, {"incident_id": "first"}, "incident_id"),
        (events.FIND_NEAREST, {"incident_id": 2**64}, "incident_id"),
        (events.FIND_NEAREST, {"incident_id": 1, "radius_m": "far"}, "radius_m"),
        (events.FIND_NEAREST, {"incident_id": 1, "limit": "all"}, "limit"),
        (events.SEND_OFFERS, {"incident_id": 1, "user_ids": ["a"]}, "user_ids.0"),
        (events.SEND_OFFERS, {"incident_id": 1, "user_ids": [2**70]}, "user_ids.0"),
        (events.SEND_OFFERS, {"incident_id": 1, "user_ids": []}, "user_ids"),
        (events.CLOSE_INCIDENT, {"incident_id": -1}, "incident_id"),
        (events.CREATE_INCIDENT, {"kind": "theft", "lat": "north", "lon": 120.16}, "lat"),
    ],
)
def test_a_consoles_bad_event_names_the_field_and_is_no_server_error(
    app, connect, event, data, field
):
    _d, console = connect(Role.DISPATCHER)
    error = _console_call(console, event, data)["error"]
    assert (error["code"], error["field"]) == ("invalid_input", field)
    with app.app_context():
        assert db.session.scalar(select(Incident.id)) is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"offer_id": "mine", "accept": True}, "offer_id"),
        ({"offer_id": 2**64, "accept": True}, "offer_id"),
        ({"offer_id": 1, "accept": "yes"}, "accept"),
        ({"offer_id": 1}, "accept"),
    ],
)
def test_a_volunteers_bad_answer_names_the_field_and_is_no_server_error(app, connect, data, field):
    _user, phone = connect(Role.VOLUNTEER, metres=10)
    reply = phone.emit(events.ANSWER_OFFER, data, namespace=events.FIELD_NS, callback=True)
    assert (reply["error"]["code"], reply["error"]["field"]) == ("invalid_input", field)
