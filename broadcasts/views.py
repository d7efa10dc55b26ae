"""What phones and consoles are shown of a broadcast, and the live news sent after a commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.uow import UnitOfWork
from broadcasts.models import DELIVERED, PENDING, Broadcast, Delivery, SeenAnswer
from realtime import events, rooms
from realtime.publish import publish
from volunteers.models import User

BROADCAST = "broadcast"  # field: a broadcast for me, or its closing; console: its counts
BROADCAST_SEEN = "broadcast_seen"  # console: a "seen it" answer, for the map


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def photo_url(broadcast: Broadcast) -> str | None:
    return f"/broadcasts/{broadcast.id}/photo" if broadcast.photo_name else None


def field_json(broadcast: Broadcast) -> dict[str, Any]:
    """What a recipient's phone shows."""
    return {
        "id": broadcast.id,
        "kind": broadcast.kind,
        "title": broadcast.title,
        "look_for": broadcast.look_for,
        "what_to_do": broadcast.what_to_do,
        "urgent": broadcast.urgent,
        "status": broadcast.status,
        "photo": photo_url(broadcast),
        "created_at": _iso(broadcast.created_at),
        "closed_at": _iso(broadcast.closed_at),
    }


def seen_json(answer: SeenAnswer, name: str) -> dict[str, Any]:
    return {
        "id": answer.id,
        "broadcast_id": answer.broadcast_id,
        "user_id": answer.user_id,
        "name": name,
        "lat": answer.lat,
        "lon": answer.lon,
        "accuracy_m": answer.accuracy_m,
        "note": answer.note,
        "photo": f"/broadcasts/seen/{answer.id}/photo" if answer.photo_name else None,
        "at": _iso(answer.created_at),
    }


def console_json(session: Session, broadcast: Broadcast) -> dict[str, Any]:
    """What the police room sees: the broadcast, its target, how many got it and the answers."""
    counts = dict(
        session.execute(
            select(Delivery.status, func.count())
            .where(Delivery.broadcast_id == broadcast.id)
            .group_by(Delivery.status)
        ).all()
    )
    names = dict(
        session.execute(
            select(User.id, User.name).where(User.id.in_({a.user_id for a in broadcast.answers}))
        ).all()
    )
    return field_json(broadcast) | {
        "police_area_id": broadcast.police_area_id,
        "audience": broadcast.audience,
        "grid_ids": broadcast.grid_ids,
        "center": (
            None
            if broadcast.center_lat is None
            else {"lat": broadcast.center_lat, "lon": broadcast.center_lon}
        ),
        "stages": broadcast.stages,
        "stage_reached": broadcast.stage_reached,
        "delivered": counts.get(DELIVERED, 0),
        "waiting": counts.get(PENDING, 0),
        "seen": [seen_json(a, names.get(a.user_id, "")) for a in broadcast.answers],
    }


def _publish_to_console(broadcast_id: int) -> None:
    session = db.session()
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is not None:
        session.refresh(broadcast)
        rooms.to_console(BROADCAST, console_json(session, broadcast), broadcast.police_area_id)


def tell_console(uow: UnitOfWork, broadcast_id: int) -> None:
    """After the commit, the area's consoles get the broadcast with its counts (once)."""
    uow.after_commit_once((BROADCAST, broadcast_id), _publish_to_console, broadcast_id)


def tell_recipients(uow: UnitOfWork, broadcast: Broadcast, user_ids: list[int]) -> None:
    """``user_ids`` hear of it (it reached them, or it closed) at once, in one emit."""
    if user_ids:
        uow.after_commit(
            publish,
            BROADCAST,
            field_json(broadcast),
            room=[events.user_room(u) for u in user_ids],
            namespace=events.FIELD_NS,
        )


def tell_seen(uow: UnitOfWork, answer: SeenAnswer, name: str, area_id: int) -> None:
    uow.after_commit(rooms.to_console, BROADCAST_SEEN, seen_json(answer, name), area_id)
