"""The console is walled by police area: each console joins its areas' rooms; incidents,
positions and the roster of another area never reach it, and its dispatcher cannot search,
offer or close another area's incident (an error event, as for one that does not exist)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db, socketio
from app.roles import Role
from realtime import events
from realtime.models import Incident, Offer
from tests.realtime.conftest import SPOT


def _received(sock):
    """Everything the console was sent since the last look, by event name."""
    got: dict[str, list] = {}
    for message in sock.get_received(events.CONSOLE_NS):
        got.setdefault(message["name"], []).append(message["args"][0])
    return got


def _call(sock, event, data):
    return sock.emit(event, data, namespace=events.CONSOLE_NS, callback=True)


def _incident(console):
    reply = _call(
        console,
        events.CREATE_INCIDENT,
        {"kind": "theft", "priority": 1, "lat": SPOT[0], "lon": SPOT[1], "needed": 1},
    )
    assert reply["status"] == "open", reply
    return reply


@pytest.mark.both_databases
def test_an_incident_and_positions_reach_only_their_areas_consoles(app, area, second_area, connect):
    _d1, first = connect(Role.DISPATCHER, area["community_id"])
    _d2, second = connect(Role.DISPATCHER, second_area["community_id"])
    first.get_received(events.CONSOLE_NS), second.get_received(events.CONSOLE_NS)
    guard, _phone = connect(Role.GUARD, area["community_id"], metres=20)
    incident = _incident(first)
    seen_first, seen_second = _received(first), _received(second)
    assert [i["id"] for i in seen_first[events.INCIDENT]] == [incident["id"]]
    assert guard.id in {p["user_id"] for p in seen_first[events.PRESENCE]}
    assert events.INCIDENT not in seen_second and events.PRESENCE not in seen_second
    roster = _call(second, events.ROSTER, {})
    assert guard.id not in {p["user_id"] for p in roster["people"]}
    second.disconnect(events.CONSOLE_NS)
    again = socketio.test_client(
        app, namespace=events.CONSOLE_NS, flask_test_client=second.flask_test_client
    )
    state = _received(again)[events.STATE][0]
    assert state["incidents"] == [] and state["people"] == []
    again.disconnect(events.CONSOLE_NS)


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("event", "extra"),
    [
        (events.FIND_NEAREST, {}),
        (events.SEND_OFFERS, {"user_ids": [1]}),
        (events.CLOSE_INCIDENT, {}),
    ],
)
def test_another_areas_dispatcher_cannot_act_on_an_incident(
    app, area, second_area, connect, event, extra
):
    _d1, first = connect(Role.DISPATCHER, area["community_id"])
    _d2, second = connect(Role.DISPATCHER, second_area["community_id"])
    incident = _incident(first)
    reply = _call(second, event, {"incident_id": incident["id"], **extra})
    assert reply["error"]["code"] == "incident_unknown"
    with app.app_context():
        row = db.session.get(Incident, incident["id"])
        assert row.status == "open"
        assert db.session.scalar(select(Offer.id)) is None


@pytest.mark.both_databases
def test_the_nearest_search_passes_over_people_of_other_areas(app, area, second_area, connect):
    neighbour, _p = connect(Role.GUARD, area["community_id"], metres=10)  # nearest, other area
    own, _q = connect(Role.GUARD, second_area["community_id"], metres=300)
    _d2, second = connect(Role.DISPATCHER, second_area["community_id"])
    incident = _incident(second)
    found = _call(second, events.FIND_NEAREST, {"incident_id": incident["id"], "limit": 1})
    assert [p["user_id"] for p in found["people"]] == [own.id]
    offered = _call(
        second, events.SEND_OFFERS, {"incident_id": incident["id"], "user_ids": [neighbour.id]}
    )
    assert "error" in offered  # nobody of this area among those chosen
    with app.app_context():
        assert db.session.scalar(select(Offer.user_id)) is None
