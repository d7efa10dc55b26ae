"""Arrival pays only for being there: an open incident, a recent and precise position near it,
the steps in order; "done" follows arrival, and nothing pays after the incident closed."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from app.extensions import db
from app.roles import Role
from app.types import utcnow
from realtime import events
from realtime.presence_backend import presence_for
from rewards import ledger

# The dispatch module's fixture and helpers: people with their own sockets, an open incident.
from tests.realtime.test_dispatch import (  # noqa: F401 - connect is a fixture
    _console_call,
    _incident,
    _received,
    connect,
)


@pytest.fixture
def accepted(app, connect):  # noqa: F811 - the imported fixture
    """``accepted(metres)``: a guard ``metres`` from an open incident who accepted its offer;
    returns (guard, step, console, incident), ``step(status)`` reporting progress."""

    def make(metres):
        _d, console = connect(Role.DISPATCHER)
        guard, phone = connect(Role.GUARD, metres=metres)
        incident = _incident(console)
        _console_call(
            console, events.SEND_OFFERS, {"incident_id": incident["id"], "user_ids": [guard.id]}
        )
        offer = _received(phone, events.FIELD_NS, events.OFFER)[0]
        reply = phone.emit(
            events.ANSWER_OFFER,
            {"offer_id": offer["id"], "accept": True},
            namespace=events.FIELD_NS,
            callback=True,
        )
        assert reply["status"] == "accepted", reply

        def step(status):
            return phone.emit(
                events.PROGRESS,
                {"offer_id": offer["id"], "status": status},
                namespace=events.FIELD_NS,
                callback=True,
            )

        return guard, step, console, incident

    return make


def _balance(app, user) -> int:
    with app.app_context():
        return ledger.balance(db.session, user.id)


def _close(console, incident) -> None:
    reply = _console_call(console, events.CLOSE_INCIDENT, {"incident_id": incident["id"]})
    assert reply["status"] == "closed", reply


@pytest.mark.both_databases
def test_arrived_and_done_at_once_from_far_away_pays_nothing(app, accepted):
    """The attack: accept, then report every step in one go from 900 m away. Before, arrival
    paid +15 without the person going anywhere."""
    guard, step, _console, _incident = accepted(900)
    assert step("en_route")["status"] == "en_route"
    refused = step("arrived")
    assert refused["error"]["code"] == "arrival_too_far"
    assert "900" in refused["error"]["message"] or "899" in refused["error"]["message"]
    assert step("done")["error"]["code"] == "progress_out_of_order"
    assert _balance(app, guard) == app.config["DISPATCH_ACCEPTED_POINTS"]


@pytest.mark.both_databases
def test_nothing_is_reported_or_paid_after_the_incident_closed(app, accepted):
    """The attack: the dispatcher closed the incident; the responder, even standing at it, then
    reports going and arriving. Before, that paid +15."""
    guard, step, console, incident = accepted(50)
    _close(console, incident)
    assert step("en_route")["error"]["code"] == "incident_closed"
    assert _balance(app, guard) == app.config["DISPATCH_ACCEPTED_POINTS"]


@pytest.mark.both_databases
def test_arriving_after_the_close_pays_nothing(app, accepted):
    guard, step, console, incident = accepted(50)
    assert step("en_route")["status"] == "en_route"
    _close(console, incident)
    assert step("arrived")["error"]["code"] == "incident_closed"
    assert step("done")["error"]["code"] == "progress_out_of_order"
    assert _balance(app, guard) == app.config["DISPATCH_ACCEPTED_POINTS"]


@pytest.mark.both_databases
def test_done_may_follow_an_arrival_the_dispatcher_closed_after(app, accepted):
    """A responder at the scene when the dispatcher closes still reports the job done; arrival
    was paid once, done pays nothing."""
    guard, step, console, incident = accepted(50)
    assert [step(s)["status"] for s in ("en_route", "arrived")] == ["en_route", "arrived"]
    _close(console, incident)
    assert step("done")["status"] == "done"
    expected = app.config["DISPATCH_ACCEPTED_POINTS"] + app.config["DISPATCH_ARRIVED_POINTS"]
    assert _balance(app, guard) == expected


def test_an_old_position_does_not_show_arrival(app, accepted):
    """The phone stopped sharing (or shares no more since it left): the last position, near
    the incident but older than the setting, is not a sign of being there now."""
    guard, step, _console, _incident = accepted(50)
    assert step("en_route")["status"] == "en_route"
    presence = presence_for(app)
    seen = presence.get(guard.id)
    age = timedelta(seconds=app.config["DISPATCH_ARRIVAL_POSITION_SECONDS"] + 5)
    presence.update(replace(seen, seen_at=utcnow() - age))
    assert step("arrived")["error"]["code"] == "arrival_unseen"
    presence.update(replace(seen, seen_at=utcnow()))  # a fresh position at the same place
    assert step("arrived")["status"] == "arrived"
    expected = app.config["DISPATCH_ACCEPTED_POINTS"] + app.config["DISPATCH_ARRIVED_POINTS"]
    assert _balance(app, guard) == expected


def test_no_position_or_a_vague_one_does_not_show_arrival(app, accepted):
    guard, step, _console, _incident = accepted(50)
    assert step("en_route")["status"] == "en_route"
    presence = presence_for(app)
    seen = presence.get(guard.id)
    presence.remove(guard.id)
    assert step("arrived")["error"]["code"] == "arrival_unseen"
    vague = app.config["DISPATCH_ARRIVAL_RADIUS_M"] + 1
    presence.update(replace(seen, accuracy_m=vague, seen_at=utcnow()))
    assert step("arrived")["error"]["code"] == "arrival_unseen"
    assert _balance(app, guard) == app.config["DISPATCH_ACCEPTED_POINTS"]


def test_the_arrival_radius_is_a_setting(app, accepted):
    app.config["DISPATCH_ARRIVAL_RADIUS_M"] = 1000
    guard, step, _console, _incident = accepted(900)
    assert [step(s)["status"] for s in ("en_route", "arrived", "done")] == [
        "en_route",
        "arrived",
        "done",
    ]
    expected = app.config["DISPATCH_ACCEPTED_POINTS"] + app.config["DISPATCH_ARRIVED_POINTS"]
    assert _balance(app, guard) == expected
