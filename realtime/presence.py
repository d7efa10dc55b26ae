"""Live positions of on-duty people and the nearest-responder search.

One interface, two back ends chosen by configuration (DESIGN.md, "Two modes"): `InProcessPresence`
(embedded: a spatial hash grid in this process) and `RedisPresence` (scaled: Redis GEO, shared by
every server process). Only each person's latest position is kept (DESIGN.md, "Privacy").

Distances. Candidates are ranked with a local metric: flat earth around the query point with the
WGS-84 radii of curvature there, corrected to first order in latitude. Its error is about
0.05 (d / 6,371 km)^2 / cos^2(lat) of the distance d (measured: 6e-9 at 2 km, 4e-6 at 50 km, at
33 N). Every candidate that could rank among the answers within that error is then measured with
geopy's `geodesic`, so the answer (people, order, distances) is that of a geodesic scan over
everyone. Refused: latitudes beyond +-85.05 (Redis GEO's limit) and radii over 500 km; longitudes
do not wrap at 180.
"""

from __future__ import annotations

import heapq
import json
import math
import threading
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

import redis
from geopy.distance import geodesic

from app.roles import ALL_ROLES

if TYPE_CHECKING:
    from flask import Flask

# Grid cell side. `bench/nearest.py --cell-sizes` (search alone, CPU time, 20 x 20 km): p50
# 0.06-0.09 ms at 150 m for 100,000, 10,000 and 2,000 people, within 2x of the best size for
# each (100 m dense, 300 m sparse); the ~10 exact geodesics after the search cost ~0.5 ms.
CELL_M = 150.0
MAX_LAT = 85.05112878  # Redis GEO's limit, kept by both back ends so they behave the same
MAX_RADIUS_M = 500_000.0  # the local metric's error bound is measured up to here
_A, _F = 6378137.0, 1 / 298.257223563  # WGS-84
_E2 = _F * (2 - _F)
_RAD = math.pi / 180
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SHIFT = 1 << 32  # cell key = row * _SHIFT + column
_GEODESIC = geodesic()  # one instance: geopy then builds its geodesic solver once, not per call


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


def geodesic_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geopy's WGS-84 geodesic in metres (equal to ``geodesic(a, b).meters``, 35% cheaper)."""
    return _GEODESIC.measure((lat1, lon1), (lat2, lon2)) * 1000.0


class _Metric:
    """Approximate metres from one query point: the local metric of the module docstring."""

    def __init__(self, lat: float, lon: float) -> None:
        s, c = math.sin(lat * _RAD), math.cos(lat * _RAD)
        w = 1 - _E2 * s * s
        m, n = _A * (1 - _E2) / w**1.5, _A / math.sqrt(w)
        self.lat, self.lon = lat, lon
        self.ky, self.ky1 = m * _RAD, 1.5 * _E2 * s * c / w * _RAD  # per degree of latitude
        self.kx, self.kx1 = n * c * _RAD, m * s * _RAD * _RAD / 2  # per degree of longitude
        self._big = 0.2 / (6.371e6 * c) ** 2  # twice the measured error coefficient

    def dist(self, lat: float, lon: float) -> float:
        dy = lat - self.lat
        return math.hypot(
            self.ky * (1 + self.ky1 * dy) * dy, (self.kx - self.kx1 * dy) * (lon - self.lon)
        )

    def tol(self, d: float) -> float:
        """A bound on |metric - geodesic| at distance ``d``."""
        return 0.05 + d * (1e-6 + self._big * d * d)

    def band(self, d: float) -> float:
        """Metric distance below which someone may be geodesically as near as one at ``d``."""
        return d + 2 * self.tol(d)


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


def _finish(
    q: _Metric, found: list[tuple[float, Seen]], radius_m: float, limit: int
) -> list[Nearby]:
    """Exact geodesic distances for the few candidates left; the nearest ``limit`` in range."""
    out = []
    for _d, s in found:
        g = geodesic_m(q.lat, q.lon, s.lat, s.lon)
        if g <= radius_m:
            out.append(Nearby(s.user_id, s.role, g, s.lat, s.lon, s.seen_at))
    out.sort(key=lambda n: (n.distance_m, n.user_id))
    return out[:limit]


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
            stop, heap, found = reach, [], []
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


