"""/readyz and the queue lag with Redis configured (the Redis on 127.0.0.1:6379, database 15)."""

from __future__ import annotations

import ctypes
import time
import uuid
from typing import Any

import pytest
from redis import Redis

from app.extensions import socketio

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def app_settings() -> dict[str, Any]:
    return {"REDIS_URL": REDIS}


def _stop(thread: Any, manager: Any) -> None:
    """End the listener thread as a crash would: an exception its loop does not catch,
    delivered when a message on its channel wakes it."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread.ident), ctypes.py_object(SystemExit)
    )
    client = Redis.from_url(REDIS)
    try:
        deadline = time.monotonic() + 10
        while thread.is_alive() and time.monotonic() < deadline:
            client.publish(manager.channel, "wake up")  # not JSON: every listener ignores it
            thread.join(0.2)
    finally:
        client.close()
    assert not thread.is_alive()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_readyz_checks_redis_and_shows_a_dead_queue_listener(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["checks"] == {
        "database": "ok",
        "redis": "ok",
        "queue_listener": "ok",
    }
    manager = socketio.server.manager  # type: ignore[attr-defined]  # set by init_app
    _stop(manager.thread, manager)
    answer = client.get("/readyz")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["failed"] == ["queue_listener"]
    assert body["checks"]["queue_listener"] == "stopped"


def test_readyz_names_redis_and_the_listener_when_redis_is_down(app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["failed"] == ["queue_listener", "redis"]
    assert body["checks"]["redis"] == "unreachable (ConnectionError)"
    assert body["checks"]["database"] == "ok"


def test_the_queue_lag_is_the_age_of_the_oldest_waiting_task(app, client):
    celery = app.extensions["celery"]
    queue = f"ops-test-{uuid.uuid4().hex}"  # no worker takes from it
    celery.conf.task_default_queue = queue
    redis = Redis.from_url(REDIS)
    try:
        assert _lag(client) == 0.0
        celery.send_task("ops.test.nothing", queue=queue)
        time.sleep(1.1)
        celery.send_task("ops.test.nothing", queue=queue)
        assert redis.llen(queue) == 2
        assert 1.0 <= _lag(client) < 10
    finally:
        redis.delete(queue)
        redis.close()


def _lag(client) -> float:
    text = client.get("/metrics").get_data(as_text=True)
    [line] = [x for x in text.splitlines() if x.startswith("wanjia_task_queue_lag_seconds ")]
    return float(line.split()[1])


def test_metrics_leave_the_lag_out_while_the_broker_is_unreachable(app, client):
    app.extensions["celery"].conf.broker_url = "redis://127.0.0.1:1/0"
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert "wanjia_task_queue_lag_seconds " not in answer.get_data(as_text=True)
    assert "wanjia_request_seconds" in answer.get_data(as_text=True)
