"""Background jobs for patrols. Tasks open their own unit of work and are safe to run twice."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from celery import shared_task
from flask import current_app

from app.types import utcnow
from app.uow import unit_of_work
from checkins import patrols


@shared_task(name="checkins.tasks.close_route_windows")
def close_route_windows() -> int:
    """Decide the patrol rounds whose window has closed (run every minute by beat)."""
    with unit_of_work() as uow:
        decided = patrols.close_windows(
            uow, utcnow(), ZoneInfo(current_app.config["LOCAL_TIMEZONE"])
        )
        uow.commit()
    return len(decided)
