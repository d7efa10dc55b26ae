"""How long ago a point was last patrolled, as the map colours it (pure functions)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

Freshness = Literal["fresh", "recent", "stale"]
FRESH_WITHIN = timedelta(hours=2)  # green: walked this shift
RECENT_WITHIN = timedelta(hours=8)  # amber: walked today, not lately; older or never is red


def freshness(last_patrol: datetime | None, now: datetime) -> Freshness:
    """``fresh`` under 2 h ago, ``recent`` under 8 h, else (or never) ``stale``."""
    if last_patrol is None:
        return "stale"
    age = now - last_patrol
    if age < FRESH_WITHIN:
        return "fresh"
    return "recent" if age < RECENT_WITHIN else "stale"
