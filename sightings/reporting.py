"""The reporter's side: send a sighting, add its photos and voice note, answer a question,
read my reports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app import metrics
from app.errors import Conflict, Invalid, NotFound
from app.media import clean_photo, clean_voice
from app.media_store import MediaStore
from app.uow import UnitOfWork
from sightings import live, place, rules
from sightings.models import Sighting, SightingMedia
from sightings.schemas import ReportBody
from volunteers.areas import NOT_HERE, area_of_community
from volunteers.person import Person

STORE = MediaStore("sighting-media")
MAX_PHOTOS = 3


@dataclass(frozen=True)
class Placement:
    """Where the area's rules put reports: how far outside its communities one may lie."""

    slack_m: float


def _check_words(body: ReportBody, details: Mapping[str, str]) -> None:
    texts = {"behaviour": body.behaviour} | {f"appearance.{k}": v for k, v in details.items()}
    field = rules.first_profiling_field(texts)
    if field is not None:
        raise Invalid(
            "describe_behaviour",
            _l(
                "Please describe what the person is doing and wearing, not where they come from,"
                " how they speak or their ethnicity."
            ),
            field=field,
        )
    if not rules.enough_appearance(details):
        raise Invalid(
            "appearance_two_details",
            _l("Give at least two details of how they look (for example clothing and height)."),
            field="appearance",
        )


def report(
    uow: UnitOfWork, reporter: Person, body: ReportBody, *, placement: Placement, now: datetime
) -> tuple[Sighting, bool]:
    """Store a sighting under review; ``True`` when new, ``False`` for a resend of one stored
    (the phone's ``client_id``), which changes nothing."""
    session = uow.session
    stored = session.scalar(
        select(Sighting).where(
            Sighting.reporter_id == reporter.id, Sighting.client_id == body.client_id
        )
    )
    if stored is not None:
        return stored, False
    details = rules.appearance_details(body.appearance.model_dump())
    _check_words(body, details)
    area_id = area_of_community(session, reporter.community_id)
    if area_id is None:
        raise Invalid("no_police_area", _l("You are not in a community of a police area yet."))
    if not place.within_area(session, area_id, body.lat, body.lon, slack_m=placement.slack_m):
        raise Invalid(
            "sighting_outside_area",
            _l("That place is outside your police area. Call 110 or the local police there."),
            field="lat",
        )
    sighting = Sighting(
        client_id=body.client_id,
        reporter_id=reporter.id,
        police_area_id=area_id,
        category=body.category,
        behaviour=body.behaviour,
        appearance=details,
        lat=body.lat,
        lon=body.lon,
        accuracy_m=body.accuracy_m,
        position_source=body.position_source,
        name_hidden=body.name_hidden,
        photos_expected=body.photos,
        voice_expected=body.voice,
        created_at=now,
    )
    session.add(sighting)
    session.flush()
    live.changed(uow, sighting)
    uow.after_commit(metrics.sighting)
    return sighting, True


def own(session: Session, reporter: Person, sighting_id: int) -> Sighting:
    """The reporter's own sighting; anyone else's is "not found"."""
    sighting = session.get(Sighting, sighting_id)
    if sighting is None or sighting.reporter_id != reporter.id:
        raise NotFound("not_found", NOT_HERE)
    return sighting


def _cleaned(kind: str, data: bytes) -> dict[str, Any]:
    if kind == "photo":
        photo = clean_photo(data)
        return {
            "mime": "image/jpeg",
            "stored_name": STORE.save(photo.jpeg, "jpg"),
            "thumb_name": STORE.save(photo.thumb, "jpg"),
            "size_bytes": len(photo.jpeg),
            "width": photo.width,
            "height": photo.height,
        }
    voice = clean_voice(data)
    return {
        "mime": voice.mime,
        "stored_name": STORE.save(voice.data, voice.ext),
        "size_bytes": len(voice.data),
        "duration_s": voice.duration_s,
    }


def attach(
    uow: UnitOfWork, reporter: Person, sighting_id: int, kind: str, part: int, data: bytes
) -> tuple[SightingMedia, bool]:
    """Check, clean and keep a photo or the voice note; ``False`` when this part was already
    stored (a resend), which keeps the first."""
    session = uow.session
    sighting = own(session, reporter, sighting_id)
    stored = next((m for m in sighting.media if (m.kind, m.part) == (kind, part)), None)
    if stored is not None:
        return stored, False
    if kind == "voice" and part != 0:
        raise Invalid("invalid_input", _l("A report has one voice note."), field="part")
    if len([m for m in sighting.media if m.kind == kind]) >= (MAX_PHOTOS if kind == "photo" else 1):
        raise Conflict("media_full", _l("This report already has all its photos or voice note."))
    fields = _cleaned(kind, data)
    media = SightingMedia(sighting=sighting, kind=kind, part=part, **fields)
    session.add(media)
    try:
        session.flush()
    except Exception:
        # Not stored after all (e.g. the same part sent twice at once): no file without its row.
        for name in (fields["stored_name"], fields.get("thumb_name")):
            if name:
                STORE.remove(name)
        raise
    live.changed(uow, sighting)
    return media, True


def answer(
    uow: UnitOfWork, reporter: Person, sighting_id: int, question_id: int, text: str, now: datetime
) -> Sighting:
    """The reporter answers an officer's question (the first answer stands)."""
    sighting = own(uow.session, reporter, sighting_id)
    question = next((q for q in sighting.questions if q.id == question_id), None)
    if question is None:
        raise NotFound("not_found", NOT_HERE)
    if question.answer is not None:
        raise Conflict("already_answered", _l("You have already answered this question."))
    question.answer = text
    question.answered_at = now
    uow.session.flush()
    live.changed(uow, sighting)
    return sighting


def mine(session: Session, reporter: Person, limit: int = 50) -> list[Sighting]:
    return list(
        session.scalars(
            select(Sighting)
            .where(Sighting.reporter_id == reporter.id)
            .options(selectinload(Sighting.media), selectinload(Sighting.questions))
            .order_by(Sighting.created_at.desc(), Sighting.id.desc())
            .limit(limit)
        )
    )
