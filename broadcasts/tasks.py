"""The broadcasts sweep: widen circles whose next stage is due and deliver what quiet hours or
the daily limit held back. It acts on rows, so running it twice or after a restart is safe."""

from __future__ import annotations

from celery import shared_task
from flask import current_app

from app.types import utcnow
from app.uow import unit_of_work
from broadcasts import delivery
from broadcasts.settings import pacing
from realtime.presence_backend import presence_for


@shared_task(name="broadcasts.tasks.sweep")
def sweep() -> int:
    with unit_of_work() as uow:
        delivered = delivery.sweep(uow, presence_for(current_app), pacing(), utcnow())
        uow.commit()
    return delivered
