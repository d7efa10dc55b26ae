"""Plain events between packages, delivered after the commit.

A package announces a frozen dataclass; whoever cares (realtime, rewards) subscribes a handler.
Handlers run only once the unit of work has committed, so a rolled-back change is never told.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from app.uow import UnitOfWork

_handlers: dict[type, list[Callable[[Any], None]]] = defaultdict(list)


def subscribe(event_type: type, handler: Callable[[Any], None]) -> None:
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def announce(uow: UnitOfWork, event: Any) -> None:
    for handler in _handlers[type(event)]:
        uow.after_commit(handler, event)
