"""Reminders of confirmed meetings, the day before and on the day, to the resident and the
officer: the beat's sweep stamps each side's reminder, and the resident's and the officer's
appointment pages show what was stamped today. A conditional update claims each stamp, so two
sweeps racing (two beat processes, a redelivery) remind each side once per day."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update

from app.uow import UnitOfWork
from police_room.appointments import CONFIRMED
from police_room.models import Appointment
from volunteers.models import PoliceArea

STAMPS = (Appointment.resident_reminded_at, Appointment.officer_reminded_at)


def local_day_start(moment: datetime, zone: ZoneInfo) -> datetime:
    return datetime.combine(moment.astimezone(zone).date(), time(), zone)


def remind_due(uow: UnitOfWork, now: datetime) -> int:
    """Stamp the reminders due now; answers how many were stamped."""
    session = uow.session
    soon = session.execute(
        select(Appointment.id, Appointment.starts_at, PoliceArea.timezone)
        .join(PoliceArea, PoliceArea.id == Appointment.police_area_id)
        .where(
            Appointment.status == CONFIRMED,
            Appointment.starts_at > now,
            Appointment.starts_at < now + timedelta(days=2, hours=1),
        )
    ).all()
    stamped = 0
    for appointment_id, starts_at, timezone in soon:
        zone = ZoneInfo(timezone)
        today = local_day_start(now, zone)
        if (starts_at.astimezone(zone).date() - today.date()).days > 1:
            continue  # two days off: tomorrow's sweep reminds
        for stamp in STAMPS:
            result = session.execute(
                update(Appointment)
                .where(
                    Appointment.id == appointment_id,
                    Appointment.status == CONFIRMED,
                    or_(stamp.is_(None), stamp < today),
                )
                .values({stamp.key: now})
                .execution_options(synchronize_session=False)
            )
            stamped += result.rowcount  # type: ignore[attr-defined]
    return stamped


def reminded_today(stamp: datetime | None, now: datetime, zone: ZoneInfo) -> bool:
    """A reminder stamped on today's local date is shown on the page."""
    return stamp is not None and stamp >= local_day_start(now, zone)
