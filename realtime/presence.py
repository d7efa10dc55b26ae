"""Live positions of on-duty people: the records, the store's interface and the inputs it refuses.

One interface, two back ends chosen by configuration (DESIGN.md, "Two modes"): `InProcessPresence`
(realtime.presence_grid) and `RedisPresence` (realtime.presence_redis); `presence_for`
(realtime.presence_backend) picks one. Only each person's latest position is kept (DESIGN.md,
"Privacy"). Both back ends refuse latitudes beyond +-85.05 (Redis GEO's limit) and radii over
500 km; longitudes do not wrap at 180.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

MAX_LAT = 85.05112878  # Redis GEO's limit, kept by both back ends so they behave the same
MAX_RADIUS_M = 500_000.0  # the local metric's error bound is measured up to here


@dataclass(frozen=True)
class Seen:
    user_id: int
    role: str
    lat: float
    lon: float
    accuracy_m: float
    seen_at: datetime  # aware, UTC


@dataclass(frozen=True)
class Nearby:
    user_id: int
    role: str
    distance_m: float  # geodesic metres (WGS-84)
    lat: float
    lon: float
    seen_at: datetime


class PresenceStore(Protocol):
    """Latest positions of on-duty people. Both back ends pass the same behavioural tests."""

    def update(self, seen: Seen) -> None:
        """Make ``seen`` the person's only position (an earlier one, of any role, is gone)."""

    def update_many(self, seens: Iterable[Seen]) -> None:
        """`update` for many people at once (bulk loads); the last of a person's wins."""

    def remove(self, user_id: int) -> None:
        """Forget the person's position (off duty, logged out, consent withdrawn)."""

    def get(self, user_id: int) -> Seen | None:
        """The person's latest position, if they are on the live map."""

    def get_many(self, user_ids: Iterable[int]) -> dict[int, Seen]:
        """`get` for many people at once: user id -> position, for those on the live map."""

    def nearest(
        self,
        lat: float,
        lon: float,
        *,
        radius_m: float,
        limit: int,
        roles: Collection[str] | None = None,
        exclude: Collection[int] = (),
        seen_after: datetime | None = None,
    ) -> list[Nearby]:
        """The ``limit`` people nearest to (lat, lon) within ``radius_m`` geodesic metres,
        nearest first (ties by user id), of the given roles (any when None), not in
        ``exclude``, seen at or after ``seen_after``. Filters apply while searching, so
        they never starve the answer."""

    def all(self) -> list[Seen]:
        """Everyone on the live map, by user id (a console that connects draws them)."""

    def expire(self, older_than: datetime) -> list[int]:
        """Remove and return everyone not seen since ``older_than`` (lost connections)."""

    def clear(self) -> None:
        """Forget everyone."""


def _checked(seen: Seen, roles: frozenset[str]) -> Seen:
    if str(seen.role) not in roles:
        raise ValueError(f"unknown role {seen.role!r}")
    if not (-MAX_LAT <= seen.lat <= MAX_LAT and -180 <= seen.lon <= 180):
        raise ValueError(f"position out of range: {seen.lat}, {seen.lon}")
    if seen.seen_at.utcoffset() is None:
        raise ValueError("seen_at must be timezone-aware")
    if seen.seen_at.tzinfo is not UTC or type(seen.role) is not str:
        seen = replace(seen, role=str(seen.role), seen_at=seen.seen_at.astimezone(UTC))
    return seen


def _check_query(lat: float, lon: float, radius_m: float) -> None:
    if not (-MAX_LAT <= lat <= MAX_LAT and -180 <= lon <= 180):
        raise ValueError(f"position out of range: {lat}, {lon}")
    if not 0 <= radius_m <= MAX_RADIUS_M:
        raise ValueError(f"radius must be 0 to {MAX_RADIUS_M:.0f} m, not {radius_m}")
