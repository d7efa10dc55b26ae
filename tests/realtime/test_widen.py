"""Widening an incident to a neighbouring police area, only by the dispatcher's explicit choice:
recorded with who and when, announced to both areas' consoles; the neighbour's people may then
be asked; the neighbour's console sees that incident and nothing else of the first area. Never
another station's area, never by another area's dispatcher."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db, socketio
from app.roles import Role
from app.uow import unit_of_work
from realtime import events
from realtime.models import Incident, Offer, WidenedArea
from volunteers.models import Community, PoliceArea, Station

SPOT = (33.3950, 120.1600)  # between the two areas' police rooms


@pytest.fixture
def spot():
    return SPOT


def _call(sock, event, data):
    return sock.emit(event, data, namespace=events.CONSOLE_NS, callback=True)


def _received(sock, ns=events.CONSOLE_NS):
    got: dict[str, list] = {}
    for message in sock.get_received(ns):
        got.setdefault(message["name"], []).append(message["args"][0])
    return got


def _incident(console, description="菜场门口有人偷电动车"):
    reply = _call(
        console,
        events.CREATE_INCIDENT,
        {
            "kind": "theft",
            "priority": 1,
            "lat": SPOT[0],
            "lon": SPOT[1],
            "description": description,
        },
    )
    assert reply["status"] == "open", reply
    return reply


def _widenings(app):
    with app.app_context():
        return db.session.execute(
            select(WidenedArea.incident_id, WidenedArea.police_area_id, WidenedArea.widened_by_id)
        ).all()


@pytest.mark.both_databases
def test_a_widened_incident_reaches_the_neighbours_console_with_who_and_when(
    app, area, second_area, connect
):
    d1, first = connect(Role.DISPATCHER, area["community_id"])
    _d2, second = connect(Role.DISPATCHER, second_area["community_id"])
    other = _incident(first, "另一起：只在本区")
    incident = _incident(first)
    assert [n["name"] for n in incident["neighbours"]] == ["城北警务区"]
    _received(first), _received(second)

    reply = _call(
        first,
        events.WIDEN_INCIDENT,
        {"incident_id": incident["id"], "police_area_id": second_area["police_area_id"]},
    )
    assert [(w["name"], w["by"]) for w in reply["widened"]] == [("城北警务区", d1.name)]
    assert reply["neighbours"] == [] and reply["area"]["name"] == "测试警务区"
    assert _widenings(app) == [(incident["id"], second_area["police_area_id"], d1.id)]
    for console in (first, second):
        (seen,) = _received(console)[events.INCIDENT]
        assert seen["id"] == incident["id"] and seen["widened"][0]["at"]

    second.disconnect(events.CONSOLE_NS)
    again = socketio.test_client(
        app, namespace=events.CONSOLE_NS, flask_test_client=second.flask_test_client
    )
    state = _received(again)[events.STATE][0]
    assert [i["id"] for i in state["incidents"]] == [incident["id"]]  # not ``other``
    assert other["id"] != incident["id"]
    assert state["areas"] == [second_area["police_area_id"]]  # it acts on none of them
    again.disconnect(events.CONSOLE_NS)


@pytest.mark.both_databases
def test_once_widened_the_neighbours_people_are_found_and_asked(app, area, second_area, connect):
    _d1, first = connect(Role.DISPATCHER, area["community_id"])
    neighbour, phone = connect(Role.GUARD, second_area["community_id"], metres=30)
    incident = _incident(first)
    before = _call(first, events.FIND_NEAREST, {"incident_id": incident["id"]})
    assert before["people"] == []  # not without the dispatcher's choice
    refused = _call(
        first, events.SEND_OFFERS, {"incident_id": incident["id"], "user_ids": [neighbour.id]}
    )
    assert refused["error"]["code"] == "nobody_chosen"

    _call(
        first,
        events.WIDEN_INCIDENT,
        {"incident_id": incident["id"], "police_area_id": second_area["police_area_id"]},
    )
    found = _call(first, events.FIND_NEAREST, {"incident_id": incident["id"]})
    assert [p["user_id"] for p in found["people"]] == [neighbour.id]
    sent = _call(
        first, events.SEND_OFFERS, {"incident_id": incident["id"], "user_ids": [neighbour.id]}
    )
    assert [o["user_id"] for o in sent["offers"]] == [neighbour.id]
    offers = _received(phone, events.FIELD_NS)[events.OFFER]
    assert offers[-1]["incident"]["id"] == incident["id"]


@pytest.mark.both_databases
def test_another_areas_dispatcher_cannot_widen_and_nothing_is_recorded(
    app, area, second_area, connect
):
    _d1, first = connect(Role.DISPATCHER, area["community_id"])
    _d2, second = connect(Role.DISPATCHER, second_area["community_id"])
    incident = _incident(first)
    reply = _call(
        second,
        events.WIDEN_INCIDENT,
        {"incident_id": incident["id"], "police_area_id": second_area["police_area_id"]},
    )
    assert reply["error"]["code"] == "incident_unknown"
    assert _widenings(app) == []
    assert events.INCIDENT not in _received(second)


@pytest.mark.both_databases
def test_never_to_another_stations_area_nor_a_closed_incident(app, area, second_area, connect):
    with app.app_context(), unit_of_work() as uow:
        elsewhere = PoliceArea(
            station=Station(name="邻镇派出所"), name="邻镇警务区", center_lat=33.5, center_lon=120.2
        )
        uow.session.add_all([elsewhere, Community(police_area=elsewhere, name="邻镇社区")])
        uow.commit()
    _d1, first = connect(Role.DISPATCHER, area["community_id"])
    incident = _incident(first)
    assert [n["id"] for n in incident["neighbours"]] == [second_area["police_area_id"]]
    far = _call(
        first,
        events.WIDEN_INCIDENT,
        {"incident_id": incident["id"], "police_area_id": elsewhere.id},
    )
    assert far["error"]["code"] == "area_unknown"
    _call(first, events.CLOSE_INCIDENT, {"incident_id": incident["id"]})
    closed = _call(
        first,
        events.WIDEN_INCIDENT,
        {"incident_id": incident["id"], "police_area_id": second_area["police_area_id"]},
    )
    assert closed["error"]["code"] == "incident_closed"
    assert _widenings(app) == []


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({"incident_id": "x", "police_area_id": 1}, "invalid_input", "incident_id"),
        ({"incident_id": 1}, "invalid_input", "police_area_id"),
        ({"incident_id": 1, "police_area_id": 2**31}, "invalid_input", "police_area_id"),
        ({"incident_id": 2**31, "police_area_id": 1}, "invalid_input", "incident_id"),
        ("widen", "body_malformed", None),
    ],
)
def test_a_malformed_widening_is_an_error_naming_the_field(app, area, connect, data, code, field):
    _d1, first = connect(Role.DISPATCHER, area["community_id"])
    reply = _call(first, events.WIDEN_INCIDENT, data)
    assert reply["error"]["code"] == code
    assert reply["error"].get("field") == field
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WidenedArea)) == 0


def test_widening_again_changes_nothing(app, area, second_area, connect):
    _d1, first = connect(Role.DISPATCHER, area["community_id"])
    incident = _incident(first)
    body = {"incident_id": incident["id"], "police_area_id": second_area["police_area_id"]}
    once, twice = (
        _call(first, events.WIDEN_INCIDENT, body),
        _call(first, events.WIDEN_INCIDENT, body),
    )
    assert once["widened"] == twice["widened"] and len(_widenings(app)) == 1
    with app.app_context():
        assert db.session.get(Incident, incident["id"]).status == "open"
        assert db.session.scalar(select(func.count()).select_from(Offer)) == 0
