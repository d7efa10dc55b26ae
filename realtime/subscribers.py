"""Events from other packages that the police room sees live."""

from __future__ import annotations

from dataclasses import asdict

from flask import current_app

from app.bus import subscribe
from app.extensions import db
from checkins.events import RouteClosed
from realtime import events, last_positions, rooms
from realtime.presence_backend import presence_for
from realtime.publish import disconnect_room
from volunteers.duty import when_off_duty
from volunteers.events import DutyChanged, LoginsEnded


def _route_closed(event: RouteClosed) -> None:
    area = rooms.area_of_user(db.session(), event.user_id)
    rooms.to_console(events.ROUTE_CLOSED, asdict(event), area)


def _duty_changed(event: DutyChanged) -> None:
    area = rooms.area_of_user(db.session(), event.user_id)
    rooms.to_console(events.DUTY_CHANGED, asdict(event), area)
    if not event.on_duty:
        # Off duty means off the live map at once: positions are shared only while on duty.
        presence_for(current_app).remove(event.user_id)
        rooms.to_console(events.PRESENCE_GONE, {"user_id": event.user_id}, area)


def _logins_ended(event: LoginsEnded) -> None:
    # A socket keeps its own copy of the login, so ending the login must end its sockets too.
    if event.login_session_id is not None:
        disconnect_room(events.login_room(event.login_session_id), events.ALL_NAMESPACES)
    if event.user_id is not None:
        disconnect_room(events.user_room(event.user_id), events.ALL_NAMESPACES)


def install() -> None:
    subscribe(RouteClosed, _route_closed)
    subscribe(DutyChanged, _duty_changed)
    subscribe(LoginsEnded, _logins_ended)
    when_off_duty(last_positions.forget)
