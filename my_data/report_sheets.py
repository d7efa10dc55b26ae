"""Kinds of what a person reported and who they were in touch with: dispatch requests,
sightings and the officers' questions, broadcasts received and "seen it" answers, tips and
appointments. Media files are counted, not included: they are shown on the person's pages."""

from __future__ import annotations

from typing import Any, Unpack

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from broadcasts.models import Broadcast, Delivery, SeenAnswer
from my_data.kind import Kind, Row
from my_data.labels import TIP_STATUS, words
from police_room.appointment_views import STATES as APPOINTMENT_STATES
from police_room.models import Appointment, Rating, Tip
from realtime.labels import KIND_LABELS
from realtime.labels import STATUS_LABELS as OFFER_STATUS
from realtime.models import Incident, Offer
from sightings.models import Sighting, SightingMedia, SightingQuestion
from sightings.rules import CATEGORY_LABELS
from sightings.rules import STATUS_LABELS as SIGHTING_STATUS
from volunteers.models import User


def _sightings(person_id: int) -> Select[Unpack[tuple[Any, ...]]]:
    files = (
        select(func.count(SightingMedia.id))
        .where(SightingMedia.sighting_id == Sighting.id)
        .scalar_subquery()
    )
    return (
        select(Sighting, files)
        .where(Sighting.reporter_id == person_id)
        .order_by(Sighting.created_at, Sighting.id)
    )


def _sighting_rows(s: Sighting, files: int) -> list[Row]:
    appearance = "; ".join(f"{k}: {v}" for k, v in sorted(s.appearance.items()))
    return [
        (
            s.created_at,
            words(CATEGORY_LABELS, s.category),
            s.behaviour,
            appearance,
            s.lat,
            s.lon,
            words(SIGHTING_STATUS, s.status),
            s.reason,
            files,
        )
    ]


def _appointments(person_id: int) -> Select[Unpack[tuple[Any, ...]]]:
    officer = aliased(User)
    return (
        select(Appointment, officer.name, Rating.stars, Rating.comment)
        .join(officer, Appointment.officer_id == officer.id)
        .outerjoin(Rating, Rating.appointment_id == Appointment.id)
        .where(Appointment.resident_id == person_id)
        .order_by(Appointment.starts_at)
    )


REPORT_KINDS = [
    Kind(
        _l("Dispatch requests"),
        (
            _l("Request sent at"),
            _l("Incident"),
            _l("Status"),
            _l("Distance (m)"),
            _l("Answered"),
            _l("Arrived at"),
            _l("Done at"),
        ),
        lambda pid: (
            select(Offer, Incident.kind)
            .join(Incident, Offer.incident_id == Incident.id)
            .where(Offer.user_id == pid)
            .order_by(Offer.offered_at, Offer.id)
        ),
        lambda o, kind: [
            (
                o.offered_at,
                words(KIND_LABELS, kind),
                words(OFFER_STATUS, o.status),
                o.distance_m,
                o.answered_at,
                o.arrived_at,
                o.done_at,
            )
        ],
    ),
    Kind(
        _l("Sightings"),
        (
            _l("Sent at"),
            _l("Category"),
            _l("What happened"),
            _l("Appearance"),
            _l("Latitude"),
            _l("Longitude"),
            _l("Status"),
            _l("Reason"),
            _l("Photos and voice notes"),
        ),
        _sightings,
        _sighting_rows,
    ),
    Kind(
        _l("Questions about my sightings"),
        (_l("Question asked at"), _l("Question"), _l("Answer"), _l("Answered")),
        lambda pid: (
            select(SightingQuestion)
            .join(Sighting, SightingQuestion.sighting_id == Sighting.id)
            .where(Sighting.reporter_id == pid)
            .order_by(SightingQuestion.asked_at, SightingQuestion.id)
        ),
        lambda q: [(q.asked_at, q.text, q.answer or "", q.answered_at)],
    ),
    Kind(
        _l("Broadcasts received"),
        (_l("Received"), _l("Title"), _l("What to look for")),
        lambda pid: (
            select(Delivery.delivered_at, Broadcast.title, Broadcast.look_for)
            .join(Broadcast, Delivery.broadcast_id == Broadcast.id)
            .where(Delivery.user_id == pid, Delivery.delivered_at.is_not(None))
            .order_by(Delivery.delivered_at)
        ),
        lambda *columns: [columns],
    ),
    Kind(
        _l("Seen it answers"),
        (_l("Sent at"), _l("Broadcast"), _l("Note"), _l("Latitude"), _l("Longitude"), _l("Photos")),
        lambda pid: (
            select(SeenAnswer, Broadcast.title)
            .join(Broadcast, SeenAnswer.broadcast_id == Broadcast.id)
            .where(SeenAnswer.user_id == pid)
            .order_by(SeenAnswer.created_at)
        ),
        lambda a, title: [(a.created_at, title, a.note, a.lat, a.lon, 1 if a.photo_name else 0)],
    ),
    Kind(
        _l("My tips"),
        (_l("Sent at"), _l("Tip"), _l("Contact"), _l("Status"), _l("Reply"), _l("Replied")),
        lambda pid: select(Tip).where(Tip.user_id == pid).order_by(Tip.created_at),
        lambda t: [
            (
                t.created_at,
                t.text,
                t.contact,
                words(TIP_STATUS, t.status),
                t.reply or "",
                t.replied_at,
            )
        ],
    ),
    Kind(
        _l("Appointments"),
        (
            _l("Time"),
            _l("Officer"),
            _l("Topic"),
            _l("Status"),
            _l("Note"),
            _l("My rating"),
            _l("My comment"),
        ),
        _appointments,
        lambda a, officer, stars, comment: [
            (
                a.starts_at,
                officer,
                a.topic,
                words(APPOINTMENT_STATES, a.status),
                a.note,
                stars,
                comment or "",
            )
        ],
    ),
]
