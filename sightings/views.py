"""Sightings as JSON: the reporter's view and the police room's (sightings/schemas.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rewards.models import LedgerEntry
from sightings import rules
from sightings.models import MutedReporter, Sighting, SightingMedia
from sightings.schemas import ConsoleSighting, SightingOut
from volunteers.models import PoliceArea, User

SOURCE = "sighting"  # the ledger's source type for what a sighting paid


def media_url(media_id: int, thumb: bool = False) -> str:
    return f"/media/sightings/{media_id}" + ("/thumb" if thumb else "")


def _media(m: SightingMedia) -> dict[str, Any]:
    return {
        "id": m.id,
        "kind": m.kind,
        "part": m.part,
        "url": media_url(m.id),
        "thumb_url": media_url(m.id, thumb=True) if m.thumb_name else None,
    }


def points_paid(session: Session, sightings: Iterable[Sighting]) -> dict[int, int]:
    """What each sighting paid its reporter (confirmed, or seconding a confirmed one)."""
    ids = [str(s.id) for s in sightings]
    if not ids:
        return {}
    rows = session.execute(
        select(LedgerEntry.source_id, func.sum(LedgerEntry.delta))
        .where(LedgerEntry.source_type == SOURCE, LedgerEntry.source_id.in_(ids))
        .group_by(LedgerEntry.source_id)
    )
    return {int(source): int(total) for source, total in rows}


def reporter_view(s: Sighting, points: int | None) -> dict[str, Any]:
    out = {
        "id": s.id,
        "client_id": s.client_id,
        "category": s.category,
        "category_label": str(rules.CATEGORY_LABELS[s.category]),
        "behaviour": s.behaviour,
        "appearance": dict(s.appearance or {}),
        "lat": s.lat,
        "lon": s.lon,
        "position_source": s.position_source,
        "name_hidden": s.name_hidden,
        "status": s.status,
        "status_label": str(rules.STATUS_LABELS[s.status]),
        "reason": s.reason,
        "created_at": s.created_at,
        "photos_expected": s.photos_expected,
        "voice_expected": s.voice_expected,
        "media": [_media(m) for m in s.media],
        "questions": [
            {
                "id": q.id,
                "text": q.text,
                "choices": list(q.choices or []),
                "answer": q.answer,
                "asked_at": q.asked_at,
                "answered_at": q.answered_at,
            }
            for q in s.questions
        ],
        "duplicate_of": s.duplicate_of_id,
        "points": points,
    }
    return SightingOut.model_validate(out).model_dump(mode="json")


def reporters_list(session: Session, sightings: list[Sighting]) -> list[dict[str, Any]]:
    paid = points_paid(session, sightings)
    return [reporter_view(s, paid.get(s.id)) for s in sightings]


def console_list(session: Session, sightings: list[Sighting]) -> list[dict[str, Any]]:
    """The police room's view of each, with its reporter and whether they are muted there."""
    if not sightings:
        return []
    paid = points_paid(session, sightings)
    people = {
        u.id: u
        for u in session.scalars(
            select(User).where(User.id.in_({s.reporter_id for s in sightings}))
        )
    }
    areas = {
        a.id: a.name
        for a in session.scalars(
            select(PoliceArea).where(PoliceArea.id.in_({s.police_area_id for s in sightings}))
        )
    }
    muted = {
        (area_id, user_id)
        for area_id, user_id in session.execute(
            select(MutedReporter.police_area_id, MutedReporter.user_id).where(
                MutedReporter.user_id.in_(people)
            )
        )
    }
    out = []
    for s in sightings:
        person = people[s.reporter_id]
        view = reporter_view(s, paid.get(s.id)) | {
            "reporter": {
                "id": person.id,
                "name": person.name,
                "role": person.role,
                "phone": person.phone,
            },
            "area": {"id": s.police_area_id, "name": areas[s.police_area_id]},
            "muted": (s.police_area_id, s.reporter_id) in muted,
            "incident_id": s.incident_id,
        }
        out.append(ConsoleSighting.model_validate(view).model_dump(mode="json"))
    return out
