"""Events from other packages that the police room sees live."""

from __future__ import annotations

from dataclasses import asdict

from flask import current_app

from app.bus import subscribe
from checkins.events import RouteClosed
from realtime import events
from realtime.presence_backend import presence_for
from realtime.publish import publish
from volunteers.events import DutyChanged


def _route_closed(event: RouteClosed) -> None:
    publish(
        events.ROUTE_CLOSED, asdict(event), room=events.CONSOLE_ROOM, namespace=events.CONSOLE_NS
    )


def _duty_changed(event: DutyChanged) -> None:
    publish(
        events.DUTY_CHANGED, asdict(event), room=events.CONSOLE_ROOM, namespace=events.CONSOLE_NS
    )
    if not event.on_duty:
        # Off duty means off the live map at once: positions are shared only while on duty.
        presence_for(current_app).remove(event.user_id)
        publish(
            events.PRESENCE_GONE,
            {"user_id": event.user_id},
            room=events.CONSOLE_ROOM,
            namespace=events.CONSOLE_NS,
        )


def install() -> None:
    subscribe(RouteClosed, _route_closed)
    subscribe(DutyChanged, _duty_changed)
