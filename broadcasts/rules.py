"""Pure rules of broadcasts (no I/O): which stage of a widening circle is due, who a target
covers, and when a non-urgent broadcast may reach a person (quiet hours, a daily limit)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from realtime.presence_distance import geodesic_m
from volunteers.boundaries import to_metres


def stage_due(stages: Sequence[Mapping[str, Any]], created_at: datetime, now: datetime) -> int:
    """The index of the last stage whose time has come (stages are sorted by ``after_min``)."""
    due = 0
    for index, stage in enumerate(stages):
        if created_at + timedelta(minutes=int(stage["after_min"])) <= now:
            due = index
    return due


@dataclass(frozen=True)
class Target:
    """Where a broadcast reaches at one stage: grids (their outlines, by id; a grid without one
    is known by its people), a circle, or else the whole area."""

    grid_shapes: Mapping[int, BaseGeometry | None] | None = None
    circle: tuple[float, float, float] | None = None  # lat, lon, radius in metres

    @property
    def whole_area(self) -> bool:
        return self.grid_shapes is None and self.circle is None

    def covers_position(self, lat: float, lon: float, home_grid: int | None) -> bool:
        """Someone standing at (lat, lon) whose own grid is ``home_grid``."""
        if self.grid_shapes is not None:
            point = Point(lon, lat)
            if any(s is not None and s.covers(point) for s in self.grid_shapes.values()):
                return True
            # Inside none of the drawn grids: still theirs if their own grid has no outline.
            return home_grid is not None and self.grid_shapes.get(home_grid, 0) is None
        if self.circle is None:
            return True
        c_lat, c_lon, radius = self.circle
        return geodesic_m(c_lat, c_lon, lat, lon) <= radius

    def covers_grid(self, grid_id: int | None, shape: BaseGeometry | None) -> bool:
        """Someone with no live position, known by their grid (``shape``: its outline)."""
        if self.whole_area:
            return True
        if grid_id is None:
            return False
        if self.grid_shapes is not None:
            return grid_id in self.grid_shapes
        if shape is None or self.circle is None:
            return False
        c_lat, c_lon, radius = self.circle
        return bool(to_metres(shape, (c_lon, c_lat)).distance(Point(0, 0)) <= radius)


@dataclass(frozen=True)
class Pacing:
    """Quiet hours (area-local wall-clock times; the window may pass midnight) and how many
    non-urgent broadcasts one person gets a day."""

    quiet_start: time = time(22)
    quiet_end: time = time(7)
    daily_limit: int = 3

    def in_quiet_hours(self, local: datetime) -> bool:
        moment = local.time()
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= moment < self.quiet_end
        return moment >= self.quiet_start or moment < self.quiet_end

    def morning_after(self, local: datetime) -> datetime:
        """The next end of quiet hours after ``local`` (today's, if still ahead)."""
        morning = datetime.combine(local.date(), self.quiet_end, tzinfo=local.tzinfo)
        return morning if morning > local else morning + timedelta(days=1)

    def day_start(self, now: datetime, zone: ZoneInfo) -> datetime:
        """Midnight of the area-local day ``now`` falls in."""
        local = now.astimezone(zone)
        return datetime.combine(local.date(), time(0), tzinfo=zone)

    def when(
        self, now: datetime, zone: ZoneInfo, *, urgent: bool, delivered_today: int
    ) -> datetime:
        """When a broadcast may reach a person: urgent ones at once; others not in quiet hours
        (deferred to the morning, not dropped) nor past the day's limit (the next morning)."""
        if urgent:
            return now
        local = now.astimezone(zone)
        if self.in_quiet_hours(local):
            return self.morning_after(local).astimezone(now.tzinfo)
        if delivered_today >= self.daily_limit:
            tomorrow = self.day_start(now, zone) + timedelta(days=1)
            return self.morning_after(tomorrow).astimezone(now.tzinfo)
        return now
