"""Socket.IO namespaces: ``/field`` for people on patrol, ``/console`` for the police room.

Handlers stay thin: check the permission, call one service in a unit of work, shape the answer.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, Namespace, emit, join_room  # noqa: A004

import realtime.permissions  # noqa: F401 - registers this package's permissions
import volunteers.permissions  # noqa: F401
from app.errors import DomainError, Invalid
from app.extensions import socketio
from app.permissions import check, socket_requires
from app.uow import unit_of_work
from realtime import events
from volunteers import queries, services

log = logging.getLogger(__name__)


class _AuthenticatedNamespace(Namespace):
    connect_permission = ""

    def on_connect(self, auth: Any = None) -> None:
        try:
            check(current_user, self.connect_permission)
        except DomainError as error:
            log.warning(
                "refused %s connection from %s: %s", self.namespace, request.remote_addr, error.code
            )
            raise ConnectionRefusedError(error.text(), error.as_dict()) from error
        join_room(events.user_room(current_user.id))
        join_room(events.login_room(current_user.login_session_id))


class FieldNamespace(_AuthenticatedNamespace):
    connect_permission = "realtime.field.connect"

    def on_connect(self, auth: Any = None) -> None:
        super().on_connect(auth)
        emit(events.STATE, queries.field_state(current_user))

    @socket_requires("volunteers.duty.switch")
    def on_set_duty(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict) or not isinstance(data.get("on_duty"), bool):
            raise Invalid("bad_payload", _l("The request could not be understood."))
        share = data.get("share_location")
        with unit_of_work() as uow:
            user = current_user._get_current_object()
            services.set_duty(
                uow,
                user,
                data["on_duty"],
                share_location=share if isinstance(share, bool) else None,
            )
            uow.commit()
        return queries.field_state(user)


class ConsoleNamespace(_AuthenticatedNamespace):
    connect_permission = "realtime.console.connect"

    def on_connect(self, auth: Any = None) -> None:
        super().on_connect(auth)
        join_room(events.CONSOLE_ROOM)

    @socket_requires("realtime.console.connect")
    def on_roster(self, _data: Any = None) -> dict[str, Any]:
        return {"people": queries.on_duty_people()}


def register_namespaces() -> None:
    socketio.on_namespace(FieldNamespace(events.FIELD_NS))
    socketio.on_namespace(ConsoleNamespace(events.CONSOLE_NS))

    @socketio.on_error_default
    def _on_error(error: Exception) -> dict[str, Any]:
        if isinstance(error, ConnectionRefusedError):
            raise error  # let Socket.IO refuse the connection with our error shape
        if isinstance(error, DomainError):
            log.warning("socket event %s refused: %s", request.event, error.code)
            body = error.as_dict()
        else:
            log.exception("socket event %s failed", getattr(request, "event", "?"))
            body = {
                "error": {
                    "code": "server_error",
                    "message": str(_l("Something went wrong on the server. Please try again.")),
                }
            }
        emit(events.ERROR, body)
        return body
