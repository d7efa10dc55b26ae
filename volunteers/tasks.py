"""Background jobs about people. Tasks take ids, open their own unit of work, are safe to rerun."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from celery import shared_task
from sqlalchemy import CursorResult, delete, or_

from app.types import utcnow
from app.uow import unit_of_work
from volunteers.models import LoginSession

KEEP_REVOKED = timedelta(days=7)


@shared_task(name="volunteers.tasks.purge_expired_login_sessions")
def purge_expired_login_sessions() -> int:
    """Delete logins that expired, or were revoked more than a week ago (they open nothing)."""
    now = utcnow()
    with unit_of_work() as uow:
        deleted = cast(
            CursorResult[Any],
            uow.session.execute(
                delete(LoginSession).where(
                    or_(
                        LoginSession.expires_at <= now,
                        LoginSession.revoked_at <= now - KEEP_REVOKED,
                    )
                )
            ),
        ).rowcount
        uow.commit()
    return deleted
