"""Whether this process can serve: the database, Redis and the Socket.IO queue listener.

The listener is python-socketio's ``PubSubManager._thread``, started on the first connection
(``Server.manager_initialized``); it retries lost Redis connections itself but a thread that
died stays dead, and this process would then miss every event other processes publish.
"""

from __future__ import annotations

import time
from typing import Any, Final

from flask import Flask
from redis import Redis
from sqlalchemy import text

from app.extensions import db, socketio

OK: Final = "ok"
SUBSCRIBE_WAIT_S: Final = 2.0


def checks(app: Flask) -> dict[str, str]:
    """Each check's name and ``ok`` or why not; Redis and the listener only with Redis set."""
    results = {"database": _database()}
    url = app.config.get("REDIS_URL")
    if url:
        results["redis"] = _redis(url)
        results["queue_listener"] = _listener(start=results["redis"] == OK)
    return results


def _database() -> str:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach it is the answer
        return _failure(exc)
    return OK


def _redis(url: str) -> str:
    client = Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except Exception as exc:
        return _failure(exc)
    finally:
        client.close()
    return OK


def _listener(*, start: bool) -> str:
    server = getattr(socketio, "server", None)  # set by init_app; the stubs omit it
    if server is None:
        return "no Socket.IO server"
    manager: Any = server.manager
    if not server.manager_initialized and start:
        # What python-socketio does on the first connection; a ready process listens already.
        server.manager_initialized = True
        manager.initialize()
    thread = getattr(manager, "thread", None)
    if thread is None:
        return "not started"
    if not _alive(thread):
        return "stopped"
    deadline = time.monotonic() + SUBSCRIBE_WAIT_S
    while not _subscribed(manager):
        if time.monotonic() > deadline:
            return "not subscribed"
        time.sleep(0.05)
    return OK


def _alive(thread: Any) -> bool:
    """A thread (``wanjia run``) or, under ``wanjia serve``, a gevent greenlet."""
    if hasattr(thread, "is_alive"):
        return bool(thread.is_alive())
    return not thread.dead


def _subscribed(manager: Any) -> bool:
    """Subscribed on a connection that is open (redis-py drops ``_sock`` when it breaks)."""
    pubsub = getattr(manager, "pubsub", None)
    connection = getattr(pubsub, "connection", None)
    return bool(pubsub is not None and pubsub.subscribed and getattr(connection, "_sock", None))


def _failure(exc: Exception) -> str:
    return f"unreachable ({type(exc).__name__})"
