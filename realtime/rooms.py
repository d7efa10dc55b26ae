"""The console rooms of police areas: each console joins its areas' rooms, and news about a
person or an incident goes only to the room of the area it belongs to."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from realtime import events
from realtime.publish import publish
from volunteers.areas import Areas
from volunteers.models import Community, PoliceArea, User


def area_of_user(session: Session, user_id: int) -> int | None:
    """A person's police area: police-room staff's own, else their community's."""
    row = session.execute(
        select(User.police_area_id, Community.police_area_id)
        .outerjoin(Community, Community.id == User.community_id)
        .where(User.id == user_id)
    ).first()
    return None if row is None else (row[0] if row[0] is not None else row[1])


def users_in(session: Session, user_ids: list[int], areas: Areas) -> set[int]:
    """Those of ``user_ids`` who are field people of ``areas``."""
    if not user_ids:
        return set()
    return set(
        session.scalars(
            select(User.id)
            .join(Community, Community.id == User.community_id)
            .where(User.id.in_(user_ids), areas.where(Community.police_area_id))
        )
    )


def area_ids(session: Session, areas: Areas) -> list[int]:
    """The ids ``areas`` stands for (every area of the server for admins)."""
    if not areas.everywhere:
        return sorted(areas.ids)
    return list(session.scalars(select(PoliceArea.id).order_by(PoliceArea.id)))


def to_consoles(event: str, payload: Any, area_ids: Iterable[int]) -> None:
    """Tell the consoles of several areas, once each (a station's console is in several)."""
    rooms = [events.console_room(area) for area in sorted(area_ids)]
    if rooms:
        publish(event, payload, room=rooms, namespace=events.CONSOLE_NS)


def to_console(event: str, payload: Any, area_id: int | None) -> None:
    """Tell the consoles of one area; news about nobody's area reaches no console."""
    if area_id is not None:
        publish(event, payload, room=events.console_room(area_id), namespace=events.CONSOLE_NS)
