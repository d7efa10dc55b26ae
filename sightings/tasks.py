"""The sightings' beat: delete the kept photos and voice notes no report names (a report whose
transaction rolled back after its files were written). Running it twice is safe."""

from __future__ import annotations

from celery import shared_task

from app.types import utcnow
from app.uow import unit_of_work
from sightings.models import SightingMedia
from sightings.reporting import STORE


@shared_task(name="sightings.tasks.sweep_unreferenced_media")
def sweep_unreferenced_media() -> int:
    with unit_of_work(write=False) as uow:
        columns = [SightingMedia.stored_name, SightingMedia.thumb_name]
        return len(STORE.sweep(uow.session, columns, utcnow()))
