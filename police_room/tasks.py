"""The police room's beat: stamp the appointment reminders that are due (it acts on rows, so
running it twice or after a restart reminds nobody twice), and delete officers' photos no
profile names any more."""

from __future__ import annotations

from celery import shared_task

from app.types import utcnow
from app.uow import unit_of_work
from police_room import appointment_reminders
from police_room.models import OfficerProfile
from police_room.public import PHOTOS


@shared_task(name="police_room.tasks.remind_appointments")
def remind_appointments() -> int:
    with unit_of_work() as uow:
        stamped = appointment_reminders.remind_due(uow, utcnow())
        uow.commit()
    return stamped


@shared_task(name="police_room.tasks.sweep_unreferenced_photos")
def sweep_unreferenced_photos() -> int:
    with unit_of_work(write=False) as uow:
        return len(PHOTOS.sweep(uow.session, [OfficerProfile.photo_name], utcnow()))
