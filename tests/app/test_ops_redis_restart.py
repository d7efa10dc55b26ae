"""A Redis restart, on a Redis of this test's own: /readyz says 503 while it is down and 200
again once Flask-SocketIO's listener has resubscribed, without restarting the process."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers import OwnRedis
from tests.servers import own_redis as own_redis_server

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server")


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    with own_redis_server(tmp_path) as server:
        yield server


@pytest.fixture
def app_settings(own_redis: OwnRedis) -> dict[str, Any]:
    return {"REDIS_URL": own_redis.url}


def test_readyz_fails_while_redis_is_down_and_recovers_after_its_restart(client, own_redis):
    assert client.get("/readyz").status_code == 200
    own_redis.stop()
    down = client.get("/readyz")
    assert down.status_code == 503
    assert "redis" in down.get_json()["failed"]
    # The listener notices a dropped connection at its next read: soon, but not at once.
    deadline = time.monotonic() + 10
    while (listener := client.get("/readyz").get_json()["checks"]["queue_listener"]) == "ok":
        assert time.monotonic() < deadline, "the queue listener never noticed Redis was gone"
        time.sleep(0.2)
    assert listener == "not subscribed"
    own_redis.start()
    deadline = time.monotonic() + 30  # the listener retries after 1, 2, 4 ... seconds
    while (answer := client.get("/readyz")).status_code != 200:
        assert time.monotonic() < deadline, answer.get_json()
        time.sleep(0.5)
    assert answer.get_json()["checks"]["queue_listener"] == "ok"
