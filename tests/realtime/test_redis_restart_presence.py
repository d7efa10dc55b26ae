"""Redis restarted while the scaled mode runs (issue 22): every process carries on without a
restart of its own, and the live positions Redis lost come back from the saved last positions,
so a dispatch right after finds the people out there before any phone shares again."""

from __future__ import annotations

import re
import shutil
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from realtime import events
from realtime.presence import Seen
from realtime.presence_redis import RedisPresence
from tests.realtime.scaled_site import (
    SPOT,
    celery,
    on_duty_at,
    own_database,
    sio_client,
    wait_for,
)
from tests.servers import launch, own_redis, stop

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server")
_SWEPT = re.compile(r"Task realtime\.tasks\.escalate_due\[[0-9a-f-]+\] succeeded")


def _log(instance: Path, kind: str) -> str:
    return (instance / f"{kind}.log").read_text()


def test_after_a_redis_restart_a_dispatch_finds_the_people_out_without_them_sharing_again(
    tmp_path: Path,
) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    with own_database(instance, guards=2) as site, own_redis(tmp_path) as own:
        settings = {
            "DATABASE_URL": site.url,
            "REDIS_URL": own.url,
            "DISPATCH_OFFER_SECONDS": "3",
            "RATELIMIT_ENABLED": "false",
        }
        web, server = launch(instance, **settings)
        processes = [web, celery("beat", instance, **settings)]
        processes.append(celery("worker", instance, **settings))
        clients: list[Any] = []
        try:
            (near, near_phone), (far, far_phone) = site.guards
            offers: list[dict[str, Any]] = []
            for phone, metres, handlers in (
                (near_phone, 300, {}),
                (far_phone, 1500, {"offer": offers.append}),
            ):
                clients.append(sio_client(server.base, phone, events.FIELD_NS, **handlers))
                on_duty_at(clients[-1], metres)  # saved as their last position too
            console = sio_client(server.base, site.dispatcher, events.CONSOLE_NS)
            clients.append(console)

            # Beat and the worker at work before the restart, so that after it they run
            # on connections they made again.
            wait_for("the sweep to run", lambda: _SWEPT.search(_log(instance, "worker")), instance)
            own.stop()
            own.start()  # empty: no persistence (the worker and beat write again at once)
            wait_for(
                "/readyz to say 200 again",
                lambda: requests.get(f"{server.base}/readyz", timeout=5).status_code == 200,
                instance,
            )

            incident = console.call(
                events.CREATE_INCIDENT,
                {"kind": "fire", "priority": 1, "lat": SPOT[0], "lon": SPOT[1]},
                namespace=events.CONSOLE_NS,
                timeout=10,
            )
            found = console.call(
                events.FIND_NEAREST,
                {"incident_id": incident["id"], "radius_m": 1000, "limit": 5},
                namespace=events.CONSOLE_NS,
                timeout=10,
            )
            assert [(p["user_id"], round(p["distance_m"], -1)) for p in found["people"]] == [
                (near, 300)
            ]
            console.call(
                events.SEND_OFFERS,
                {"incident_id": incident["id"], "user_ids": [near]},
                namespace=events.CONSOLE_NS,
                timeout=10,
            )
            # Round 1 runs out: the worker, through its own reconnections to the broker and to
            # Redis, widens to round 2, which reaches the far phone through the web process.
            [offer] = wait_for("the far phone's offer", lambda: offers, instance)
            assert (offer["incident"]["id"], offer["round"], offer["status"]) == (
                incident["id"],
                2,
                "offered",
            )
            assert round(offer["distance_m"], -1) == 1500
        finally:
            for client in clients:
                client.disconnect()
            for process in processes:
                stop(process)


REDIS_URL = "redis://127.0.0.1:6379/0"


def test_several_readers_reload_lost_positions_once_and_all_see_them() -> None:
    """Four threads read at once after the keys are gone: one reloads under the lock, the
    others wait for it and then see the positions; with the mark back, nobody reloads again."""
    client = redis.Redis.from_url(REDIS_URL)
    prefix = f"test:reload:{uuid.uuid4().hex}"
    saved = [Seen(n, "guard", 33.38, 120.16 + n / 10_000, 10.0, datetime.now(UTC)) for n in (1, 2)]
    plain = RedisPresence(client, prefix)
    reloads: list[int] = []

    def reload() -> None:
        reloads.append(1)
        plain.update_many(saved)

    store = RedisPresence(client, prefix, reload=reload)
    try:
        assert store.all() == saved  # no mark yet: the first read loads
        client.delete(*client.scan_iter(match=f"{prefix}:*"))  # Redis lost everything
        seen: list[list[int]] = []
        readers = [
            threading.Thread(
                target=lambda: seen.append(
                    [n.user_id for n in store.nearest(33.38, 120.16, radius_m=500, limit=5)]
                )
            )
            for _ in range(4)
        ]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join(30)
        assert seen == [[1, 2]] * 4
        assert len(reloads) == 2
        store.remove(1)  # the mark stays: a person who left is not brought back
        assert [s.user_id for s in store.all()] == [2]
        assert len(reloads) == 2
    finally:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()
