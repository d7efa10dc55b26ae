"""A Redis restart, on a Redis of this test's own: /readyz says 503 while it is down and 200
again once Flask-SocketIO's listener has resubscribed, without restarting the process."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


PORT = _free_port()


class OwnRedis:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - a fixed command line
            [
                str(shutil.which("redis-server")),
                "--port",
                str(PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", PORT), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_settings(own_redis: OwnRedis) -> dict[str, Any]:
    return {"REDIS_URL": f"redis://127.0.0.1:{PORT}/0"}


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
