"""What crosses between the scaled mode's processes, through nginx as phones reach it: a dispatch
made on process A reaches a phone on B, a sighting posted to B reaches a console on A, an
escalation run by the Celery worker reaches phones on both, a logout on A closes that login's
sockets on B, and a broadcast reaches phones on both."""

from __future__ import annotations

from typing import Any

import pytest

from realtime import events
from tests.checkins.conftest import offset
from tests.scale.deployment import Deployment, metric_lines, wait_for

SPOT = (33.3800, 120.1600)  # the demo area's centre
SETTINGS = {"DISPATCH_OFFER_SECONDS": "4", "DISPATCH_MAX_ROUNDS": "4"}
CONSOLE = "13900000010"  # the demo's dispatcher


def user_id(site: Deployment, phone: str) -> int:
    [(found,)] = site.query("SELECT id FROM users WHERE phone = %s", phone)
    return int(found)


class Phone:
    """A field phone kept to one process: logged in, on duty at ``metres`` east of SPOT."""

    def __init__(
        self, site: Deployment, phone: str, port: int, metres: float, polling_first: bool = False
    ) -> None:
        self.id = user_id(site, phone)
        self.http = site.login(phone, port)
        assert site.served_by(self.http) == port
        self.heard: dict[str, list[Any]] = {events.OFFER: [], "broadcast": [], "sighting": []}
        self.socket = site.socket(
            self.http, events.FIELD_NS, self.heard, polling_first=polling_first
        )
        self.lat, self.lon = offset(*SPOT, metres)
        duty = {"on_duty": True, "share_location": True}
        on_duty = self.call(events.SET_DUTY, duty)
        assert on_duty.get("on_duty") is True, on_duty  # an error's code, if one came back
        position = {"lat": self.lat, "lon": self.lon, "accuracy": 10}
        shared = self.call(events.POSITION, position)
        assert shared == {"ok": True}, shared

    def call(self, event: str, data: dict[str, Any]) -> Any:
        return self.socket.call(event, data, namespace=events.FIELD_NS, timeout=15)

    def close(self) -> None:
        self.socket.disconnect()


class Console:
    def __init__(self, site: Deployment, port: int) -> None:
        self.http = site.login(CONSOLE, port)
        self.heard: dict[str, list[Any]] = {events.INCIDENT: [], "sighting": []}
        self.socket = site.socket(self.http, events.CONSOLE_NS, self.heard)

    def call(self, event: str, data: dict[str, Any]) -> Any:
        return self.socket.call(event, data, namespace=events.CONSOLE_NS, timeout=15)

    def incident(self) -> dict[str, Any]:
        new = {"kind": "fire", "priority": 1, "lat": SPOT[0], "lon": SPOT[1]}
        return dict(self.call(events.CREATE_INCIDENT, new))

    def offer(self, incident: dict[str, Any], *people: Phone) -> dict[str, Any]:
        chosen = {"incident_id": incident["id"], "user_ids": [p.id for p in people]}
        return dict(self.call(events.SEND_OFFERS, chosen))


@pytest.fixture
def a_and_b(deployment: Deployment) -> tuple[int, int]:
    return deployment.web_ports[0], deployment.web_ports[1]


def test_a_dispatch_made_on_a_reaches_a_phone_on_b_and_its_answer_comes_back(
    deployment: Deployment, a_and_b: tuple[int, int]
) -> None:
    a, b = a_and_b
    console = Console(deployment, a)
    # Long-polling first: its requests must all reach B, by the route cookie, until it upgrades.
    phone = Phone(deployment, "13700000001", b, metres=300, polling_first=True)
    try:
        incident = console.incident()
        console.offer(incident, phone)
        offers = wait_for(lambda: phone.heard[events.OFFER], what="the offer on B")
        assert offers[0]["incident"]["id"] == incident["id"]
        assert offers[0]["status"] == "offered"
        answer = phone.call(events.ANSWER_OFFER, {"offer_id": offers[0]["id"], "accept": True})
        assert answer["status"] == "accepted"

        def accepted_on_console() -> bool:
            return any(
                offer["user_id"] == phone.id and offer["status"] == "accepted"
                for seen in console.heard[events.INCIDENT]
                for offer in seen.get("offers", [])
            )

        wait_for(accepted_on_console, what="the acceptance on A's console")
        # Each process times the events it handled, under gevent too (/metrics, loopback).
        timed = "wanjia_socket_event_seconds"
        assert 'event="send_offers",namespace="/console"' in "".join(metric_lines(a, timed))
        assert 'event="answer_offer",namespace="/field"' in "".join(metric_lines(b, timed))
    finally:
        phone.close()
        console.socket.disconnect()


