"""The rooms of a login's sockets: joined on connect, closed on every server process when the
login ends (logout, or an officer ending every login of a person).

python-socketio knows only this process's members of a room, and its message queue closes a
socket of another process only by that socket's id, which nobody here knows. So, scaled, each
process that holds sockets also listens on a Redis channel of ours and closes its own members
of a room when any process (or a Celery worker) asks. The rooms python-socketio keeps stay the
only record of who is where: no list of socket ids to go stale when a process is killed or Redis
restarts without its data.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from typing import TYPE_CHECKING, Any

import redis
from flask_socketio import join_room

from app.extensions import socketio
from realtime import events

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)

CHANNEL = "wanjia:sockets:close"
_RETRY_S = (1, 2, 5)  # waits between attempts to resubscribe, the last one repeated
_create_lock = threading.Lock()


def join_login_rooms(app: Flask, user_id: int, login_session_id: str) -> None:
    """Put a new socket in its person's room and its login's room, which close when they end."""
    join_room(events.user_room(user_id))
    join_room(events.login_room(login_session_id))
    listen(app)


def close_here(room: str, namespaces: tuple[str, ...]) -> int:
    """Close this process's sockets in ``room``; how many were closed."""
    server: Any = getattr(socketio, "server", None)  # set by init_app; the stubs omit it
    if server is None:
        return 0
    closed = 0
    for namespace in namespaces:
        for sid, _eio_sid in list(server.manager.get_participants(namespace, room)):
            log.info("closing socket %s in %s after its login ended", sid, room)
            server.disconnect(sid, namespace=namespace)
            closed += 1
    return closed


def close_everywhere(app: Flask, room: str, namespaces: tuple[str, ...]) -> None:
    """Close ``room``'s sockets here at once and, scaled, ask every other process to."""
    close_here(room, namespaces)
    if app.config.get("REDIS_URL"):
        closer_for(app).ask(room, namespaces)


def listen(app: Flask) -> None:
    """Scaled, hear other processes' requests from now on (started by the first socket: a
    process without sockets has nothing to close)."""
    if app.config.get("REDIS_URL"):
        closer_for(app).listen()


def closer_for(app: Flask) -> RoomCloser:
    """The app's closer, made once per app and kept in ``app.extensions["room_closer"]``."""
    closer = app.extensions.get("room_closer")
    if closer is None:
        with _create_lock:
            closer = app.extensions.get("room_closer")
            if closer is None:
                # Named, so CLIENT LIST shows which process's listener a connection is.
                name = f"wanjia-login-rooms-{os.getpid()}"
                closer = RoomCloser(redis.Redis.from_url(app.config["REDIS_URL"], client_name=name))
                app.extensions["room_closer"] = closer
    return closer


def channel_of(client: redis.Redis) -> str:
    """Redis shares pub/sub channels between its numbered databases; the channel names the
    database, so a deployment (or a test) on another number never closes our sockets."""
    return f"{CHANNEL}:{client.connection_pool.connection_kwargs.get('db', 0)}"


class RoomCloser:
    """Asks for and carries out closings through ``channel_of(client)``; one per app."""

    def __init__(self, client: redis.Redis) -> None:
        self._r = client
        self.channel = channel_of(client)
        self._lock = threading.Lock()
        self._started = False

    def ask(self, room: str, namespaces: tuple[str, ...]) -> None:
        self._r.publish(self.channel, json.dumps({"room": room, "namespaces": list(namespaces)}))

    def listen(self) -> None:
        """Subscribe now, so a request published after this returns is heard, and hear them
        in a background task of the Socket.IO server's kind (a thread, or a greenlet)."""
        if self._started:
            return
        with self._lock:
            if self._started:
                return
            try:
                pubsub: redis.client.PubSub | None = self._subscribe()
            except redis.RedisError:  # Redis down: a socket may still connect; the task retries
                log.warning("cannot subscribe to %s yet", self.channel, exc_info=True)
                pubsub = None
            socketio.start_background_task(self._run, getattr(socketio, "server", None), pubsub)
            self._started = True

    def _subscribe(self) -> redis.client.PubSub:
        pubsub = self._r.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(self.channel)
        return pubsub

    def _run(self, server: Any, pubsub: redis.client.PubSub | None) -> None:
        failures = 0
        # Tests build many apps in one process: a listener whose server was replaced ends.
        while getattr(socketio, "server", None) is server:
            try:
                if pubsub is None:
                    pubsub = self._subscribe()
                    log.info("listening on %s again", self.channel)
                for message in pubsub.listen():
                    failures = 0
                    if getattr(socketio, "server", None) is not server:
                        break
                    self._carry_out(message["data"])
                else:
                    raise redis.ConnectionError("the subscription ended")
            except Exception:  # Redis lost or restarting: subscribe again, as Socket.IO's does
                log.warning("lost %s; subscribing again", self.channel, exc_info=True)
                if pubsub is not None:
                    pubsub.close()
                pubsub = None
                socketio.sleep(_RETRY_S[min(failures, len(_RETRY_S) - 1)])
                failures += 1
        if pubsub is not None:
            pubsub.close()

    @staticmethod
    def _carry_out(data: bytes | str) -> None:
        try:
            request = json.loads(data)
            room, namespaces = str(request["room"]), tuple(map(str, request["namespaces"]))
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed request to close sockets: %r", data[:200])
            return
        close_here(room, namespaces)
