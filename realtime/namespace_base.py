"""What every Socket.IO namespace of ours does before its own handlers run."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import current_app, request
from flask_login import current_user
from flask_socketio import Namespace
from socketio.exceptions import ConnectionRefusedError  # noqa: A004

from app import metrics
from app.errors import DomainError
from app.permissions import check
from realtime import limits
from realtime.login_rooms import join_login_rooms

log = logging.getLogger(__name__)


class AuthenticatedNamespace(Namespace):
    """A namespace only the holders of ``connect_permission`` join; each event spends its
    sender's budget first (realtime.limits) and is timed (app.metrics)."""

    connect_permission = ""
    namespace: str  # set by Namespace.__init__; types-Flask-SocketIO does not declare it

    def __init__(self, namespace: str) -> None:
        super().__init__(namespace)
        # Every event, connect included, spends the sender's budget for it first.
        for name in dir(type(self)):
            if name.startswith("on_") and name != "on_disconnect":
                setattr(self, name, limits.budgeted(name[3:], getattr(self, name)))

    def trigger_event(self, event: str, *args: Any) -> Any:
        """Every event this namespace handles is timed (``/metrics``; a slow one is logged)."""
        if not hasattr(self, f"on_{event}"):
            return super().trigger_event(event, *args)  # ignored: no label for a made-up name
        started = time.perf_counter()
        try:
            return super().trigger_event(event, *args)
        finally:
            metrics.socket_event(self.namespace, event, time.perf_counter() - started)

    def on_connect(self, auth: Any = None) -> None:
        try:
            check(current_user, self.connect_permission)
        except DomainError as error:
            log.warning(
                "refused %s connection from %s: %s", self.namespace, request.remote_addr, error.code
            )
            raise ConnectionRefusedError(error.text(), error.as_dict()) from error
        join_login_rooms(current_app, current_user.id, current_user.login_session_id)

    def on_ping(self, data: Any = None) -> dict[str, Any]:
        """Echo: lets a phone or the console measure its round trip (connection quality)."""
        return {"pong": data}
