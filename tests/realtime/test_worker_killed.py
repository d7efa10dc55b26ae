"""kill -9 of the Celery worker in the middle of an escalation (issue 22, scaled mode): the round
escalates exactly once after a new worker starts, and each phone asked gets its offer once.

Real processes on a PostgreSQL database and a redis-server of the test's own: ``wanjia run
--no-worker`` holding the sockets, ``wanjia beat`` sending the sweep every 5 s, ``wanjia
worker``. The test holds the incident's row lock, so the worker's claim (a conditional UPDATE)
waits inside the escalation until the worker is killed."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from realtime import events
from tests.realtime.scaled_site import (
    SPOT,
    Site,
    celery,
    on_duty_at,
    own_database,
    sio_client,
    wait_for,
)
from tests.servers import launch, own_redis, stop

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server")

# The task a killed worker held comes back after the visibility timeout: 8 s here (an hour
# by default), so that this test sees it run again too.
TRANSPORT = {"visibility_timeout": 8, "unacked_restore_interval": 1, "unacked_restore_throttle": 1}
RECEIVED = re.compile(r"Task realtime\.tasks\.escalate_due\[([0-9a-f-]+)\] received")
SUCCEEDED = re.compile(r"Task realtime\.tasks\.escalate_due\[([0-9a-f-]+)\] succeeded")


def _claims_waiting(site: Site, watch: Any) -> set[int]:
    """Backends of the site's database whose claim of a round waits on a row lock."""
    rows = watch.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'"
        " AND query LIKE 'UPDATE incidents SET offer_deadline%%'",
        (site.name,),
    ).fetchall()
    return {pid for (pid,) in rows}


def _offers(watch: Any, incident_id: int) -> list[tuple[int, int, str]]:
    return watch.execute(
        "SELECT user_id, round, status FROM offers WHERE incident_id = %s ORDER BY user_id",
        (incident_id,),
    ).fetchall()


def _incident(watch: Any, incident_id: int) -> tuple[int, bool, bool]:
    """The incident's round, whether it is exhausted, whether a round is running."""
    return watch.execute(
        "SELECT round, exhausted, offer_deadline IS NOT NULL FROM incidents WHERE id = %s",
        (incident_id,),
    ).fetchone()


def _statuses(received: list[dict[str, Any]], incident_id: int) -> list[tuple[int, str]]:
    return [(o["round"], o["status"]) for o in received if o["incident"]["id"] == incident_id]


def test_a_worker_killed_inside_an_escalation_escalates_it_once_after_a_restart(
    tmp_path: Path,
) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    with own_database(instance, guards=3) as site, own_redis(tmp_path) as redis:
        settings = {
            "DATABASE_URL": site.url,
            "REDIS_URL": redis.url,
            # Round 2 outlasts the test: a second escalation would show as round 2's offers
            # expired and a round 3.
            "DISPATCH_OFFER_SECONDS": "120",
            "RATELIMIT_ENABLED": "false",
            "CELERY_BROKER_TRANSPORT_OPTIONS": json.dumps(TRANSPORT),
        }
        web, server = launch(instance, **settings)
        processes: list[subprocess.Popen[bytes]] = [web, celery("beat", instance, **settings)]
        clients: list[Any] = []
        watch = site.connect()
        lock = site.connect(autocommit=False)
        try:
            (near, near_phone), *far = site.guards
            received: dict[int, list[dict[str, Any]]] = {uid: [] for uid, _ in site.guards}
            for (uid, phone), metres in zip(site.guards, (300, 1500, 1600), strict=True):
                phone_socket = sio_client(
                    server.base, phone, events.FIELD_NS, offer=received[uid].append
                )
                clients.append(phone_socket)
                on_duty_at(phone_socket, metres)  # round 1 (1 km) reaches only the near one
            console = sio_client(server.base, site.dispatcher, events.CONSOLE_NS)
            clients.append(console)
            incident = console.call(
                events.CREATE_INCIDENT,
                {"kind": "fire", "priority": 1, "lat": SPOT[0], "lon": SPOT[1]},
                namespace=events.CONSOLE_NS,
                timeout=10,
            )
            iid = incident["id"]
            console.call(
                events.SEND_OFFERS,
                {"incident_id": iid, "user_ids": [near]},
                namespace=events.CONSOLE_NS,
                timeout=10,
            )
            # Round 1 has run out (no worker runs yet); the next claim of it waits on our lock.
            watch.execute(
                "UPDATE incidents SET offer_deadline = offer_deadline - interval '1 hour'"
                " WHERE id = %s",
                (iid,),
            )
            lock.execute("SELECT id FROM incidents WHERE id = %s FOR UPDATE", (iid,))

            first = celery("worker", instance, **settings)
            processes.append(first)
            wait_for("the worker's claim to wait", lambda: _claims_waiting(site, watch), instance)
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(10)
            dead = _claims_waiting(site, watch)
            log = (instance / "worker.log").read_text()
            held = set(RECEIVED.findall(log)) - set(SUCCEEDED.findall(log))
            # Killed inside: its claim still waits in PostgreSQL, and nothing escalated.
            assert dead and held, log
            assert _incident(watch, iid) == (1, False, True)
            assert _offers(watch, iid) == [(near, 1, "offered")]

            second = celery("worker", instance, **settings)
            processes.append(second)
            # Both of its pool's processes wait to claim too (the sweep comes every 5 s).
            wait_for(
                "the new worker's claims",
                lambda: len(_claims_waiting(site, watch) - dead) >= 2,
                instance,
            )
            lock.rollback()  # the killed worker's claims give way (their connections are gone)

            wait_for(
                "round 2's offers on the far phones",
                lambda: all(_statuses(received[uid], iid) for uid, _ in far),
                instance,
            )
            wait_for(
                "the killed worker's tasks to run again",
                lambda: held <= set(SUCCEEDED.findall((instance / "worker.log").read_text())),
                instance,
            )
            assert _incident(watch, iid) == (2, False, True)
            assert _offers(watch, iid) == [
                (near, 1, "expired"),
                *((uid, 2, "offered") for uid, _ in far),
            ]
            assert _statuses(received[near], iid) == [(1, "offered"), (1, "expired")]
            for uid, _ in far:
                assert _statuses(received[uid], iid) == [(2, "offered")]
        finally:
            for client in clients:
                client.disconnect()
            lock.close()
            watch.close()
            for process in processes:
                stop(process)
