"""Sheets of what a person reported and who they were in touch with: dispatch requests,
sightings and the officers' questions, broadcasts received and "seen it" answers, tips and
appointments. Media files are counted, not included: they are shown on the person's pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.xlsx import Sheet
from broadcasts.models import Broadcast, Delivery, SeenAnswer
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


def sheets(session: Session, person_id: int) -> list[Sheet]:
    return [
        _dispatches(session, person_id),
        _sightings(session, person_id),
        _questions(session, person_id),
        _broadcasts(session, person_id),
        _seen(session, person_id),
        _tips(session, person_id),
        _appointments(session, person_id),
    ]


def _dispatches(session: Session, person_id: int) -> Sheet:
    found = session.execute(
        select(Offer, Incident.kind)
        .join(Incident, Offer.incident_id == Incident.id)
        .where(Offer.user_id == person_id)
        .order_by(Offer.offered_at, Offer.id)
    )
    rows = [
        (
            o.offered_at,
            words(KIND_LABELS, kind),
            words(OFFER_STATUS, o.status),
            o.distance_m,
            o.answered_at,
            o.arrived_at,
            o.done_at,
        )
        for o, kind in found
    ]
    headers = (
        _l("Request sent at"),
        _l("Incident"),
        _l("Status"),
        _l("Distance (m)"),
        _l("Answered"),
        _l("Arrived at"),
        _l("Done at"),
    )
    return Sheet(str(_l("Dispatch requests")), headers, rows)


def _sightings(session: Session, person_id: int) -> Sheet:
    files = (
        select(func.count(SightingMedia.id))
        .where(SightingMedia.sighting_id == Sighting.id)
        .scalar_subquery()
    )
    found = session.execute(
        select(Sighting, files)
        .where(Sighting.reporter_id == person_id)
        .order_by(Sighting.created_at, Sighting.id)
    )
    rows = [
        (
            s.created_at,
            words(CATEGORY_LABELS, s.category),
            s.behaviour,
            "; ".join(f"{k}: {v}" for k, v in sorted(s.appearance.items())),
            s.lat,
            s.lon,
            words(SIGHTING_STATUS, s.status),
            s.reason,
            count,
        )
        for s, count in found
    ]
    headers = (
        _l("Sent at"),
        _l("Category"),
        _l("What happened"),
        _l("Appearance"),
        _l("Latitude"),
        _l("Longitude"),
        _l("Status"),
        _l("Reason"),
        _l("Photos and voice notes"),
    )
    return Sheet(str(_l("Sightings")), headers, rows)


def _questions(session: Session, person_id: int) -> Sheet:
    found = session.scalars(
        select(SightingQuestion)
        .join(Sighting, SightingQuestion.sighting_id == Sighting.id)
        .where(Sighting.reporter_id == person_id)
        .order_by(SightingQuestion.asked_at, SightingQuestion.id)
    )
    rows = [(q.asked_at, q.text, q.answer or "", q.answered_at) for q in found]
    headers = (_l("Question asked at"), _l("Question"), _l("Answer"), _l("Answered"))
    return Sheet(str(_l("Questions about my sightings")), headers, rows)


def _broadcasts(session: Session, person_id: int) -> Sheet:
    found = session.execute(
        select(Delivery.delivered_at, Broadcast.title, Broadcast.look_for)
        .join(Broadcast, Delivery.broadcast_id == Broadcast.id)
        .where(Delivery.user_id == person_id, Delivery.delivered_at.is_not(None))
        .order_by(Delivery.delivered_at)
    )
    rows = [tuple(row) for row in found]
    headers = (_l("Received"), _l("Title"), _l("What to look for"))
    return Sheet(str(_l("Broadcasts received")), headers, rows)


def _seen(session: Session, person_id: int) -> Sheet:
    found = session.execute(
        select(SeenAnswer, Broadcast.title)
        .join(Broadcast, SeenAnswer.broadcast_id == Broadcast.id)
        .where(SeenAnswer.user_id == person_id)
        .order_by(SeenAnswer.created_at)
    )
    rows = [
        (a.created_at, title, a.note, a.lat, a.lon, 1 if a.photo_name else 0) for a, title in found
    ]
    headers = (
        _l("Sent at"),
        _l("Broadcast"),
        _l("Note"),
        _l("Latitude"),
        _l("Longitude"),
        _l("Photos"),
    )
    return Sheet(str(_l("Seen it answers")), headers, rows)


def _tips(session: Session, person_id: int) -> Sheet:
    found = session.scalars(select(Tip).where(Tip.user_id == person_id).order_by(Tip.created_at))
    rows = [
        (t.created_at, t.text, t.contact, words(TIP_STATUS, t.status), t.reply or "", t.replied_at)
        for t in found
    ]
    headers = (_l("Sent at"), _l("Tip"), _l("Contact"), _l("Status"), _l("Reply"), _l("Replied"))
    return Sheet(str(_l("My tips")), headers, rows)


def _appointments(session: Session, person_id: int) -> Sheet:
    officer = aliased(User)
    found = session.execute(
        select(Appointment, officer.name, Rating.stars, Rating.comment)
        .join(officer, Appointment.officer_id == officer.id)
        .outerjoin(Rating, Rating.appointment_id == Appointment.id)
        .where(Appointment.resident_id == person_id)
        .order_by(Appointment.starts_at)
    )
    rows = [
        (
            a.starts_at,
            name,
            a.topic,
            words(APPOINTMENT_STATES, a.status),
            a.note,
            stars,
            comment or "",
        )
        for a, name, stars, comment in found
    ]
    headers = (
        _l("Time"),
        _l("Officer"),
        _l("Topic"),
        _l("Status"),
        _l("Note"),
        _l("My rating"),
        _l("My comment"),
    )
    return Sheet(str(_l("Appointments")), headers, rows)
