"""Events from other packages that the police room sees live."""

from __future__ import annotations

from dataclasses import asdict

from app.bus import subscribe
from checkins.events import RouteClosed
from realtime import events
from realtime.publish import publish


def _route_closed(event: RouteClosed) -> None:
    publish(
        events.ROUTE_CLOSED, asdict(event), room=events.CONSOLE_ROOM, namespace=events.CONSOLE_NS
    )


def install() -> None:
    subscribe(RouteClosed, _route_closed)
