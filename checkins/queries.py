"""Read-only views of check-ins, shaped for pages and the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.types import utcnow
from checkins import attempts, patrols, services, streaks
from checkins.models import VALID, CheckIn
from checkins.rules import MESSAGES
from rewards import badges, ledger
from volunteers.person import Person


def refusal_text(code: str | None, detail: dict[str, Any] | None) -> str | None:
    """A stored refusal in the reader's language, with the figures it had (e.g. the distance)."""
    if not code:
        return None
    return str(MESSAGES[code]) % (detail or {}) if code in MESSAGES else code


def outcome_json(outcome: services.CheckInOutcome) -> dict[str, Any]:
    return {
        "checkin_id": outcome.checkin_id,
        "point": {"id": outcome.point_id, "name": outcome.point_name},
        "points": outcome.points,
        "balance": outcome.balance,
        "streak_days": outcome.streak_days,
        "remaining_today": outcome.remaining_today,
        "replayed": outcome.replayed,
        "new_badges": [str(badges.LABELS[b]) for b in outcome.new_badges],
        "streak_bonus": outcome.streak_bonus,
    }


def history(user: Person, policy: services.Policy, limit: int = 50) -> dict[str, Any]:
    """The person's recent attempts, with today's totals, streak and balance."""
    session = db.session()
    now = utcnow()
    today = now.astimezone(policy.timezone).date()
    rows = session.scalars(
        select(CheckIn)
        .where(CheckIn.user_id == user.id)
        .order_by(CheckIn.observed_at.desc(), CheckIn.id.desc())
        .limit(limit)
    ).all()
    valid_today = attempts.valid_on_day(session, user.id, now, policy.timezone)
    return {
        "rounds": patrols.rounds_for(session, user.id, now, policy.timezone),
        "balance": ledger.balance(session, user.id),
        "streak_days": streaks.current(session, user.id, today),
        "valid_today": valid_today,
        "remaining_today": max(0, policy.thresholds.daily_cap - valid_today),
        "checkins": [
            {
                "id": row.id,
                "point": row.point.name if row.point else None,
                "observed_at": row.observed_at.astimezone(policy.timezone).isoformat(),
                "valid": row.status == VALID,
                "points": row.points,
                "reason": row.reason,
                "reason_text": refusal_text(row.reason, row.detail),
            }
            for row in rows
        ],
    }
