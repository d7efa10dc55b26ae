"""What a valid check-in earns, once: shared by a live check-in (checkins/services.py) and an
officer's approval of a held one (checkins/held.py), so both count it the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from app.uow import UnitOfWork
from checkins import attempts, streaks
from rewards import ledger, progress, reasons

if TYPE_CHECKING:
    from checkins.services import Policy


@dataclass(frozen=True)
class Counted:
    balance: int
    streak_days: int
    new_badges: tuple[str, ...]
    streak_bonus: int


def count_valid(
    uow: UnitOfWork,
    user_id: int,
    checkin_id: int,
    points: int,
    observed_at: datetime,
    policy: Policy,
    *,
    first_that_day: bool = True,
    actor_id: int | None = None,
) -> Counted:
    """What a valid check-in earns, once: its points through the ledger (the check-in is the
    source, so it pays once however often this runs), its day for streaks, milestone bonuses
    and badges. A live check-in calls it at once; an officer's approval of a held one calls it
    later (``actor_id``: the officer). The caller holds the person's lock."""
    session = uow.session
    paid = ledger.award(
        uow,
        user_id=user_id,
        delta=points,
        reason=reasons.CHECKIN,
        source_type="checkin",
        source_id=checkin_id,
        actor_id=actor_id,
    )
    local_time = observed_at.astimezone(policy.timezone)
    if first_that_day:  # the day's first valid patrol: the day now counts for streaks
        streaks.record_day(session, user_id, local_time.date())
    streak, run_start = streaks.current_run(session, user_id, local_time.date())
    gained = progress.after_checkin(
        uow,
        user_id=user_id,
        local_time=local_time,
        streak_days=streak,
        run_start=run_start,
        count_valid=lambda: attempts.valid_total(session, user_id),
        streak_bonuses=policy.streak_bonuses,
    )
    return Counted(
        # This transaction holds the person's balance row, so nothing else moved it between.
        balance=paid.balance + gained.streak_bonus,
        streak_days=streak,
        new_badges=gained.new_badges,
        streak_bonus=gained.streak_bonus,
    )
