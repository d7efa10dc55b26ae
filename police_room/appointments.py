"""Appointments with an area's officers (预约民警): a resident picks a free slot of an officer's
weekly reception hours; the officer confirms, declines or proposes another time; the resident
accepts the proposal or cancels; the officer marks the meeting done. Services flush; the
caller's unit of work commits.

Two residents taking one slot at once both pass the free-slot check; the partial unique index
``uq_appointments_officer_slot`` (one active booking per officer and start) lets one insert in
and the other is told the slot was just taken."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import Conflict, Invalid, NotFound
from app.roles import Role
from app.sql import lock_row
from app.uow import UnitOfWork
from police_room.models import Appointment, OfficerProfile
from volunteers.areas import Areas
from volunteers.models import PoliceArea, User
from volunteers.person import Person

REQUESTED, CONFIRMED, PROPOSED = "requested", "confirmed", "proposed"
DECLINED, CANCELLED, DONE = "declined", "cancelled", "done"
ACTIVE = (REQUESTED, CONFIRMED, PROPOSED)
HORIZON_DAYS = 14  # residents book up to two weeks ahead
PROPOSAL_HORIZON_DAYS = 60  # an officer may offer a time further off
UNKNOWN = _l("That appointment does not exist.")
NO_OFFICER = _l("There is no such officer to book.")
TAKEN = _l("Someone has just booked that time. Please choose another.")


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # UTC
    ends_at: datetime


@dataclass(frozen=True)
class Officer:
    """A bookable officer: shown on their area's page, with reception hours."""

    user: User
    profile: OfficerProfile
    area: PoliceArea

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.area.timezone)


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def reception_slots(officer: Officer, now: datetime, days: int = HORIZON_DAYS) -> list[Slot]:
    """Every slot of the officer's weekly reception hours that starts after ``now`` and within
    the next ``days`` local days, in the area's time zone, ``slot_minutes`` each."""
    zone, length = officer.zone, timedelta(minutes=max(officer.profile.slot_minutes, 5))
    today = now.astimezone(zone).date()
    slots: list[Slot] = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        for hours in officer.profile.reception or []:
            if int(hours.get("weekday", -1)) != day.weekday():
                continue
            start = datetime.combine(day, _clock(hours["start"]), zone)
            end = datetime.combine(day, _clock(hours["end"]), zone)
            while start + length <= end:
                if start > now:
                    slots.append(Slot(start.astimezone(UTC), (start + length).astimezone(UTC)))
                start += length
    return sorted(set(slots), key=lambda s: s.starts_at)


def bookable(session: Session, officer_id: int) -> Officer:
    """The officer residents may book, or ``NotFound`` (not an officer, hidden, no area)."""
    row = session.execute(
        select(User, OfficerProfile, PoliceArea)
        .join(OfficerProfile, OfficerProfile.user_id == User.id)
        .join(PoliceArea, PoliceArea.id == User.police_area_id)
        .where(
            User.id == officer_id,
            User.role == Role.OFFICER.value,
            User.active.is_(True),
            OfficerProfile.shown.is_(True),
        )
    ).first()
    if row is None:
        raise NotFound("officer_unknown", NO_OFFICER)
    return Officer(*row)


def officer_ids(session: Session, area_id: int) -> list[int]:
    """The officers of a police area residents may book, by name."""
    return list(
        session.scalars(
            select(User.id)
            .join(OfficerProfile, OfficerProfile.user_id == User.id)
            .where(
                User.police_area_id == area_id,
                User.role == Role.OFFICER.value,
                User.active.is_(True),
                OfficerProfile.shown.is_(True),
            )
            .order_by(User.name, User.id)
        )
    )


def _taken(session: Session, officer_id: int, since: datetime) -> set[datetime]:
    return set(
        session.scalars(
            select(Appointment.starts_at).where(
                Appointment.officer_id == officer_id,
                Appointment.status.in_(ACTIVE),
                Appointment.starts_at >= since,
            )
        )
    )


def free_slots(session: Session, found: Officer, now: datetime) -> list[Slot]:
    """The officer's reception slots of the next two weeks nobody has booked."""
    taken = _taken(session, found.user.id, now)
    return [s for s in reception_slots(found, now) if s.starts_at not in taken]


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
    found = bookable(uow.session, officer_id)
    if area_id is not None and found.area.id != area_id:
        raise NotFound("officer_unknown", NO_OFFICER)
    if starts_at <= now:
        raise Invalid("slot_past", _l("That time has already passed. Please choose another."))
    slot = next((s for s in reception_slots(found, now) if s.starts_at == starts_at), None)
    if slot is None:
        raise Invalid(
            "slot_outside_hours",
            _l("That time is not one of the officer's reception slots in the next two weeks."),
        )
    if starts_at in _taken(uow.session, officer_id, starts_at):
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
