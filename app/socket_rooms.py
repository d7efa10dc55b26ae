"""python-socketio's client managers with an index from each socket to its rooms.

python-socketio 5's ``BaseManager.basic_disconnect`` finds a leaving socket's rooms by copying
and scanning every room of its namespace. Each phone here sits in three (its own, its person's,
its login's), so at 10,000 phones on one ``wanjia serve`` process a disconnect cost about 8 ms,
and 10,000 phones dropping together (a network outage, a proxy restart) held the process for
79 s, answering nothing (bench/scale.py). These managers note each socket's rooms as it enters
and leaves them, so a disconnect leaves only its own; what a disconnect does is otherwise
python-socketio's, and tests/app/test_socket_rooms.py checks both leave the same state.
"""

from __future__ import annotations

from typing import Any

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


def client_manager(redis_url: str | None, channel: str) -> socketio.Manager:
    if redis_url:
        return IndexedRedisManager(redis_url, channel=channel)
    return IndexedManager()
