"""Per-person budgets for Socket.IO events: each event a connection sends spends one from the
sender's budget for that event (``SOCKET_RATE_LIMITS``: event name -> limits, ``"*"`` for any
event not named), counted in Flask-Limiter's storage, so the scaled mode's processes share the
counts through Redis as the login limits do. Keyed by the person, not the connection or the
login, so opening more tabs or logging in again gives no more. ``position`` also keeps its own
minimum interval (realtime/positions.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse_many
from socketio.exceptions import ConnectionRefusedError  # noqa: A004

from app.errors import TooManyRequests
from app.extensions import limiter, per_person

F = TypeVar("F", bound=Callable[..., Any])
ANY_EVENT = "*"
TOO_MANY = _l(
    "Too many requests from your login in a short time. Please wait a minute and try again."
)


def spend(event: str) -> None:
    """Count one ``event`` from the current connection; ``TooManyRequests`` once its budget
    for this minute (or whatever window the setting names) is spent."""
    config = current_app.config
    if not (config.get("RATELIMIT_ENABLED") and limiter.enabled):
        return
    budgets = config["SOCKET_RATE_LIMITS"]
    spec = budgets.get(event, budgets.get(ANY_EVENT))
    if not spec:
        return
    key = (config.get("RATELIMIT_KEY_PREFIX") or "", "socket", event, per_person())
    for item in parse_many(spec):
        if not limiter.limiter.hit(item, *key):
            raise TooManyRequests("too_many_events", TOO_MANY)


def budgeted(event: str, handler: F) -> F:
    """``handler`` that first spends one ``event`` from the sender's budget. A connection over
    budget is refused as Socket.IO expects (``ConnectionRefusedError`` with our error shape)."""

    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            spend(event)
        except TooManyRequests as error:
            if event == "connect":
                raise ConnectionRefusedError(error.text(), error.as_dict()) from None
            raise
        return handler(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