_HAV = 0.0065  # Redis GEO's haversine (radius 6,372,797.56 m) is within 0.6% of the geodesic
_START_M = 250.0  # first GEOSEARCH radius: Redis sorts everyone inside it, so start small
# Removes everyone last seen before ARGV[1] in one step, so a position arriving meanwhile is
# never lost (with WATCH, a busy `seen` set would make the sweep retry without end).
_EXPIRE = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
for i = 1, #ids, 1000 do
  local chunk = {unpack(ids, i, math.min(i + 999, #ids))}
  redis.call('HDEL', KEYS[2], unpack(chunk))
  for k = 1, #KEYS do
    if k ~= 2 then redis.call('ZREM', KEYS[k], unpack(chunk)) end
  end
end
return ids
"""


def _micros(at: datetime) -> int:
    return (at - _EPOCH) // timedelta(microseconds=1)


def _dump(s: Seen) -> str:
    return json.dumps(
        {
            "role": s.role,
            "lat": s.lat,
            "lon": s.lon,
            "accuracy_m": s.accuracy_m,
            "seen_at": s.seen_at.isoformat(),
        },
        separators=(",", ":"),
    )


def _load(user_id: int, raw: str | bytes) -> Seen:
    d = json.loads(raw)
    return Seen(
        user_id,
        d["role"],
        d["lat"],
        d["lon"],
        d["accuracy_m"],
        datetime.fromisoformat(d["seen_at"]),
    )


class RedisPresence:
    """Scaled back end, shared by every process: Redis GEO.

    Keys: ``{prefix}:geo:{role}`` (GEOADD, one per role, so a role filter is a choice of keys),
    ``{prefix}:info`` (hash user id -> JSON of the latest position) and ``{prefix}:seen`` (sorted
    set user id -> microseconds since the epoch, for `expire`). Writes are MULTI transactions.
    """

    def __init__(
        self,
        client: redis.Redis,
        prefix: str = "wanjia:presence",
        *,
        roles: Collection[str] = ALL_ROLES,
    ) -> None:
        self._r = client
        self._roles = frozenset(str(r) for r in roles)
        self._info, self._seen = f"{prefix}:info", f"{prefix}:seen"
        self._geo = {role: f"{prefix}:geo:{role}" for role in sorted(self._roles)}
        self._expire = client.register_script(_EXPIRE)

    def update(self, seen: Seen) -> None:
        """Record ``seen`` as this person's position, replacing any earlier one (any role)."""
        self.update_many([seen])

    def update_many(self, seens: Iterable[Seen]) -> None:
        """`update` for many people: one transaction per 2,000 people (bulk loads)."""
        latest = {s.user_id: s for s in (_checked(s, self._roles) for s in seens)}
        people = list(latest.values())
        for i in range(0, len(people), 2000):
            chunk = people[i : i + 2000]
            with self._r.pipeline(transaction=True) as p:
                for role, key in self._geo.items():
                    others = [s.user_id for s in chunk if s.role != role]
                    mine = [v for s in chunk if s.role == role for v in (s.lon, s.lat, s.user_id)]
                    if others:
                        p.zrem(key, *others)  # a person moved to another role leaves this key
                    if mine:
                        p.geoadd(key, mine)
                p.hset(self._info, mapping={s.user_id: _dump(s) for s in chunk})
                p.zadd(self._seen, {str(s.user_id): _micros(s.seen_at) for s in chunk})
                p.execute()

    def remove(self, user_id: int) -> None:
        """Forget this person's position (off duty, logged out, consent withdrawn)."""
        with self._r.pipeline(transaction=True) as p:
            for key in self._geo.values():
                p.zrem(key, user_id)
            p.hdel(self._info, user_id)
            p.zrem(self._seen, user_id)
            p.execute()

    def get(self, user_id: int) -> Seen | None:
        raw = self._r.hget(self._info, user_id)
        return None if raw is None else _load(user_id, raw)

    def all(self) -> list[Seen]:
        return sorted(
            (_load(int(u), raw) for u, raw in self._r.hgetall(self._info).items()),
            key=lambda s: s.user_id,
        )

    def expire(self, older_than: datetime) -> list[int]:
        """Remove and return everyone last seen before ``older_than`` (lost connections)."""
        keys = [self._seen, self._info, *self._geo.values()]
        return sorted(int(u) for u in self._expire(keys=keys, args=[_micros(older_than)]))

    def clear(self) -> None:
        self._r.delete(self._info, self._seen, *self._geo.values())

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
        """See `PresenceStore.nearest`. GEOSEARCH in a small radius first (Redis sorts everyone
        inside it), widened x4 or with a larger COUNT only while someone nearer than the
        answer might still be missing."""
        _check_query(lat, lon, radius_m)
        wanted = self._roles if roles is None else self._roles & {str(r) for r in roles}
        if limit <= 0 or not wanted:
            return []
        keys = [self._geo[r] for r in sorted(wanted)]
        skip = frozenset(exclude)
        q = _Metric(lat, lon)
        reach = radius_m + q.tol(radius_m)
        far = reach * (1 + _HAV) + 1.0
        r, n = min(_START_M, far), limit + len(skip) + 5
        cache: dict[int, Seen | None] = {}
        while True:
            with self._r.pipeline(transaction=False) as p:
                for key in keys:
                    p.geosearch(
                        key,
                        longitude=lon,
                        latitude=lat,
                        radius=r,
                        unit="m",
                        sort="ASC",
                        count=n,
                        withdist=True,
                    )
                replies = p.execute()
            known, full = r, False  # Redis distance within which nobody can be missing
            pool: dict[int, float] = {}  # user id -> Redis distance
            for reply in replies:
                if len(reply) >= n:
                    full, known = True, min(known, reply[-1][1])
                pool.update((int(member), d) for member, d in reply)
            order = sorted(pool.keys() - skip, key=pool.__getitem__)
            # Positions of the nearest few first; then of anyone else Redis puts close enough
            # to matter (the band of the last answer, or everyone if filters removed some).
            self._fetch(order[: limit + 2], cache)
            found, need = self._rank(q, order, cache, wanted, seen_after, limit, reach)
            extra = [u for u in order[limit + 2 :] if pool[u] <= need]
            if extra:
                self._fetch(extra, cache)
                found, need = self._rank(q, order, cache, wanted, seen_after, limit, reach)
            if (not full and r >= far) or need < known:
                return _finish(q, found, radius_m, limit)
            if full:
                n *= 4
            else:
                r = min(r * 4, far)

    @staticmethod
    def _rank(
        q: _Metric,
        order: list[int],
        cache: dict[int, Seen | None],
        wanted: frozenset[str],
        seen_after: datetime | None,
        limit: int,
        reach: float,
    ) -> tuple[list[tuple[float, Seen]], float]:
        """Candidates so far that pass the filters, cut at the band of the ``limit``-th, and the
        Redis distance within which everyone must have been looked at for them to be final."""
        found = []
        for user_id in order:
            s = cache.get(user_id)
            if (
                s is None
                or s.role not in wanted
                or (seen_after is not None and s.seen_at < seen_after)
            ):
                continue
            d = q.dist(s.lat, s.lon)
            if d <= reach:
                found.append((d, s))
        found.sort(key=lambda f: f[0])
        stop = reach if len(found) < limit else min(reach, q.band(found[limit - 1][0]))
        need = (stop + q.tol(stop)) * (1 + _HAV) + 1.0  # 1 m for Redis's 52-bit geohashes
        return [f for f in found if f[0] <= stop], need

    def _fetch(self, ids: list[int], cache: dict[int, Seen | None]) -> None:
        ids = [u for u in ids if u not in cache]
        if ids:
            raws = self._r.hmget(self._info, ids)
            for user_id, raw in zip(ids, raws, strict=True):
                cache[user_id] = None if raw is None else _load(user_id, raw)


_create_lock = threading.Lock()


def presence_for(app: Flask) -> PresenceStore:
    """The app's presence store, made once per app and kept in ``app.extensions["presence"]``:
    Redis GEO when the app has ``REDIS_URL`` (every process sees the same people; keys under
    ``PRESENCE_REDIS_PREFIX``, default ``wanjia:presence``), else in this process."""
    store = app.extensions.get("presence")
    if store is None:
        with _create_lock:
            store = app.extensions.get("presence")
            if store is None:
                url = app.config.get("REDIS_URL")
                prefix = app.config.get("PRESENCE_REDIS_PREFIX", "wanjia:presence")
                store = (
                    RedisPresence(redis.Redis.from_url(url), prefix) if url else InProcessPresence()
                )
                app.extensions["presence"] = store
    return store
