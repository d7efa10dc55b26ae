"""Embedded presence back end: a spatial hash grid in this process (DESIGN.md, "Two modes")."""

from __future__ import annotations

import heapq
import math
import threading
from collections.abc import Collection, Iterable, Iterator
from datetime import datetime

from app.roles import ALL_ROLES
from realtime.presence import Nearby, Seen, _check_query, _checked
from realtime.presence_distance import _finish, _Metric

# Grid cell side. `bench/nearest.py --cell-sizes` (search alone, CPU time, 20 x 20 km): p50
# 0.06-0.09 ms at 150 m for 100,000, 10,000 and 2,000 people, within 2x of the best size for
# each (100 m dense, 300 m sparse); the ~10 exact geodesics after the search cost ~0.5 ms.
CELL_M = 150.0
_SHIFT = 1 << 32  # cell key = row * _SHIFT + column


class InProcessPresence:
    """Embedded back end: a spatial hash grid (dict cell -> people) under one lock.

    Cells are fixed boxes in degrees, ``cell_m`` metres square at the reference latitude (the
    constructor's or the first position's); away from it they are narrower or wider (0.2% at
    20 km north or south, at 33 N). That changes only how many cells a search visits: its
    stopping rule uses each query's own metres per degree, so answers stay exact anywhere.
    """

    def __init__(
        self,
        *,
        cell_m: float = CELL_M,
        ref_lat: float | None = None,
        roles: Collection[str] = ALL_ROLES,
    ) -> None:
        self._lock = threading.Lock()
        self._cell_m, self._ref_lat = cell_m, ref_lat
        self._roles = frozenset(str(r) for r in roles)
        self._people: dict[int, tuple[int, Seen]] = {}  # user id -> (cell key, latest position)
        self._cells: dict[int, dict[int, Seen]] = {}
        self._dlat = self._dlon = 0.0

    def _key(self, lat: float, lon: float) -> int:
        return math.floor(lat / self._dlat) * _SHIFT + math.floor(lon / self._dlon)

    def _put(self, seen: Seen) -> None:
        if not self._dlat:
            m = _Metric(seen.lat if self._ref_lat is None else self._ref_lat, 0.0)
            self._dlat, self._dlon = self._cell_m / m.ky, self._cell_m / m.kx
        key = self._key(seen.lat, seen.lon)
        old = self._people.get(seen.user_id)
        if old is not None and old[0] != key:
            self._drop(old[0], seen.user_id)
        self._cells.setdefault(key, {})[seen.user_id] = seen
        self._people[seen.user_id] = (key, seen)

    def _drop(self, key: int, user_id: int) -> None:
        cell = self._cells[key]
        del cell[user_id]
        if not cell:
            del self._cells[key]

    def update(self, seen: Seen) -> None:
        """Record ``seen`` as this person's position, replacing any earlier one."""
        seen = _checked(seen, self._roles)
        with self._lock:
            self._put(seen)

    def update_many(self, seens: Iterable[Seen]) -> None:
        """`update` for many people at once (bulk loads)."""
        checked = [_checked(s, self._roles) for s in seens]
        with self._lock:
            for seen in checked:
                self._put(seen)

    def remove(self, user_id: int) -> None:
        """Forget this person's position (off duty, logged out, consent withdrawn)."""
        with self._lock:
            old = self._people.pop(user_id, None)
            if old is not None:
                self._drop(old[0], user_id)

    def get(self, user_id: int) -> Seen | None:
        with self._lock:
            found = self._people.get(user_id)
        return None if found is None else found[1]

    def get_many(self, user_ids: Iterable[int]) -> dict[int, Seen]:
        with self._lock:
            found = [self._people.get(u) for u in user_ids]
        return {f[1].user_id: f[1] for f in found if f is not None}

    def all(self) -> list[Seen]:
        with self._lock:
            return sorted((s for _k, s in self._people.values()), key=lambda s: s.user_id)

    def expire(self, older_than: datetime) -> list[int]:
        """Remove and return everyone last seen before ``older_than`` (lost connections)."""
        with self._lock:
            gone = sorted(u for u, (_k, s) in self._people.items() if s.seen_at < older_than)
            for user_id in gone:
                self._drop(self._people.pop(user_id)[0], user_id)
        return gone

    def clear(self) -> None:
        with self._lock:
            self._people.clear()
            self._cells.clear()
            self._dlat = self._dlon = 0.0

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
        """See `PresenceStore.nearest`: rings of cells outward from the query, stopping once
        the next ring cannot hold anyone nearer than the ``limit``-th found (or the radius)."""
        _check_query(lat, lon, radius_m)
        if limit <= 0:
            return []
        wanted = None if roles is None else frozenset(str(r) for r in roles)
        skip = frozenset(exclude)
        q = _Metric(lat, lon)
        reach = radius_m + q.tol(radius_m)
        with self._lock:
            if not self._people:
                return []
            stop = reach
            heap: list[float] = []  # the limit nearest distances so far, negated
            found: list[tuple[float, Seen]] = []
            for bound, keys in self._batches(q, reach):
                if bound > stop:
                    break
                for key in keys:
                    for user_id, s in self._cells.get(key, {}).items():
                        if (
                            (wanted is not None and s.role not in wanted)
                            or user_id in skip
                            or (seen_after is not None and s.seen_at < seen_after)
                        ):
                            continue
                        d = q.dist(s.lat, s.lon)
                        if d > stop:
                            continue
                        found.append((d, s))
                        if len(heap) < limit:
                            heapq.heappush(heap, -d)
                        elif d < -heap[0]:
                            heapq.heapreplace(heap, -d)
                        if len(heap) == limit:
                            stop = min(reach, q.band(-heap[0]))
        return _finish(q, [f for f in found if f[0] <= stop], radius_m, limit)

    def _batches(self, q: _Metric, reach: float) -> Iterator[tuple[float, list[int]]]:
        """Cells to visit, in batches with a lower bound on the metric distance of anyone in
        them, bounds ascending: rings of cells outward from the query's cell, or (when few
        cells are occupied and the radius is wide) the occupied cells sorted by their bound."""
        reach_deg = 1.01 * reach / q.ky + self._dlat
        hy = q.ky * (1 - abs(q.ky1) * reach_deg) * self._dlat  # smallest cell height, metres
        hx = (q.kx - abs(q.kx1) * reach_deg) * self._dlon  # smallest cell width, metres
        fy, fx = q.lat / self._dlat, q.lon / self._dlon
        cy, cx = math.floor(fy), math.floor(fx)
        fy, fx = fy - cy, fx - cx
        rings = int(reach / min(hx, hy)) + 2
        if 4 * len(self._cells) < (2 * rings + 1) ** 2:
            bounds = []
            for key in self._cells:
                y = (key + _SHIFT // 2) // _SHIFT
                gy = max(y - cy - fy, cy - y - 1 + fy, 0.0)
                gx = max(key - y * _SHIFT - cx - fx, cx - (key - y * _SHIFT) - 1 + fx, 0.0)
                bounds.append((math.hypot(gy * hy, gx * hx), key))
            bounds.sort()
            for bound, key in bounds:
                yield bound, [key]
            return
        ey, ex = min(fy, 1 - fy), min(fx, 1 - fx)
        yield 0.0, [cy * _SHIFT + cx]
        for k in range(1, rings + 1):
            columns = range(cx - k, cx + k + 1)
            keys = [(cy + k) * _SHIFT + x for x in columns]
            keys += [(cy - k) * _SHIFT + x for x in columns]
            for y in range(cy - k + 1, cy + k):
                keys += (y * _SHIFT + cx - k, y * _SHIFT + cx + k)
            yield min((k - 1 + ey) * hy, (k - 1 + ex) * hx), keys
