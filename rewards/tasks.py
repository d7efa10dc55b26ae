"""Background jobs for the store. Each order is cancelled in its own unit of work, idempotently."""

from __future__ import annotations

from celery import shared_task

from app.extensions import db
from app.types import utcnow
from app.uow import unit_of_work
from rewards import store


@shared_task(name="rewards.tasks.cancel_uncollected_orders")
def cancel_uncollected_orders() -> int:
    """Cancel and refund orders not collected in time (run hourly by beat)."""
    cancelled = 0
    for order_id in store.expired_order_ids(db.session, utcnow()):
        with unit_of_work() as uow:
            cancelled += store.cancel(uow, order_id)
            uow.commit()
    return cancelled
