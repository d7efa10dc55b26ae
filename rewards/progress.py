"""What a valid check-in earns beyond its own points: streak milestone bonuses and badges."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
    count_valid: Callable[[], int],
    streak_bonuses: Mapping[int, int],
) -> Progress:
    """Pay a streak milestone's bonus and grant the badges this check-in earned.
    ``count_valid`` counts the person's valid check-ins; it runs only while a badge that
    depends on the count is still to be earned."""
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
    owned = badges.owned(uow.session, user_id)
    valid_total = count_valid() if badges.COUNTED - owned else None
    earned = [
        badge
        for badge in badges.for_checkin(local_time, streak_days, valid_total)
        if badge not in owned
    ]
    return Progress(new_badges=badges.grant(uow, user_id, earned), streak_bonus=bonus)
