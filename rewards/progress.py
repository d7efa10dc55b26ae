"""What a valid check-in earns beyond its own points: streak milestone bonuses and badges."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from app.uow import UnitOfWork
from rewards import badges, ledger, reasons


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
    valid_total: int,
    streak_bonuses: Mapping[int, int],
) -> Progress:
    bonus = streak_bonuses.get(streak_days, 0)
    if bonus:
        # One milestone per person per day: the source names the day, so a retry pays once.
        ledger.award(
            uow,
            user_id=user_id,
            delta=bonus,
            reason=reasons.STREAK_BONUS,
            source_type="streak",
            source_id=f"{user_id}:{local_time.date().isoformat()}",
        )
    new = tuple(
        badge
        for badge in badges.for_checkin(local_time, streak_days, valid_total)
        if badges.grant(uow, user_id, badge)
    )
    return Progress(new_badges=new, streak_bonus=bonus)
