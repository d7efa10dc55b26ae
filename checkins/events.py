"""What check-ins tell the rest of the platform."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RouteClosed:
    """A person's patrol round was decided when its window closed."""

    route_id: int
    route_name: str
    user_id: int
    user_name: str
    day: str
    status: str
    missed_points: tuple[str, ...]
    bonus_points: int