def test_a_sighting_posted_to_b_reaches_a_console_on_a(
    deployment: Deployment, a_and_b: tuple[int, int]
) -> None:
    a, b = a_and_b
    console = Console(deployment, a)
    reporter = deployment.login("13600000001", b)
    try:
        answer = reporter.post(
            f"{deployment.base}/api/sightings",
            json={
                "client_id": "5ca1ed00-0000-4000-8000-000000000001",
                "category": "suspicious_person",
                "behaviour": "有人在逐个拉停着的电动车车门",
                "lat": SPOT[0],
                "lon": SPOT[1],
                "accuracy_m": 12,
                "photos": 0,
            },
            timeout=15,
        )
        assert answer.status_code == 201, answer.text
        sighting_id = answer.json()["id"]
        seen = wait_for(
            lambda: [s for s in console.heard["sighting"] if s["id"] == sighting_id],
            what="the sighting on A's console",
        )
        assert seen[0]["behaviour"] == "有人在逐个拉停着的电动车车门"
    finally:
        console.socket.disconnect()


def test_an_escalation_run_by_the_worker_reaches_phones_on_both_processes(
    deployment: Deployment, a_and_b: tuple[int, int]
) -> None:
    a, b = a_and_b
    console = Console(deployment, a)
    first = Phone(deployment, "13700000002", a, metres=200)
    far_on_a = Phone(deployment, "13700000003", a, metres=1500)
    far_on_b = Phone(deployment, "13700000004", b, metres=1600)
    phones = [first, far_on_a, far_on_b]
    try:
        incident = console.incident()
        console.offer(incident, first)  # round 1: only the nearest, who does not answer
        wait_for(lambda: first.heard[events.OFFER], what="round 1's offer")
        # The beat's sweep (every 5 s) sends the worker to escalate after the 4 s round.
        for phone in (far_on_a, far_on_b):
            offers = wait_for(lambda p=phone: p.heard[events.OFFER], 30, "round 2 on each")
            assert offers[0]["incident"]["id"] == incident["id"]
            assert offers[0]["round"] >= 2 and offers[0]["status"] == "offered"
        expired = wait_for(
            lambda: [o for o in first.heard[events.OFFER] if o["status"] == "expired"],
            what="round 1's offer expired on the first phone",
        )
        assert len(expired) == 1
        rounds = deployment.query(
            "SELECT user_id, round FROM offers WHERE incident_id = %s ORDER BY round, user_id",
            incident["id"],
        )
        asked = [user for user, _round in rounds]
        assert len(asked) == len(set(asked)), f"someone was asked twice: {rounds}"
    finally:
        for phone in phones:
            phone.close()
        console.socket.disconnect()


def test_a_logout_on_a_closes_that_logins_sockets_on_b(
    deployment: Deployment, a_and_b: tuple[int, int]
) -> None:
    a, b = a_and_b
    http_a = deployment.login("13800000001", a)
    on_b = deployment.session(b)
    for cookie in http_a.cookies:
        if cookie.name != "wanjia_route":
            on_b.cookies.set(cookie.name, cookie.value, domain="127.0.0.1", path="/")
    assert deployment.served_by(on_b) == b
    closed: list[bool] = []
    socket = deployment.socket(on_b, events.FIELD_NS, on_disconnect=lambda: closed.append(True))
    other_login = deployment.login("13800000001", b)  # the same person on another phone
    other = deployment.socket(other_login, events.FIELD_NS)
    try:
        answer = http_a.post(f"{deployment.base}/logout", json={}, timeout=15)
        assert answer.status_code in (200, 302), answer.text
        wait_for(lambda: closed, 10, "the socket on B to close")
        assert other.connected, "only the login that logged out loses its sockets"
    finally:
        socket.disconnect()
        other.disconnect()


def test_a_broadcast_sent_on_a_reaches_phones_on_both(
    deployment: Deployment, a_and_b: tuple[int, int]
) -> None:
    a, b = a_and_b
    officer = deployment.login("13900000001", a)
    on_a = Phone(deployment, "13700000005", a, metres=150)
    on_b = Phone(deployment, "13700000006", b, metres=250)
    try:
        answer = officer.post(
            f"{deployment.base}/officer/broadcasts",
            json={
                "kind": "missing_person",
                "title": "走失老人",
                "look_for": "男，80岁左右，灰色外套，拄拐杖",
                "what_to_do": "不要靠近，立即报告",
                "urgent": True,
                "center_lat": SPOT[0],
                "center_lon": SPOT[1],
                "stages": [{"after_min": 0, "radius_m": 500}],
            },
            headers={"Accept": "application/json"},
            timeout=15,
        )
        assert answer.status_code == 201, answer.text
        sent = answer.json()
        for phone in (on_a, on_b):
            cards = wait_for(lambda p=phone: p.heard["broadcast"], what="the broadcast")
            assert cards[0]["id"] == sent["id"] and cards[0]["title"] == "走失老人"
    finally:
        on_a.close()
        on_b.close()
