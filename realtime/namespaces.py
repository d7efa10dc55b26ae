"""Socket.IO namespaces: ``/field`` for people on patrol, ``/console`` for the police room.

Handlers stay thin: check the permission, call one service in a unit of work, shape the answer.
A handler's return value is the event's acknowledgement; refusals become ``error`` events.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import emit, join_room
from socketio.exceptions import ConnectionRefusedError  # noqa: A004
from sqlalchemy import select

import realtime.permissions  # noqa: F401 - registers this package's permissions
import volunteers.permissions  # noqa: F401
from app.edge import parse
from app.errors import DomainError, Invalid, unavailable
from app.extensions import db, socketio
from app.outage import is_unavailable
from app.permissions import socket_requires
from app.types import utcnow
from app.uow import unit_of_work
from realtime import dispatch, events, last_positions, offers, positions, rooms, widening
from realtime import dispatch_views as views
from realtime.namespace_base import AuthenticatedNamespace
from realtime.presence_backend import presence_for
from realtime.schemas import (
    AnswerOfferEvent,
    CreateIncidentEvent,
    FindNearestEvent,
    IncidentEvent,
    PositionEvent,
    ProgressEvent,
    SendOffersEvent,
    SetDutyEvent,
    WidenEvent,
)
from realtime.settings import dispatch_settings, min_position_interval, position_save_interval
from volunteers import queries
from volunteers.areas import Areas, callers_areas
from volunteers.duty import set_duty
from volunteers.models import User
from volunteers.person import Person

log = logging.getLogger(__name__)


def _radius(asked: float | None, default: int) -> float:
    """A search radius the dispatcher may ask for: 10 m to 50 km."""
    radius = float(default) if asked is None else asked
    if not 10 <= radius <= 50_000:
        raise Invalid("radius_range", _l("Search between 10 m and 50 km."))
    return radius


class FieldNamespace(AuthenticatedNamespace):
    connect_permission = "realtime.field.connect"

    def on_connect(self, auth: Any = None) -> None:
        super().on_connect(auth)
        emit(events.STATE, self._state())

    @staticmethod
    def _state(person: Person | None = None) -> dict[str, Any]:
        """Everything a (re)connecting phone must show: its duty and its open requests
        (``person``: the caller as this event just changed them)."""
        person = person or current_user
        waiting = views.offers_for(db.session, person.id, utcnow())
        return queries.field_state(person) | {
            "offers": [views.offer_json(o, o.incident) for o in waiting],
            "position_interval_s": current_app.config["POSITION_INTERVAL_SECONDS"],
        }

    @socket_requires("volunteers.duty.switch")
    def on_set_duty(self, data: Any) -> dict[str, Any]:
        event = parse(SetDutyEvent, data)
        with unit_of_work() as uow:
            user = set_duty(
                uow,
                current_user._get_current_object(),
                event.on_duty,
                share_location=event.share_location,
            )
            uow.commit()
        return self._state(Person.of(user))

    @socket_requires("realtime.position.share")
    def on_position(self, data: Any) -> dict[str, Any]:
        event = parse(PositionEvent, data)
        user = current_user._get_current_object()
        seen = positions.share(
            db.session,
            presence_for(current_app),
            user,
            event.model_dump(),
            now=utcnow(),
            min_interval=min_position_interval(),
        )
        if last_positions.due(db.session(), seen, every=position_save_interval()):
            with unit_of_work() as uow:
                last_positions.save(uow, seen)
                uow.commit()
        area = rooms.area_of_user(db.session(), user.id)
        rooms.to_console(events.PRESENCE, positions.seen_json(seen, user.name), area)
        return {"ok": True}

    @socket_requires("realtime.offer.answer")
    def on_answer_offer(self, data: Any) -> dict[str, Any]:
        event = parse(AnswerOfferEvent, data)
        with unit_of_work() as uow:
            offer = offers.answer(
                uow,
                current_user._get_current_object(),
                event.offer_id,
                event.accept,
                now=utcnow(),
                settings=dispatch_settings(),
            )
            uow.commit()
        return views.offer_json(offer, offer.incident)

    @socket_requires("realtime.offer.answer")
    def on_progress(self, data: Any) -> dict[str, Any]:
        event = parse(ProgressEvent, data)
        with unit_of_work() as uow:
            offer = offers.progress(
                uow,
                current_user._get_current_object(),
                event.offer_id,
                event.status,
                now=utcnow(),
                settings=dispatch_settings(),
                presence=presence_for(current_app),
            )
            uow.commit()
        return views.offer_json(offer, offer.incident)


class ConsoleNamespace(AuthenticatedNamespace):
    connect_permission = "realtime.console.connect"

    def on_connect(self, auth: Any = None) -> None:
        super().on_connect(auth)
        for area in rooms.area_ids(db.session(), callers_areas()):
            join_room(events.console_room(area))
        emit(events.STATE, self._state())

    @staticmethod
    def _state() -> dict[str, Any]:
        """Everything a (re)connecting console must show of its areas: open incidents and who
        is out."""
        areas = callers_areas()
        everyone = presence_for(current_app).all()
        here = rooms.users_in(db.session(), [s.user_id for s in everyone], areas)
        seen = [s for s in everyone if s.user_id in here]
        names = dict(
            db.session.execute(
                select(User.id, User.name).where(User.id.in_([s.user_id for s in seen]))
            ).all()
        )
        incidents = [i for i in views.open_incidents(db.session) if any(map(areas.allows, i.reach))]
        return {
            "areas": rooms.area_ids(db.session(), areas),  # where this console may act
            "incidents": [views.incident_json(i) for i in incidents],
            "people": [positions.seen_json(s, names.get(s.user_id, "")) for s in seen],
        }

    @socket_requires("realtime.console.connect")
    def on_roster(self, _data: Any = None) -> dict[str, Any]:
        people = queries.on_duty_people()
        here = rooms.users_in(db.session(), [p["user_id"] for p in people], callers_areas())
        return {"people": [p for p in people if p["user_id"] in here]}

    @socket_requires("realtime.dispatch")
    def on_create_incident(self, data: Any) -> dict[str, Any]:
        event = parse(CreateIncidentEvent, data)
        with unit_of_work() as uow:
            incident = dispatch.create_incident(
                uow,
                current_user._get_current_object(),
                kind=event.kind,
                priority=event.priority,
                description=event.description,
                lat=event.lat,
                lon=event.lon,
                needed=event.needed,
                roles=event.roles,
                areas=callers_areas(),
                police_area_id=event.police_area_id,
                settings=dispatch_settings(),
                now=utcnow(),
            )
            uow.commit()
        return views.incident_json(incident)

    @socket_requires("realtime.dispatch")
    def on_find_nearest(self, data: Any) -> dict[str, Any]:
        event = parse(FindNearestEvent, data)
        settings = dispatch_settings()
        with unit_of_work(write=False) as uow:
            incident = dispatch.get_incident(uow, event.incident_id, areas=callers_areas())
            found = dispatch.nearest_available(
                uow.session,
                presence_for(current_app),
                incident,
                radius_m=_radius(event.radius_m, settings.radius_m),
                limit=event.limit,
                roles=event.roles,
            )
            names = dict(
                uow.session.execute(
                    select(User.id, User.name).where(User.id.in_([n.user_id for n in found]))
                ).all()
            )
        now = utcnow()
        return {
            "people": [
                {
                    "user_id": n.user_id,
                    "name": names.get(n.user_id, ""),
                    "role": n.role,
                    "distance_m": round(n.distance_m),
                    "lat": n.lat,
                    "lon": n.lon,
                    "seen_s": int((now - n.seen_at).total_seconds()),
                }
                for n in found
            ]
        }

    @socket_requires("realtime.dispatch")
    def on_send_offers(self, data: Any) -> dict[str, Any]:
        event = parse(SendOffersEvent, data)
        presence = presence_for(current_app)
        with unit_of_work() as uow:
            incident = dispatch.get_incident(uow, event.incident_id, areas=callers_areas())
            here = rooms.users_in(uow.session, list(event.user_ids), Areas(incident.reach))
            chosen = [u for u in event.user_ids if u in here]
            people = dispatch.still_out(presence, incident, chosen)
            dispatch.send_offers(
                uow, incident.id, people, now=utcnow(), next_round=incident.round == 0
            )
            uow.commit()
        return views.incident_json(incident)

    @socket_requires("realtime.dispatch")
    def on_widen_incident(self, data: Any) -> dict[str, Any]:
        """Let a neighbouring area of the station be asked too: only by this explicit choice."""
        event = parse(WidenEvent, data)
        with unit_of_work() as uow:
            incident = widening.widen(
                uow,
                current_user._get_current_object(),
                event.incident_id,
                event.police_area_id,
                areas=callers_areas(),
                now=utcnow(),
            )
            uow.commit()
        return views.incident_json(views.load_incident(db.session, incident.id))

    @socket_requires("realtime.dispatch")
    def on_close_incident(self, data: Any) -> dict[str, Any]:
        event = parse(IncidentEvent, data)
        with unit_of_work() as uow:
            dispatch.get_incident(uow, event.incident_id, areas=callers_areas())
            incident = dispatch.close_incident(uow, event.incident_id, now=utcnow())
            uow.commit()
        return views.incident_json(incident)


def register_namespaces() -> None:
    socketio.on_namespace(FieldNamespace(events.FIELD_NS))
    socketio.on_namespace(ConsoleNamespace(events.CONSOLE_NS))

    @socketio.on_error_default
    def _on_error(error: BaseException) -> dict[str, Any]:
        if isinstance(error, ConnectionRefusedError):
            raise error  # let Socket.IO refuse the connection with our error shape
        if is_unavailable(error):  # no stack trace: nothing is wrong here
            body = unavailable(error).as_dict()
            if getattr(request, "event", {}).get("message") == "connect":
                raise ConnectionRefusedError(body["error"]["message"], body) from error
        elif isinstance(error, DomainError):
            log.warning("socket event %s refused: %s", getattr(request, "event", "?"), error.code)
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
