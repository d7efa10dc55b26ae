"""The done-when of broadcasts with real Socket.IO clients: a broadcast reaches two phones in its
radius and not one outside; one answers "seen it" and the console shows it; the officer closes it
and both phones are told."""

from __future__ import annotations

import pytest

from app.roles import Role
from realtime import events
from tests.broadcasts.conftest import circle, send
from tests.conftest import STAFF_PASSWORD


def _heard(sock, ns):
    got: dict[str, list] = {"broadcast": [], "broadcast_seen": []}
    for message in sock.get_received(ns):
        got.setdefault(message["name"], []).append(message["args"][0])
    return got


def _got(sock, ns, name):
    return _heard(sock, ns)[name]


@pytest.mark.both_databases
def test_a_broadcast_reaches_the_phones_in_its_radius_and_the_answers_reach_the_console(
    app, area, connect, officer_client
):
    _officer, console = connect(Role.OFFICER, area["community_id"])
    near1, phone1 = connect(Role.VOLUNTEER, area["community_id"], metres=100)
    _near2, phone2 = connect(Role.GUARD, area["community_id"], metres=400)
    _far, phone3 = connect(Role.VOLUNTEER, area["community_id"], metres=900)
    for sock, ns in (
        (console, events.CONSOLE_NS),
        (phone1, events.FIELD_NS),
        (phone2, events.FIELD_NS),
        (phone3, events.FIELD_NS),
    ):
        sock.get_received(ns)

    answer = send(officer_client, **circle(500))
    assert answer.status_code == 201, answer.get_json()
    sent = answer.get_json()
    assert sent["delivered"] == 2 and sent["waiting"] == 0

    for phone in (phone1, phone2):
        (card,) = _got(phone, events.FIELD_NS, "broadcast")
        assert card["id"] == sent["id"] and card["status"] == "open"
        assert card["what_to_do"] == "不要靠近，立即报告"
    assert _got(phone3, events.FIELD_NS, "broadcast") == []
    assert _got(console, events.CONSOLE_NS, "broadcast")[-1]["delivered"] == 2

    seen = _seen_by(app, near1, sent["id"])
    assert seen.status_code == 201, seen.get_json()
    heard = _heard(console, events.CONSOLE_NS)
    (marker,) = heard["broadcast_seen"]
    assert marker["name"] == near1.name and marker["broadcast_id"] == sent["id"]
    assert (marker["lat"], marker["lon"]) == (33.3805, 120.1605)
    assert [s["id"] for s in heard["broadcast"][-1]["seen"]] == [marker["id"]]

    closed = officer_client.post(
        f"/officer/broadcasts/{sent['id']}/close",
        json={"outcome": "found"},
        headers={"Accept": "application/json"},
    )
    assert closed.status_code == 200, closed.get_json()
    for phone in (phone1, phone2):
        assert [c["status"] for c in _got(phone, events.FIELD_NS, "broadcast")] == ["found"]
    assert _got(phone3, events.FIELD_NS, "broadcast") == []
    assert _got(console, events.CONSOLE_NS, "broadcast")[-1]["status"] == "found"


def _seen_by(app, user, broadcast_id):
    """The phone's "I saw it", through its own HTTP login."""
    http = app.test_client()
    http.post("/login", json={"phone": user.phone, "password": STAFF_PASSWORD})
    return http.post(
        f"/broadcasts/{broadcast_id}/seen",
        json={"lat": 33.3805, "lon": 120.1605, "accuracy": 12},
        headers={"Accept": "application/json"},
    )


@pytest.mark.both_databases
def test_another_areas_console_and_phones_hear_nothing_of_a_broadcast(
    app, area, second_area, connect, officer_client
):
    _officer, console = connect(Role.OFFICER, area["community_id"])
    _other, other_console = connect(Role.OFFICER, second_area["community_id"])
    near, phone = connect(Role.VOLUNTEER, area["community_id"], metres=50)
    _neighbour, neighbour_phone = connect(Role.VOLUNTEER, second_area["community_id"], metres=60)
    for sock, ns in ((other_console, events.CONSOLE_NS), (neighbour_phone, events.FIELD_NS)):
        sock.get_received(ns)

    sent = send(officer_client, audience="everyone", **circle(500)).get_json()
    assert sent["delivered"] == 1  # the neighbour stands in the circle but is not of this area
    assert _seen_by(app, near, sent["id"]).status_code == 201
    officer_client.post(f"/officer/broadcasts/{sent['id']}/close", json={"outcome": "cancelled"})

    assert [c["status"] for c in _got(phone, events.FIELD_NS, "broadcast")] == [
        "open",
        "cancelled",
    ]
    assert _heard(other_console, events.CONSOLE_NS) == {"broadcast": [], "broadcast_seen": []}
    assert _got(neighbour_phone, events.FIELD_NS, "broadcast") == []
    assert _got(console, events.CONSOLE_NS, "broadcast")[-1]["status"] == "cancelled"
