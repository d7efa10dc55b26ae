"""The one way events reach browsers.

Embedded, Flask-SocketIO delivers in this process; scaled, the same call goes through the Redis
message queue, so Celery workers and other server processes publish with it too.
"""

from __future__ import annotations

import logging
from typing import Any

from app.extensions import socketio

log = logging.getLogger(__name__)


def publish(event: str, payload: dict[str, Any], *, room: str | list[str], namespace: str) -> None:
    """Send to a room, or once to everyone in any of several rooms."""
    # python-socketio takes a list of rooms; types-Flask-SocketIO declares a single one.
    socketio.emit(event, payload, to=room, namespace=namespace)  # type: ignore[arg-type]


def disconnect_room(room: str, namespaces: tuple[str, ...]) -> None:
    """Close every socket in ``room`` (a person's or one login's), e.g. after logout.

    A socket keeps its own copy of the login, so ending the login must end its sockets too.
    """
    # python-socketio's Server; types-Flask-SocketIO leaves it out as internal.
    server = socketio.server  # type: ignore[attr-defined]
    if server is None:
        return
    for namespace in namespaces:
        for sid, _eio_sid in list(server.manager.get_participants(namespace, room)):
            log.info("closing socket %s in %s after its login ended", sid, room)
            server.disconnect(sid, namespace=namespace)
