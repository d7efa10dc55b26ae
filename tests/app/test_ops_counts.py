"""What the domains count for /metrics: offers, check-ins, sightings and sockets, each once its
change is committed (a refused or rolled-back change counts as what it was, or not at all)."""

from __future__ import annotations

from app.metrics import REGISTRY
from app.roles import Role
from realtime import events
from tests.checkins.conftest import make_point, submit, token_for  # noqa: F401 - fixtures
from tests.realtime.conftest import connect, spot  # noqa: F401 - fixtures
from tests.sightings.conftest import officer, report_body, someone, volunteer  # noqa: F401


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_offers_sent_and_answered_are_counted(app, area, connect):  # noqa: F811
    community = area["community_id"]
    _d, console = connect(Role.DISPATCHER, community)
    first, first_phone = connect(Role.GUARD, community, metres=100)
    second, second_phone = connect(Role.VOLUNTEER, community, metres=200)
    sent, accepted = (
        _value("wanjia_offers_sent_total"),
        _value("wanjia_offers_answered_total", answer="accepted"),
    )
    declined = _value("wanjia_offers_answered_total", answer="declined")
    incident = console.emit(
        events.CREATE_INCIDENT,
        {
            "kind": "theft",
            "priority": 1,
            "description": "电动车被盗",
            "lat": 33.38,
            "lon": 120.16,
            "needed": 1,
        },
        namespace=events.CONSOLE_NS,
        callback=True,
    )
    console.emit(
        events.SEND_OFFERS,
        {"incident_id": incident["id"], "user_ids": [first.id, second.id]},
        namespace=events.CONSOLE_NS,
        callback=True,
    )
    assert _value("wanjia_offers_sent_total") == sent + 2
    offers = {}
    for phone in (first_phone, second_phone):
        [offer] = [
            m["args"][0] for m in phone.get_received(events.FIELD_NS) if m["name"] == events.OFFER
        ]
        offers[phone] = offer["id"]
    answered = first_phone.emit(
        events.ANSWER_OFFER,
        {"offer_id": offers[first_phone], "accept": False},
        namespace=events.FIELD_NS,
        callback=True,
    )
    assert answered["status"] == "declined", answered
    answered = second_phone.emit(
        events.ANSWER_OFFER,
        {"offer_id": offers[second_phone], "accept": True},
        namespace=events.FIELD_NS,
        callback=True,
    )
    assert answered["status"] == "accepted", answered
    again = second_phone.emit(
        events.ANSWER_OFFER,
        {"offer_id": offers[second_phone], "accept": True},
        namespace=events.FIELD_NS,
        callback=True,
    )
    assert "error" in again  # refused: not counted
    assert _value("wanjia_offers_answered_total", answer="declined") == declined + 1
    assert _value("wanjia_offers_answered_total", answer="accepted") == accepted + 1


def test_sockets_connected_are_counted_by_namespace(app, area, connect, client):  # noqa: F811
    before = _value("wanjia_sockets_connected", namespace=events.FIELD_NS)
    _user, phone = connect(Role.VOLUNTEER, area["community_id"])
    assert _value("wanjia_sockets_connected", namespace=events.FIELD_NS) == before + 1
    phone.disconnect(events.FIELD_NS)
    assert _value("wanjia_sockets_connected", namespace=events.FIELD_NS) == before


def test_check_ins_are_counted_by_outcome(app, logged_in, make_point, submit):  # noqa: F811
    logged_in(Role.VOLUNTEER)
    point = make_point()
    valid = _value("wanjia_checkins_total", outcome="valid")
    refused = _value("wanjia_checkins_total", outcome="refused")
    replayed = _value("wanjia_checkins_total", outcome="replayed")
    assert submit(point, client_id="c0ffee00-0000-4000-8000-00000000aaaa").status_code == 201
    assert submit(point, client_id="c0ffee00-0000-4000-8000-00000000aaaa").status_code == 200
    assert submit(point, metres=500).status_code >= 400
    assert _value("wanjia_checkins_total", outcome="valid") == valid + 1
    assert _value("wanjia_checkins_total", outcome="replayed") == replayed + 1
    assert _value("wanjia_checkins_total", outcome="refused") == refused + 1


def test_a_sighting_is_counted_once_however_often_it_is_resent(volunteer):  # noqa: F811
    before = _value("wanjia_sightings_total")
    assert volunteer.http.post("/api/sightings", json=report_body()).status_code == 201
    assert volunteer.http.post("/api/sightings", json=report_body()).status_code == 200
    refused = volunteer.http.post("/api/sightings", json=report_body(client_id="x", lat=0.0))
    assert refused.status_code == 422
    assert _value("wanjia_sightings_total") == before + 1
