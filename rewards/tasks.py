"""Background jobs for rewards: uncollected orders (each cancelled in its own unit of work,
idempotently) and the leaderboard's queued score events."""

from __future__ import annotations

from celery import shared_task

from app.extensions import db
from app.types import utcnow
from app.uow import unit_of_work
from rewards import leaderboard, store


@shared_task(name="rewards.tasks.cancel_uncollected_orders")
def cancel_uncollected_orders() -> int:
    """Cancel and refund orders not collected in time (run hourly by beat)."""
    cancelled = 0
    for order_id in store.expired_order_ids(db.session, utcnow()):
        with unit_of_work() as uow:
            cancelled += store.cancel(uow, order_id)
            uow.commit()
    return cancelled


@shared_task(name="rewards.tasks.fold_score_events")
def fold_score_events() -> int:
    """Move queued earnings into the leaderboard buckets (every minute by beat)."""
    return leaderboard.catch_up()
