"""Scaled presence back end: Redis GEO, shared by every server process (DESIGN.md, "Two modes")."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime, timedelta
from typing import cast

import redis
from redis.exceptions import LockError

from app.roles import ALL_ROLES
from realtime.presence import Nearby, Seen, _check_query, _checked
from realtime.presence_distance import _finish, _Metric

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
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_RELOAD_LOCK_S = 60  # a process killed while reloading holds the lock no longer than this
_RELOAD_WAIT_S = 10  # how long another process waits for that reload before going on without

log = logging.getLogger(__name__)


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

    Redis may lose everything while the processes run (a restart without persistence, a flush).
    Given ``reload``, the store notices: ``{prefix}:loaded`` marks data that was loaded, and
    when it is missing the first reader, under the lock ``{prefix}:reloading`` so that several
    processes do not all do it, calls ``reload`` (which puts the saved positions back through
    another store on the same keys, without ``reload``) and sets the mark again.
    """

    def __init__(
        self,
        client: redis.Redis,
        prefix: str = "wanjia:presence",
        *,
        roles: Collection[str] = ALL_ROLES,
        reload: Callable[[], object] | None = None,
    ) -> None:
        self._r = client
        self._roles = frozenset(str(r) for r in roles)
        self._info, self._seen = f"{prefix}:info", f"{prefix}:seen"
        self._geo = {role: f"{prefix}:geo:{role}" for role in sorted(self._roles)}
        self._expire = client.register_script(_EXPIRE)
        self._reload = reload
        self._loaded, self._reloading = f"{prefix}:loaded", f"{prefix}:reloading"

    def reload_if_lost(self) -> bool:
        """Call ``reload`` once if Redis lost this store's data (no mark); say whether this
        process did. One EXISTS when nothing was lost: every read checks."""
        if self._reload is None or self._r.exists(self._loaded):
            return False
        try:
            with self._r.lock(
                self._reloading, timeout=_RELOAD_LOCK_S, blocking_timeout=_RELOAD_WAIT_S
            ):
                if self._r.exists(self._loaded):
                    return False  # another process reloaded while this one waited
                self._reload()
                self._r.set(self._loaded, datetime.now(UTC).isoformat())
                return True
        except LockError:
            log.warning("presence: another process is still reloading; going on without")
            return False

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
            p.hdel(self._info, str(user_id))
            p.zrem(self._seen, user_id)
            p.execute()

    def get(self, user_id: int) -> Seen | None:
        """One round trip, the load mark's check included (`get_many`)."""
        return self.get_many([user_id]).get(user_id)

    def get_many(self, user_ids: Iterable[int]) -> dict[int, Seen]:
        """One round trip for everyone: the load mark's check rides in the same pipeline, and
        only when the mark is missing does it reload (or wait for another process's reload)
        and read again."""
        ids = list(dict.fromkeys(user_ids))
        if not ids:
            return {}
        with self._r.pipeline(transaction=False) as p:
            p.exists(self._loaded)
            p.hmget(self._info, ids)
            loaded, raws = p.execute()
        if not loaded and self._reload is not None:
            self.reload_if_lost()
            raws = cast("list[str | None]", self._r.hmget(self._info, ids))
        return {u: _load(u, raw) for u, raw in zip(ids, raws, strict=True) if raw is not None}

    def all(self) -> list[Seen]:
        self.reload_if_lost()
        info = cast("dict[str, str]", self._r.hgetall(self._info))
        return sorted((_load(int(u), raw) for u, raw in info.items()), key=lambda s: s.user_id)

    def expire(self, older_than: datetime) -> list[int]:
        """Remove and return everyone last seen before ``older_than`` (lost connections)."""
        keys = [self._seen, self._info, *self._geo.values()]
        return sorted(int(u) for u in self._expire(keys=keys, args=[_micros(older_than)]))

    def clear(self) -> None:
        """Delete every key of the store, the load mark too (as if Redis lost them)."""
        self._r.delete(self._info, self._seen, self._loaded, *self._geo.values())

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
        self.reload_if_lost()
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
            raws = cast("list[str | None]", self._r.hmget(self._info, ids))
            for user_id, raw in zip(ids, raws, strict=True):
                cache[user_id] = None if raw is None else _load(user_id, raw)
