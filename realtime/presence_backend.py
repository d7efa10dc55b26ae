"""Which presence back end an app uses, made once per app."""

from __future__ import annotations

import threading
from contextlib import nullcontext
from datetime import timedelta
from typing import TYPE_CHECKING

import redis
from flask import has_app_context

from app.extensions import db
from app.types import utcnow
from realtime import last_positions
from realtime.presence import PresenceStore
from realtime.presence_grid import InProcessPresence
from realtime.presence_redis import RedisPresence

if TYPE_CHECKING:
    from flask import Flask

_create_lock = threading.Lock()


def presence_for(app: Flask) -> PresenceStore:
    """The app's presence store, made once per app and kept in ``app.extensions["presence"]``:
    Redis GEO when the app has ``REDIS_URL`` (every process sees the same people; keys under
    ``PRESENCE_REDIS_PREFIX``, default ``wanjia:presence``), else in this process. A new store
    starts with the last positions saved in the database that are younger than the presence
    grace (realtime.last_positions), so a restart does not empty the live map; the Redis store
    loads them again whenever it finds Redis lost them (a Redis restart while processes run)."""
    store = app.extensions.get("presence")
    if store is None:
        with _create_lock:
            store = app.extensions.get("presence")
            if store is None:
                url = app.config.get("REDIS_URL")
                if url:
                    store = _redis_store(app, url)
                    store.reload_if_lost()
                else:
                    store = InProcessPresence()
                    _restore(app, store)
                app.extensions["presence"] = store
    return store


def _redis_store(app: Flask, url: str) -> RedisPresence:
    client = redis.Redis.from_url(url)
    prefix = app.config.get("PRESENCE_REDIS_PREFIX", "wanjia:presence")
    plain = RedisPresence(client, prefix)  # what the reload writes through: it never reloads
    return RedisPresence(client, prefix, reload=lambda: _restore(app, plain))


def _restore(app: Flask, store: PresenceStore) -> int:
    """Read through the caller's own session when there is one (a read, harmless inside a unit
    of work). A session of its own took a second pooled connection while the caller held one,
    and every other handler waiting for the store held one too: a herd of phones reconnecting
    after a restart emptied the pool and waited on each other until the pool's timeout. A
    caller outside any app context (a script, a test's teardown) holds no connection."""
    grace = timedelta(seconds=float(app.config["PRESENCE_GRACE_SECONDS"]))
    # Callers in a context pass its app (``current_app``).
    with nullcontext() if has_app_context() else app.app_context():
        return last_positions.restore(db.session(), store, newer_than=utcnow() - grace)
