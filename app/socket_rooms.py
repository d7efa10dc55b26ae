"""python-socketio's client managers with an index from each socket to its rooms.

python-socketio 5's ``BaseManager.basic_disconnect`` finds a leaving socket's rooms by copying
and scanning every room of its namespace. Each phone here sits in three (its own, its person's,
its login's), so a disconnect costs in proportion to every phone connected, and many phones
dropping together (a network outage, a proxy restart) held a ``wanjia serve`` process for over
a minute, answering nothing (README, "Socket.IO rooms indexed by hand"). These managers note
each socket's rooms as it enters and leaves them, so a disconnect leaves only its own; what a
disconnect does is otherwise python-socketio's, and tests/app/test_socket_rooms.py checks both
leave the same state. Scaled, the managers share events through Redis on a channel named by
the Redis database number: Redis publishes to every number alike, so two sites sharing a Redis
server by number must not share a channel too.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import socketio


class _RoomIndex:
    """Mixed in before a python-socketio manager class."""

    rooms: dict[str, dict[Any, Any]]
    callbacks: dict[str, Any]
    pending_connect: dict[str, list[str]]
    pending_disconnect: dict[str, list[str]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rooms_of: dict[tuple[str, str], set[Any]] = {}

    def basic_enter_room(
        self, sid: str, namespace: str, room: Any, eio_sid: str | None = None
    ) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)  # type: ignore[misc]
        self._rooms_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)  # type: ignore[misc]
        rooms = self._rooms_of.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self._rooms_of[(namespace, sid)]

    def basic_disconnect(self, sid: str, namespace: str, **_kwargs: Any) -> None:
        for room in list(self._rooms_of.get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        # As python-socketio's: forget its callbacks and any half-done connect or disconnect.
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            waiting = pending.get(namespace)
            if waiting and sid in waiting:
                waiting.remove(sid)
                if not waiting:
                    del pending[namespace]


class IndexedManager(_RoomIndex, socketio.Manager):
    """The embedded mode's manager (this process's sockets only)."""


class IndexedRedisManager(_RoomIndex, socketio.RedisManager):
    """The scaled mode's manager: events reach every process through Redis."""


def client_manager(redis_url: str | None) -> socketio.Manager:
    """This process's manager: through Redis when ``redis_url`` is set."""
    if redis_url:
        return IndexedRedisManager(redis_url, channel=socketio_channel(redis_url))
    return IndexedManager()


def socketio_channel(redis_url: str) -> str:
    database = urlsplit(redis_url).path.strip("/") or "0"
    return f"wanjia-socketio-{database}"
