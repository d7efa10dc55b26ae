"""The earning rules, in one place: how many points each deed pays, and under which reason.

A check-in pays its patrol point's own value (officers set it per point: hotspots pay more);
everything else is a setting with a default, so a police room can tune it without code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rewards import reasons

SETTING_FOR_REASON = {
    reasons.ROUTE_BONUS: "ROUTE_BONUS_POINTS",
    reasons.TIP_CONFIRMED: "TIP_CONFIRMED_POINTS",
    reasons.DISPATCH_ACCEPTED: "DISPATCH_ACCEPTED_POINTS",
    reasons.DISPATCH_ARRIVED: "DISPATCH_ARRIVED_POINTS",
}


def points_for(reason: str, config: Mapping[str, Any]) -> int:
    return int(config[SETTING_FOR_REASON[reason]])


def streak_bonus(streak_days: int, config: Mapping[str, Any]) -> int:
    """The bonus for reaching a streak milestone today (0 on other days)."""
    milestones = {int(days): int(points) for days, points in config["STREAK_BONUS_POINTS"].items()}
    return milestones.get(streak_days, 0)


def describe(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The rules as (reason, points) for the "how to earn" page."""
    rows = [(reasons.CHECKIN, "per point")]
    rows += [(reason, str(points_for(reason, config))) for reason in SETTING_FOR_REASON]
    rows += [
        (reasons.STREAK_BONUS, f"{days}: {points}")
        for days, points in sorted(config["STREAK_BONUS_POINTS"].items(), key=lambda i: int(i[0]))
    ]
    return rows
