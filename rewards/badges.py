"""Badges, awarded once by the deeds that earn them and shown on the profile with the date."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.sql import insert_ignoring_conflicts
from app.types import utcnow
from app.uow import UnitOfWork
from rewards.models import BadgeAward

FIRST_PATROL = "first_patrol"
STREAK_7 = "streak_7"
STREAK_30 = "streak_30"
CHECKINS_100 = "checkins_100"
NIGHT_PATROL = "night_patrol"
ROUTE_COMPLETE = "route_complete"
FIRST_TIP = "first_tip"

LABELS = {
    FIRST_PATROL: _l("First patrol"),
    STREAK_7: _l("7-day streak"),
    STREAK_30: _l("30-day streak"),
    CHECKINS_100: _l("100 check-ins"),
    NIGHT_PATROL: _l("Night patrol"),
    ROUTE_COMPLETE: _l("Full route walked"),
    FIRST_TIP: _l("First confirmed tip"),
}
NIGHT_HOURS = frozenset({22, 23, 0, 1, 2, 3, 4})
COUNTED = frozenset({CHECKINS_100})  # badges that need the count of valid check-ins


_awards = BadgeAward.__table__


_OWNED = select(_awards.c.badge).where(_awards.c.user_id == bindparam("user_id"))


def owned(session: Session, user_id: int) -> set[str]:
    return set(session.scalars(_OWNED, {"user_id": user_id}))


_grant = insert_ignoring_conflicts(_awards, _awards.c.badge)  # a badge held already: no row


def grant(uow: UnitOfWork, user_id: int, badges: list[str]) -> tuple[str, ...]:
    """Award each badge once; returns those this call awarded (not ones already held)."""
    if not badges:
        return ()
    now = utcnow()
    inserted = set(
        uow.session.scalars(
            _grant(uow.session),
            [{"user_id": user_id, "badge": b, "awarded_at": now} for b in badges],
        )
    )
    return tuple(b for b in badges if b in inserted)


def for_checkin(local_time: datetime, streak_days: int, valid_total: int | None) -> list[str]:
    """The badges a valid check-in may earn (``grant`` keeps each to once); ``valid_total``
    None leaves out the badges that depend on it."""
    earned = [FIRST_PATROL]  # this check-in is a valid patrol
    if streak_days >= 7:
        earned.append(STREAK_7)
    if streak_days >= 30:
        earned.append(STREAK_30)
    if valid_total is not None and valid_total >= 100:
        earned.append(CHECKINS_100)
    if local_time.hour in NIGHT_HOURS:
        earned.append(NIGHT_PATROL)
    return earned


def of(session: Session, user_id: int) -> list[dict[str, str]]:
    rows = session.execute(
        select(BadgeAward.badge, BadgeAward.awarded_at)
        .where(BadgeAward.user_id == user_id)
        .order_by(BadgeAward.awarded_at)
    ).all()
    return [
        {"badge": badge, "label": str(LABELS.get(badge, badge)), "awarded_at": at.isoformat()}
        for badge, at in rows
    ]
