"""Which times residents may book: an officer's weekly reception hours (``OfficerProfile.
reception``) cut into ``slot_minutes`` slots in the area's time zone over the next two weeks,
less the ones an active booking holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.roles import Role
from police_room.models import Appointment, OfficerProfile
from volunteers.models import PoliceArea, User

# An appointment's states; the first three hold their slot (the partial unique index's).
REQUESTED, CONFIRMED, PROPOSED = "requested", "confirmed", "proposed"
DECLINED, CANCELLED, DONE = "declined", "cancelled", "done"
ACTIVE = (REQUESTED, CONFIRMED, PROPOSED)
HORIZON_DAYS = 14  # residents book up to two weeks ahead
NO_OFFICER = _l("There is no such officer to book.")


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


def taken(session: Session, officer_id: int, since: datetime) -> set[datetime]:
    """The starts of the officer's slots an active booking holds, from ``since`` on."""
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
    held = taken(session, found.user.id, now)
    return [s for s in reception_slots(found, now) if s.starts_at not in held]
