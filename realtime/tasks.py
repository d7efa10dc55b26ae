"""The live sweeps: escalate dispatch rounds that ran out, drop people whose phone went quiet.
Both act on stored state (rows, the presence store), so a restart loses nothing."""

from __future__ import annotations

from celery import shared_task
from flask import current_app

from app.extensions import db
from app.types import utcnow
from app.uow import unit_of_work
from realtime import escalation, events, last_positions, rooms
from realtime.presence_backend import presence_for
from realtime.settings import dispatch_settings, presence_grace


@shared_task(name="realtime.tasks.escalate_due")
def escalate_due() -> int:
    with unit_of_work() as uow:
        escalated = escalation.escalate_due(
            uow, presence_for(current_app), now=utcnow(), settings=dispatch_settings()
        )
        uow.commit()
    return len(escalated)


@shared_task(name="realtime.tasks.expire_presence")
def expire_presence() -> int:
    quiet_since = utcnow() - presence_grace()
    with unit_of_work() as uow:
        last_positions.forget_older(uow, quiet_since)
        uow.commit()
    gone = presence_for(current_app).expire(quiet_since)
    for user_id in gone:
        area = rooms.area_of_user(db.session(), user_id)
        rooms.to_console(events.PRESENCE_GONE, {"user_id": user_id}, area)
    return len(gone)
