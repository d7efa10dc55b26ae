"""What a valid check-in earns beyond its own points: streak milestone bonuses and badges."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.uow import UnitOfWork
from rewards import badges, ledger, reasons
from rewards.models import LedgerEntry

STREAK_SOURCE = "streak"


@dataclass(frozen=True)
class Progress:
    new_badges: tuple[str, ...]
    streak_bonus: int


def after_checkin(
    uow: UnitOfWork,
    *,
    user_id: int,
    local_time: datetime,
    streak_days: int,
    run_start: date | None,
    count_valid: Callable[[], int],
    streak_bonuses: Mapping[int, int],
) -> Progress:
    """Pay a streak milestone's bonus and grant the badges this check-in earned.
    ``streak_days`` and ``run_start`` describe the person's current run of patrol days;
    ``count_valid`` counts the person's valid check-ins; it runs only while a badge that
    depends on the count is still to be earned."""
    bonus = _pay_milestone(uow, user_id, streak_days, run_start, streak_bonuses)
    owned = badges.owned(uow.session, user_id)
    valid_total = count_valid() if badges.COUNTED - owned else None
    earned = [
        badge
        for badge in badges.for_checkin(local_time, streak_days, valid_total)
        if badge not in owned
    ]
    return Progress(new_badges=badges.grant(uow, user_id, earned), streak_bonus=bonus)


def _pay_milestone(
    uow: UnitOfWork,
    user_id: int,
    days: int,
    run_start: date | None,
    bonuses: Mapping[int, int],
) -> int:
    """The bonus paid for a run of ``days`` if that is a milestone, once per run and milestone.

    The source names the run by its first day and the milestone, so every check-in of the run
    names the same source whatever day it is dated (a second scan that day, a late or offline
    one dated the day before). A run only grows, and a late day that joins two runs makes one
    longer than either, so no run reaches the same length twice."""
    bonus = bonuses.get(days, 0)
    if not bonus or run_start is None:
        return 0
    source_id = f"{user_id}:{days}:{run_start.isoformat()}"
    # Bonuses paid before runs were named this way name the day the run reached the milestone.
    earlier_name = f"{user_id}:{(run_start + timedelta(days=days - 1)).isoformat()}"
    # Checked first (the check-in holds the person's lock), so a milestone whose bonus has been
    # changed since it was paid is skipped rather than a conflict on the ledger's key.
    paid = uow.session.scalar(
        select(_entries.c.id)
        .where(
            _entries.c.source_type == STREAK_SOURCE,
            _entries.c.source_id.in_([source_id, earlier_name]),
            _entries.c.reason == reasons.STREAK_BONUS,
        )
        .limit(1)
    )
    if paid is not None:
        return 0
    ledger.award(
        uow,
        user_id=user_id,
        delta=bonus,
        reason=reasons.STREAK_BONUS,
        source_type=STREAK_SOURCE,
        source_id=source_id,
    )
    return bonus


_entries = LedgerEntry.__table__
