"""Read-only views of check-ins, shaped for pages and the API."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import select

from app.extensions import db
from app.types import utcnow
from checkins import attempts, evidence, patrols, services, streaks
from checkins.models import HELD, REJECTED, VALID, CheckIn
from checkins.rules import MESSAGES
from rewards import badges, ledger
from volunteers.person import Person


def refusal_text(code: str | None, detail: dict[str, Any] | None) -> str | None:
    """A stored refusal in the reader's language, with the figures it had (e.g. the distance)."""
    if not code:
        return None
    return str(MESSAGES[code]) % (detail or {}) if code in MESSAGES else code


def doubts_json(detail: dict[str, Any] | None) -> list[dict[str, str]]:
    """Why a check-in is held, one plain sentence per signal, in the reader's language."""
    return [
        {"code": code, "message": evidence.text(code, figures)}
        for code, figures in services.doubts(detail)
    ]


def appeal_url(checkin_id: int) -> str:
    return url_for("checkins.appeal", checkin_id=checkin_id)


def outcome_json(outcome: services.CheckInOutcome) -> dict[str, Any]:
    held = outcome.held and outcome.checkin_id is not None
    return {
        "checkin_id": outcome.checkin_id,
        "status": HELD if held else VALID,
        "held": held,
        "doubts": [
            {"code": code, "message": evidence.text(code, figures)}
            for code, figures in outcome.doubts
        ],
        "appealed": outcome.appealed,
        "appeal_url": appeal_url(outcome.checkin_id) if held and outcome.checkin_id else None,
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
                "status": row.status,
                "points": row.points,
                "reason": row.reason,
                "reason_text": refusal_text(row.reason, row.detail)
                if row.status not in (HELD, REJECTED)
                else None,
                "doubts": doubts_json(row.detail) if row.status in (HELD, REJECTED) else [],
                "appealed": row.appealed_at is not None,
                "appeal_url": appeal_url(row.id) if row.status == HELD else None,
                "decision_note": row.decision_note if row.status == REJECTED else None,
                "approved": row.status == VALID and row.decided_at is not None,
            }
            for row in rows
        ],
    }
