"""Background jobs for patrols. Tasks open their own unit of work and are safe to run twice."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from celery import shared_task
from flask import current_app

from app.types import utcnow
from app.uow import unit_of_work
from checkins import patrols, retention


@shared_task(name="checkins.tasks.close_route_windows")
def close_route_windows() -> int:
    """Decide the patrol rounds whose window has closed (run every minute by beat)."""
    with unit_of_work() as uow:
        decided = patrols.close_windows(
            uow, utcnow(), ZoneInfo(current_app.config["LOCAL_TIMEZONE"])
        )
        uow.commit()
    return len(decided)


@shared_task(name="checkins.tasks.forget_old_positions")
def forget_old_positions() -> int:
    """Clear where the phone was on check-ins older than ``CHECKIN_POSITION_DAYS`` (daily)."""
    days = int(current_app.config["CHECKIN_POSITION_DAYS"])
    with unit_of_work() as uow:
        cleared = retention.forget_old_positions(uow, utcnow() - timedelta(days=days))
        uow.commit()
    return cleared
