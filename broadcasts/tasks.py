"""The broadcasts' beat: widen circles whose next stage is due and deliver what quiet hours or
the daily limit held back; delete kept photos nothing names (uploaded for a broadcast or an
answer never sent). Both act on rows and files, so running them twice or after a restart is
safe."""

from __future__ import annotations

from celery import shared_task
from flask import current_app

from app.types import utcnow
from app.uow import unit_of_work
from broadcasts import delivery
from broadcasts.models import Broadcast, SeenAnswer
from broadcasts.photos import STORE
from broadcasts.settings import pacing
from realtime.presence_backend import presence_for


@shared_task(name="broadcasts.tasks.sweep")
def sweep() -> int:
    with unit_of_work() as uow:
        delivered = delivery.sweep(uow, presence_for(current_app), pacing(), utcnow())
        uow.commit()
    return delivered


@shared_task(name="broadcasts.tasks.sweep_unreferenced_photos")
def sweep_unreferenced_photos() -> int:
    with unit_of_work(write=False) as uow:
        columns = [Broadcast.photo_name, Broadcast.thumb_name]
        columns += [SeenAnswer.photo_name, SeenAnswer.thumb_name]
        return len(STORE.sweep(uow.session, columns, utcnow()))
