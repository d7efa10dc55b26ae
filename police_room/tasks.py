"""The police room's beat: stamp the appointment reminders that are due. It acts on rows, so
running it twice or after a restart reminds nobody twice."""

from __future__ import annotations

from celery import shared_task

from app.types import utcnow
from app.uow import unit_of_work
from police_room import appointment_reminders


@shared_task(name="police_room.tasks.remind_appointments")
def remind_appointments() -> int:
    with unit_of_work() as uow:
        stamped = appointment_reminders.remind_due(uow, utcnow())
        uow.commit()
    return stamped
