"""Appointments with an area's officers (预约民警): a resident picks a free slot of an officer's
weekly reception hours; the officer confirms, declines or proposes another time; the resident
accepts the proposal or cancels; the officer marks the meeting done. Services flush; the
caller's unit of work commits.

Two residents taking one slot at once both pass the free-slot check; the partial unique index
``uq_appointments_officer_slot`` (one active booking per officer and start) lets one insert in
and the other is told the slot was just taken."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import Conflict, Invalid, NotFound
from app.sql import lock_row
from app.uow import UnitOfWork
from police_room import appointment_slots as slots
from police_room.appointment_slots import (
    ACTIVE,
    CANCELLED,
    CONFIRMED,
    DECLINED,
    DONE,
    PROPOSED,
    REQUESTED,
)
from police_room.models import Appointment
from volunteers.areas import Areas
from volunteers.models import PoliceArea
from volunteers.person import Person

PROPOSAL_HORIZON_DAYS = 60  # an officer may offer a time further off
UNKNOWN = _l("That appointment does not exist.")
TAKEN = _l("Someone has just booked that time. Please choose another.")


def _insert(uow: UnitOfWork, appointment: Appointment) -> None:
    try:
        with uow.session.begin_nested():
            uow.session.add(appointment)
    except IntegrityError as exc:
        raise Conflict("slot_taken", TAKEN) from exc


def book(
    uow: UnitOfWork,
    resident: Person,
    officer_id: int,
    starts_at: datetime,
    topic: str,
    now: datetime,
    *,
    area_id: int | None = None,
) -> Appointment:
    """Ask for one of the officer's free reception slots (of the police room ``area_id``, when
    booked from its page); the officer then decides."""
    found = slots.bookable(uow.session, officer_id)
    if area_id is not None and found.area.id != area_id:
        raise NotFound("officer_unknown", slots.NO_OFFICER)
    if starts_at <= now:
        raise Invalid("slot_past", _l("That time has already passed. Please choose another."))
    slot = next((s for s in slots.reception_slots(found, now) if s.starts_at == starts_at), None)
    if slot is None:
        raise Invalid(
            "slot_outside_hours",
            _l("That time is not one of the officer's reception slots in the next two weeks."),
        )
    if starts_at in slots.taken(uow.session, officer_id, starts_at):
        raise Conflict("slot_taken", TAKEN)
    appointment = Appointment(
        police_area_id=found.area.id,
        officer_id=officer_id,
        resident_id=resident.id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        topic=topic,
        status=REQUESTED,
        created_at=now,
    )
    _insert(uow, appointment)
    return appointment


def _load(session: Session, appointment_id: int) -> Appointment | None:
    lock_row(session, Appointment, appointment_id)
    return session.get(Appointment, appointment_id)


def residents_own(session: Session, resident: Person, appointment_id: int) -> Appointment:
    """The resident's own appointment (anyone else's answers as a missing one)."""
    appointment = _load(session, appointment_id)
    if appointment is None or appointment.resident_id != resident.id:
        raise NotFound("appointment_unknown", UNKNOWN)
    return appointment


def in_areas(session: Session, areas: Areas, appointment_id: int) -> Appointment:
    """An appointment of the caller's areas (another area's answers as a missing one)."""
    appointment = _load(session, appointment_id)
    if appointment is None or not areas.allows(appointment.police_area_id):
        raise NotFound("appointment_unknown", UNKNOWN)
    return appointment


# action -> the states it may be taken from
FROM = {
    "confirm": (REQUESTED,),
    "decline": ACTIVE,
    "propose": ACTIVE,
    "done": (CONFIRMED,),
}


def _state_refused() -> Conflict:
    return Conflict("appointment_state", _l("That cannot be done to this appointment any more."))


def decide(
    uow: UnitOfWork,
    areas: Areas,
    appointment_id: int,
    action: str,
    *,
    starts_at: datetime | None = None,
    note: str = "",
    now: datetime,
) -> Appointment:
    """The officer's answer: confirm, decline, propose another time, or mark it done."""
    appointment = in_areas(uow.session, areas, appointment_id)
    if appointment.status not in FROM[action]:
        raise _state_refused()
    if action == "done" and appointment.starts_at > now:
        raise Invalid("not_started", _l("The meeting has not begun yet."))
    if action == "confirm" and appointment.starts_at <= now:
        raise Invalid("slot_past", _l("That time has already passed. Please choose another."))
    if note:
        appointment.note = note
    if action == "propose":
        _propose(uow, appointment, starts_at, now)
    else:
        appointment.status = {"confirm": CONFIRMED, "decline": DECLINED, "done": DONE}[action]
    uow.session.flush()
    return appointment


def _propose(
    uow: UnitOfWork, appointment: Appointment, starts_at: datetime | None, now: datetime
) -> None:
    """Move the booking to the officer's time (the old slot frees, the new one is held) until
    the resident accepts or cancels."""
    if starts_at is None:
        raise Invalid("time_missing", _l("Choose the time to propose."), field="starts_at")
    if starts_at.tzinfo is None:  # a form's date and time: the area's wall clock
        zone = ZoneInfo(uow.session.get_one(PoliceArea, appointment.police_area_id).timezone)
        starts_at = starts_at.replace(tzinfo=zone)
    starts_at = starts_at.astimezone(UTC)
    if starts_at <= now:
        raise Invalid("slot_past", _l("That time has already passed. Please choose another."))
    if starts_at > now + timedelta(days=PROPOSAL_HORIZON_DAYS):
        raise Invalid("slot_too_far", _l("Propose a time within the next 60 days."))
    length = appointment.ends_at - appointment.starts_at
    try:
        with uow.session.begin_nested():
            appointment.starts_at, appointment.ends_at = starts_at, starts_at + length
            appointment.proposed_at = starts_at
            appointment.status = PROPOSED
            uow.session.flush()
    except IntegrityError as exc:
        raise Conflict("slot_taken", _l("Another appointment already starts then.")) from exc


def accept(uow: UnitOfWork, resident: Person, appointment_id: int, now: datetime) -> Appointment:
    """The resident takes the officer's proposed time: the meeting is confirmed."""
    appointment = residents_own(uow.session, resident, appointment_id)
    if appointment.status != PROPOSED:
        raise _state_refused()
    if appointment.starts_at <= now:
        raise Invalid("slot_past", _l("That time has already passed. Please choose another."))
    appointment.status = CONFIRMED
    uow.session.flush()
    return appointment


def cancel(uow: UnitOfWork, resident: Person, appointment_id: int) -> Appointment:
    """The resident withdraws a booking that has not taken place; its slot frees."""
    appointment = residents_own(uow.session, resident, appointment_id)
    if appointment.status not in ACTIVE:
        raise _state_refused()
    appointment.status = CANCELLED
    uow.session.flush()
    return appointment


def of_resident(session: Session, resident_id: int) -> list[Appointment]:
    """A resident's appointments, the next first, then the past ones latest first."""
    return list(
        session.scalars(
            select(Appointment)
            .where(Appointment.resident_id == resident_id)
            .order_by(Appointment.starts_at.desc())
            .limit(100)
        )
    )


def of_areas(session: Session, areas: Areas, since: datetime) -> list[Appointment]:
    """The areas' appointments from ``since`` (the start of today) on, and any still waiting."""
    return list(
        session.scalars(
            select(Appointment)
            .where(
                areas.where(Appointment.police_area_id),
                or_(Appointment.starts_at >= since, Appointment.status.in_(ACTIVE)),
            )
            .order_by(Appointment.starts_at)
            .limit(300)
        )
    )
