"""The one way events reach browsers.

Embedded, Flask-SocketIO delivers in this process; scaled, the same call goes through the Redis
message queue, so Celery workers and other server processes publish with it too.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from app.extensions import socketio
from realtime import login_rooms


def publish(event: str, payload: dict[str, Any], *, room: str | list[str], namespace: str) -> None:
    """Send to a room, or once to everyone in any of several rooms."""
    # python-socketio takes a list of rooms; types-Flask-SocketIO declares a single one.
    socketio.emit(event, payload, to=room, namespace=namespace)  # type: ignore[arg-type]


def disconnect_room(room: str, namespaces: tuple[str, ...]) -> None:
    """Close every socket in ``room`` (a person's or one login's), e.g. after logout, on every
    server process (realtime.login_rooms).

    A socket keeps its own copy of the login, so ending the login must end its sockets too.
    """
    login_rooms.close_everywhere(current_app, room, namespaces)
