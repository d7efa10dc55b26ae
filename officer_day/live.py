"""Keeping open officer's-day pages current.

The page connects to ``/officer`` with the police area it shows; the connection joins one room
per community of that area (after the walls: another area's id is refused as unknown). After a
request that changed what the page shows (a check-in, a held scan decided, a gift ordered or
handed over) one small ``officer_day`` event goes to the rooms of the communities concerned,
and the page fetches its data again. It carries no data: each page reads its own walled data.
Incidents and duty changes reach the page through the console room it also listens on.

Rooms per community rather than per area: a field person's community is on the login already,
so the check-in, the hottest request, pays no query for the nudge (its query budget,
tests/app/test_query_budgets.py, stays as it was). Check-ins and orders announce no event of
their own and this package changes no other, so it watches their endpoints by name, for
successful answers only; a test checks that the names still exist.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar, Final

from flask import Response, request
from flask.blueprints import BlueprintSetupState
from flask_login import current_user
from flask_socketio import Namespace, join_room
from socketio.exceptions import ConnectionRefusedError  # noqa: A004
from sqlalchemy import select

from app.edge import Id, Input, parse
from app.errors import DomainError
from app.extensions import db, socketio
from app.permissions import check
from app.roles import FIELD_ROLES, Role
from officer_day import bp
from realtime import limits
from realtime.publish import publish
from volunteers.areas import Areas, areas_of, callers_areas
from volunteers.models import Community
from volunteers.person import Person

log = logging.getLogger(__name__)

NAMESPACE: Final = "/officer"
EVENT: Final = "officer_day"
WATCHED_ENDPOINTS: Final = frozenset(
    {
        "checkins.create_checkin",  # a check-in (valid or held)
        "points.approve_held",
        "points.reject_held",
        "rewards.order",  # a gift ordered from the store page
        "rewards.api_order",
        "rewards.cancel_order",
        "rewards.desk",  # a gift handed over (its POST)
    }
)


def community_room(community_id: int) -> str:
    return f"officer_day:{community_id}"


def _communities(areas: Areas) -> list[int]:
    return list(
        db.session.scalars(select(Community.id).where(areas.where(Community.police_area_id)))
    )


def _communities_of(person: Person) -> list[int]:
    """Where a change by ``person`` shows: a field person's community, else (police-room staff
    deciding a held scan or handing over a gift) every community of their areas."""
    if Role(person.role) in FIELD_ROLES:
        return [person.community_id] if person.community_id is not None else []
    return _communities(areas_of(db.session(), person))


@bp.after_app_request
def _nudge(response: Response) -> Response:
    if (
        request.method == "POST"
        and request.endpoint in WATCHED_ENDPOINTS
        and response.status_code < 400
        and current_user.is_authenticated
    ):
        try:
            for community_id in _communities_of(current_user._get_current_object()):
                publish(EVENT, {}, room=community_room(community_id), namespace=NAMESPACE)
        except Exception:  # the change is committed; a failed nudge must not fail its answer
            log.exception("could not nudge the officer's day pages")
    return response


class WatchArea(Input):
    """Which police area the page shows (the connection's ``auth``)."""

    area: Id


class OfficerDayNamespace(Namespace):
    """``/officer``: only joins the rooms of the area a page shows; it handles no events."""

    permission: ClassVar[str] = "officer_day.view"

    def __init__(self, namespace: str) -> None:
        super().__init__(namespace)
        # Connecting spends the person's budget, as connecting to /console does.
        setattr(self, "on_connect", limits.budgeted("connect", self.on_connect))  # noqa: B010

    def on_connect(self, auth: Any = None) -> None:
        try:
            check(current_user, self.permission)
            area = parse(WatchArea, auth if auth is not None else {}).area
            areas = callers_areas()
            areas.check(area)
            communities = _communities(Areas(frozenset({area})))
        except DomainError as error:
            raise ConnectionRefusedError(error.text(), error.as_dict()) from error
        for community_id in communities:
            join_room(community_room(community_id))


@bp.record_once
def _register(_state: BlueprintSetupState) -> None:
    socketio.on_namespace(OfficerDayNamespace(NAMESPACE))
