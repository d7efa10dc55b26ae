"""Faults of the scaled mode, in this order on one deployment: Redis restarts under running
processes (each recovers by itself, presence comes back from the saved positions); PostgreSQL
refuses connections and drops the open ones (a clear 503 through nginx, then recovery without a
restart); then kill -9 of
a web process while offers are open and check-ins arrive (its phones reconnect through nginx to
the other process and see their offers as they were; what was accepted stays accepted; every
check-in, resent by its phone until answered, is stored and paid once)."""

from __future__ import annotations

import time
from typing import Any

import psycopg
import requests

from realtime import events
from tests.scale.checkin_burst import CheckinBurst
from tests.scale.deployment import PG_ADMIN, Deployment, wait_for
from tests.scale.test_across_processes import CONSOLE, SPOT, Phone

SETTINGS = {"DISPATCH_OFFER_SECONDS": "600"}  # the offers stay open through the tests


def ready(port: int) -> dict[str, Any] | None:
    """The process's own /readyz (not through nginx), when it says ready."""
    try:
        answer = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
    except requests.RequestException:
        return None
    return answer.json() if answer.status_code == 200 else None


def test_every_process_recovers_from_a_redis_restart_by_itself(deployment: Deployment) -> None:
    a, b = deployment.web_ports
    console_http = deployment.login(CONSOLE, a)
    console = deployment.socket(console_http, events.CONSOLE_NS)
    phone = Phone(deployment, "13700000009", b, metres=250)
    try:
        deployment.redis.stop()
        wait_for(lambda: ready(a) is None and ready(b) is None, 20, "both to say not ready")
        deployment.redis.start()  # empty: this Redis keeps nothing, like the machine's
        for port in (a, b):
            checks = wait_for(lambda p=port: ready(p), 40, f"{port} ready again")["checks"]
            assert checks == {"database": "ok", "redis": "ok", "queue_listener": "ok"}

        # The phone did not share its position again: presence comes back from the table.
        new = {"kind": "fire", "priority": 1, "lat": SPOT[0], "lon": SPOT[1]}
        incident = console.call(events.CREATE_INCIDENT, new, namespace=events.CONSOLE_NS)
        nearest = console.call(
            events.FIND_NEAREST, {"incident_id": incident["id"]}, namespace=events.CONSOLE_NS
        )
        assert phone.id in [p["user_id"] for p in nearest["people"]], nearest
        # Events cross processes again: an offer made on A reaches the phone on B.
        chosen = {"incident_id": incident["id"], "user_ids": [phone.id]}
        console.call(events.SEND_OFFERS, chosen, namespace=events.CONSOLE_NS, timeout=15)
        offers = wait_for(lambda: phone.heard[events.OFFER], what="the offer after the restart")
        assert offers[0]["incident"]["id"] == incident["id"]
        beat_and_worker = deployment.deploy("status")
        assert "worker: running" in beat_and_worker and "beat: running" in beat_and_worker
    finally:
        phone.close()
        console.disconnect()


def test_postgresql_cut_off_answers_503_through_nginx_and_every_process_recovers(
    deployment: Deployment,
) -> None:
    a, b = deployment.web_ports
    phones = {port: deployment.login("13600000005", port) for port in (a, b)}
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{deployment.database}" ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (deployment.database,),
        )
        try:
            for port, http in phones.items():
                down = http.get(f"{deployment.base}/api/me", timeout=30)
                assert down.status_code == 503, (port, down.text)
                assert down.json()["error"]["code"] == "database_unavailable"
                assert down.headers["Retry-After"] == "5"
            assert ready(a) is None and ready(b) is None
        finally:
            admin.execute(f'ALTER DATABASE "{deployment.database}" ALLOW_CONNECTIONS true')
    for port, http in phones.items():
        assert wait_for(lambda p=port: ready(p), 20, f"{port} ready again")
        assert http.get(f"{deployment.base}/api/me", timeout=30).status_code == 200


def test_phones_of_a_killed_process_reconnect_to_the_other_and_see_their_offers(
    deployment: Deployment,
) -> None:
    a, b = deployment.web_ports
    console_http = deployment.login(CONSOLE, a)
    console = deployment.socket(
        console_http, events.CONSOLE_NS, reconnection_delay=0.5, reconnection_delay_max=1
    )
    on_a = Phone(deployment, "13700000007", a, metres=200)
    on_b = Phone(deployment, "13700000008", b, metres=300)
    states: list[dict[str, Any]] = []
    on_a.socket.on(events.STATE, states.append, namespace=events.FIELD_NS)
    # Three volunteers on A check in at point after point while A is killed.
    burst = CheckinBurst(deployment, ["13600000002", "13600000003", "13600000004"], a, 8)
    try:
        new = {"kind": "fire", "priority": 1, "lat": SPOT[0], "lon": SPOT[1], "needed": 2}
        incident = console.call(events.CREATE_INCIDENT, new, namespace=events.CONSOLE_NS)
        chosen = {"incident_id": incident["id"], "user_ids": [on_a.id, on_b.id]}
        console.call(events.SEND_OFFERS, chosen, namespace=events.CONSOLE_NS, timeout=15)
        offer_a = wait_for(lambda: on_a.heard[events.OFFER], what="A's offer")[0]
        offer_b = wait_for(lambda: on_b.heard[events.OFFER], what="B's offer")[0]
        accepted = on_b.call(events.ANSWER_OFFER, {"offer_id": offer_b["id"], "accept": True})
        assert accepted["status"] == "accepted"

        burst.start()
        wait_for(lambda: len(burst.answers) >= 3, what="the first check-ins")
        deployment.kill(f"serve-{a}")
        killed_at = time.monotonic()

        # The phone's Socket.IO client reconnects by itself; nginx sends it to B.
        wait_for(lambda: not on_a.socket.connected, 30, "A's phone to notice")
        state = wait_for(
            lambda: [s for s in states if any(o["id"] == offer_a["id"] for o in s["offers"])],
            30,
            "the phone's state replayed by B",
        )[-1]
        [kept] = [o for o in state["offers"] if o["id"] == offer_a["id"]]
        assert kept["status"] == "offered" and kept["incident"]["id"] == incident["id"]
        assert deployment.served_by(on_a.http) == b
        reconnected_s = time.monotonic() - killed_at

        answer = on_a.call(events.ANSWER_OFFER, {"offer_id": offer_a["id"], "accept": True})
        assert answer["status"] == "accepted"
        wait_for(lambda: console.connected, 30, "the console to reconnect")
        rows = deployment.query(
            "SELECT user_id, status FROM offers WHERE incident_id = %s", incident["id"]
        )
        assert sorted(rows) == sorted([(on_a.id, "accepted"), (on_b.id, "accepted")])
        assert reconnected_s < 30

        # Every check-in was answered in the end, is stored once, and a valid one paid once.
        burst.finish()
        assert len(burst.answers) == 3 * 8
        # 201 counted, 200 a resend of one the killed process had stored, 202 held, 4xx refused
        # by the rules (kept for officers): all answers, none a server fault.
        assert max(burst.answers.values()) < 500
        stored = burst.stored()
        assert set(stored) == set(burst.answers)
        for count, status, paid in stored.values():
            assert count == 1 and paid == (1 if status == "valid" else 0)
        assert any(status == "valid" for _count, status, _paid in stored.values())
    finally:
        on_a.close()
        on_b.close()
        console.disconnect()
