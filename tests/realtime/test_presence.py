"""Presence store: the same behaviour from the in-process grid and from Redis GEO (a real Redis)."""

from __future__ import annotations

import os
import random
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
import redis
from geopy.distance import geodesic
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.roles import Role
from realtime.presence import Nearby, PresenceStore, Seen
from realtime.presence_backend import presence_for
from realtime.presence_distance import _Metric, geodesic_m
from realtime.presence_grid import InProcessPresence
from realtime.presence_redis import RedisPresence

REDIS_URL = os.environ.get("WANJIA_TEST_REDIS", "redis://127.0.0.1:6379/0")
LAT, LON = 33.38, 120.16
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
FIELD = ("volunteer", "guard", "grid_worker")
_GEO = geodesic()  # the oracle's own geopy instance (so its solver is built once)


def oracle_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return _GEO.measure((lat1, lon1), (lat2, lon2)) * 1000.0


def at(north_m: float, east_m: float) -> tuple[float, float]:
    """A point about this far north and east of (LAT, LON)."""
    return LAT + north_m / 110_913.0, LON + east_m / 93_047.0


def seen(
    user_id: int,
    north_m: float = 0.0,
    east_m: float = 0.0,
    *,
    role: str = "volunteer",
    ago_s: float = 0.0,
) -> Seen:
    lat, lon = at(north_m, east_m)
    return Seen(user_id, role, lat, lon, 10.0, NOW - timedelta(seconds=ago_s))


def brute(
    people: list[Seen],
    lat: float,
    lon: float,
    *,
    radius_m: float,
    limit: int,
    roles=None,
    exclude=(),
    seen_after=None,
) -> list[tuple[int, float]]:
    """The answer by a geodesic scan over everyone."""
    found = []
    for p in people:
        if (roles is not None and p.role not in roles) or p.user_id in exclude:
            continue
        if seen_after is not None and p.seen_at < seen_after:
            continue
        d = oracle_m(lat, lon, p.lat, p.lon)
        if d <= radius_m:
            found.append((d, p.user_id))
    return [(u, d) for d, u in sorted(found)[:limit]]


def assert_same(got: list[Nearby], expected: list[tuple[int, float]]) -> None:
    assert [n.user_id for n in got] == [u for u, _d in expected]
    for n, (_u, d) in zip(got, expected, strict=True):
        assert abs(n.distance_m - d) < 1.0
    assert [n.distance_m for n in got] == sorted(n.distance_m for n in got)


@pytest.fixture(scope="module")
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
        problem = ""
    except redis.RedisError as exc:
        problem = str(exc)
    if problem:
        pytest.fail(
            f"Redis is not reachable at {REDIS_URL} ({problem}). Start it as DESIGN.md says "
            "(or point WANJIA_TEST_REDIS at one); the scaled back end is never skipped.",
            pytrace=False,
        )
    yield client
    client.close()


def _make(kind: str, request: pytest.FixtureRequest) -> Iterator[PresenceStore]:
    if kind == "in_process":
        yield InProcessPresence()
        return
    client = request.getfixturevalue("redis_client")
    prefix = f"test:presence:{uuid.uuid4().hex}"
    yield RedisPresence(client, prefix)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture(params=["in_process", "redis"])
def store(request: pytest.FixtureRequest) -> Iterator[PresenceStore]:
    yield from _make(request.param, request)


def ids(found: list[Nearby]) -> list[int]:
    return [n.user_id for n in found]


def test_only_the_latest_position_of_a_person_is_kept(store):
    store.update(seen(1, 0, 0, ago_s=60))
    store.update(seen(1, 800, 0, ago_s=30))
    store.update(seen(1, 1500, 0, role="guard"))
    assert store.all() == [seen(1, 1500, 0, role="guard")]
    assert store.get(1) == seen(1, 1500, 0, role="guard")
    assert store.nearest(*at(0, 0), radius_m=1000, limit=10) == []
    [found] = store.nearest(*at(0, 0), radius_m=2000, limit=10)
    assert found.user_id == 1 and abs(found.distance_m - 1500) < 5
    assert found.seen_at == NOW and found.role == "guard"


def test_a_position_comes_back_exactly_as_stored(store):
    plus8 = timezone(timedelta(hours=8))
    store.update(
        Seen(
            7,
            Role.GUARD,
            33.123456789012345,
            120.98765432109876,
            12.5,
            datetime(2026, 5, 1, 20, 0, 0, 123456, tzinfo=plus8),
        )
    )
    got = store.get(7)
    assert got == Seen(
        7,
        "guard",
        33.123456789012345,
        120.98765432109876,
        12.5,
        datetime(2026, 5, 1, 12, 0, 0, 123456, tzinfo=UTC),
    )
    assert type(got.role) is str and got.seen_at.utcoffset() == timedelta(0)
    assert store.get(8) is None


def test_positions_that_cannot_be_stored_are_refused(store):
    with pytest.raises(ValueError, match="timezone"):
        store.update(Seen(1, "guard", LAT, LON, 5, datetime(2026, 5, 1, 12, 0)))
    with pytest.raises(ValueError, match="role"):
        store.update(Seen(1, "mayor", LAT, LON, 5, NOW))
    with pytest.raises(ValueError, match="range"):
        store.update(Seen(1, "guard", 86.0, LON, 5, NOW))
    with pytest.raises(ValueError):
        store.nearest(LAT, LON, radius_m=-1, limit=1)
    assert store.all() == []


def test_remove_forgets_a_person_and_nobody_else(store):
    store.update_many([seen(1, 10, 0), seen(2, 20, 0)])
    store.remove(1)
    store.remove(99)  # unknown: nothing happens
    assert store.get(1) is None
    assert [s.user_id for s in store.all()] == [2]
    assert ids(store.nearest(LAT, LON, radius_m=100, limit=10)) == [2]


def test_a_bulk_update_keeps_the_last_position_of_each_person(store):
    store.update_many([seen(1, 0, 0), seen(2, 50, 0), seen(1, 300, 0, role="guard")])
    assert store.get(1) == seen(1, 300, 0, role="guard")
    assert ids(store.nearest(LAT, LON, radius_m=1000, limit=5)) == [2, 1]


def test_get_many_gives_everyone_asked_for_who_is_on_the_map(store):
    store.update_many([seen(1, 10, 0), seen(2, 20, 0, role="guard"), seen(3, 30, 0)])
    store.remove(3)
    expected = {1: seen(1, 10, 0), 2: seen(2, 20, 0, role="guard")}
    assert store.get_many([2, 1, 3, 99, 2]) == expected
    assert store.get_many(iter([1])) == {1: seen(1, 10, 0)}
    assert store.get_many([]) == {}


class _CountingPool(redis.ConnectionPool):
    """The real connection pool, counting checkouts: one per command or pipeline sent."""

    checkouts = 0

    def get_connection(self, *args, **kwargs):
        self.checkouts += 1
        return super().get_connection(*args, **kwargs)


def test_get_many_is_one_round_trip_and_reloads_what_redis_lost(redis_client):
    pool = _CountingPool.from_url(REDIS_URL)
    client = redis.Redis(connection_pool=pool)
    prefix = f"test:presence:{uuid.uuid4().hex}"
    saved = [seen(u, 10 * u, 0) for u in range(1, 51)]
    plain = RedisPresence(client, prefix)
    store = RedisPresence(client, prefix, reload=lambda: plain.update_many(saved))
    try:
        assert store.reload_if_lost()
        pool.checkouts = 0
        assert store.get_many(range(1, 61)) == {s.user_id: s for s in saved}
        assert pool.checkouts == 1  # the load mark and all 60 positions together
        store.clear()  # as a Redis restart without persistence
        assert store.get_many([5, 6, 99]) == {5: saved[4], 6: saved[5]}
        assert redis_client.exists(f"{prefix}:loaded")
    finally:
        store.clear()
        client.close()


def test_the_role_filter_picks_only_those_roles(store):
    store.update_many(
        [
            seen(1, 10, 0, role="volunteer"),
            seen(2, 20, 0, role="guard"),
            seen(3, 30, 0, role="grid_worker"),
            seen(4, 40, 0, role="guard"),
        ]
    )
    near = {"radius_m": 500, "limit": 10}
    assert ids(store.nearest(LAT, LON, **near)) == [1, 2, 3, 4]
    assert ids(store.nearest(LAT, LON, roles=["guard"], **near)) == [2, 4]
    assert ids(store.nearest(LAT, LON, roles={Role.GRID_WORKER, "guard"}, **near)) == [2, 3, 4]
    assert store.nearest(LAT, LON, roles=[], **near) == []
    assert store.nearest(LAT, LON, roles=["officer"], **near) == []


def test_excluded_people_are_skipped_and_the_next_ones_taken(store):
    store.update_many([seen(i, 10 * i, 0) for i in range(1, 8)])
    assert ids(store.nearest(LAT, LON, radius_m=500, limit=3, exclude={1, 3})) == [2, 4, 5]


def test_seen_after_leaves_out_people_not_seen_since(store):
    store.update_many(
        [
            seen(1, 10, 0, ago_s=600),
            seen(2, 20, 0, ago_s=60),
            seen(3, 30, 0, ago_s=120),
            seen(4, 40, 0),
        ]
    )
    since = NOW - timedelta(seconds=120)  # at or after: 3 was seen exactly then
    assert ids(store.nearest(LAT, LON, radius_m=500, limit=10, seen_after=since)) == [2, 3, 4]


def test_nobody_beyond_the_radius_is_returned(store):
    store.update_many([seen(1, 0, 0), seen(2, 0, 999), seen(3, -1001, 0), seen(4, 0, 5000)])
    found = store.nearest(LAT, LON, radius_m=1000, limit=10)
    assert ids(found) == [1, 2] and all(n.distance_m <= 1000 for n in found)
    assert ids(store.nearest(LAT, LON, radius_m=0, limit=10)) == [1]
    assert ids(store.nearest(LAT, LON, radius_m=10_000, limit=10)) == [1, 2, 3, 4]
    assert store.nearest(LAT, LON, radius_m=10_000, limit=0) == []


def test_the_only_person_far_away_is_still_found(store):
    store.update(seen(1, 1900, 300))
    [found] = store.nearest(LAT, LON, radius_m=2000, limit=10)
    assert found.distance_m == pytest.approx(oracle_m(LAT, LON, *at(1900, 300)), abs=1e-6)


def test_filters_never_starve_the_answer(store):
    rng = random.Random(3)
    crowd = [seen(i, rng.uniform(-50, 50), rng.uniform(-50, 50)) for i in range(1, 301)]
    store.update_many([*crowd, seen(1000, 1500, 0, role="guard"), seen(1001, 0, 1700)])
    [guard] = store.nearest(LAT, LON, radius_m=2000, limit=10, roles=["guard"])
    assert guard.user_id == 1000
    asked = set(ids(store.nearest(LAT, LON, radius_m=2000, limit=300)))  # the whole crowd
    assert asked == {s.user_id for s in crowd}
    found = store.nearest(LAT, LON, radius_m=2000, limit=10, exclude=asked)
    assert ids(found) == [1000, 1001]
    assert_same(found, brute(store.all(), LAT, LON, radius_m=2000, limit=10, exclude=asked))


def test_expire_removes_and_returns_exactly_the_stale(store):
    store.update_many([seen(i, 10 * i, 0, ago_s=60 * i) for i in range(1, 9)])
    cutoff = NOW - timedelta(minutes=5)  # 5 was seen exactly then, so stays
    assert store.expire(cutoff) == [6, 7, 8]
    assert [s.user_id for s in store.all()] == [1, 2, 3, 4, 5]
    assert ids(store.nearest(LAT, LON, radius_m=1000, limit=10)) == [1, 2, 3, 4, 5]
    assert store.expire(cutoff) == []
    store.update(seen(6, 60, 0))  # back online
    assert store.expire(cutoff) == []
    assert store.get(6) is not None


def test_moving_to_another_role_leaves_the_old_one(store):
    store.update(seen(1, 100, 0, role="guard"))
    store.update(seen(1, 100, 0, role="grid_worker"))
    assert store.nearest(LAT, LON, radius_m=500, limit=5, roles=["guard"]) == []
    assert ids(store.nearest(LAT, LON, radius_m=500, limit=5, roles=["grid_worker"])) == [1]
    assert ids(store.nearest(LAT, LON, radius_m=500, limit=5)) == [1]
    if isinstance(store, RedisPresence):
        assert store._r.zscore(store._geo["guard"], 1) is None


def test_clear_forgets_everyone(store):
    store.update_many([seen(1), seen(2, 10, 0)])
    store.clear()
    assert store.all() == [] and store.nearest(LAT, LON, radius_m=100, limit=5) == []
    store.update(seen(3, 5000, 5000))  # the grid starts afresh around the new first position
    assert ids(store.nearest(*at(5000, 5000), radius_m=10, limit=5)) == [3]


# A town of 2,000 on duty: half spread over 12 x 12 km, half in five busy streets.
def _town() -> list[Seen]:
    rng = random.Random(2026)
    spots = [(rng.uniform(-5000, 5000), rng.uniform(-5000, 5000)) for _ in range(5)]
    people = []
    for i in range(1, 2001):
        if i % 2:
            north, east = rng.uniform(-6000, 6000), rng.uniform(-6000, 6000)
        else:
            sn, se = rng.choice(spots)
            north, east = sn + rng.gauss(0, 150), se + rng.gauss(0, 150)
        people.append(seen(i, north, east, role=rng.choice(FIELD), ago_s=rng.uniform(0, 600)))
    return people


TOWN = _town()


@pytest.fixture(scope="module", params=["in_process", "redis"])
def town(request: pytest.FixtureRequest) -> Iterator[PresenceStore]:
    for store in _make(request.param, request):
        store.update_many(TOWN)
        yield store
        store.clear()


@settings(max_examples=20, deadline=None)
@given(
    north=st.floats(-7000, 7000),
    east=st.floats(-7000, 7000),
    radius_m=st.sampled_from([0, 50, 300, 1000, 2000, 5000, 20_000]),
    limit=st.integers(1, 30),
    roles=st.none() | st.sets(st.sampled_from(FIELD), max_size=2),
    exclude=st.sets(st.integers(1, 2000), max_size=200),
    since_s=st.none() | st.floats(0, 600),
)
@example(north=0, east=0, radius_m=2000, limit=10, roles=None, exclude=set(), since_s=None)
@example(north=60_000, east=0, radius_m=20_000, limit=5, roles=None, exclude=set(), since_s=None)
def test_answers_equal_a_geodesic_scan_over_everyone(
    town, north, east, radius_m, limit, roles, exclude, since_s
):
    """Random queries from anywhere in and around the town: the same people, in the same order,
    at the same distances as geopy's geodesic measured to everyone."""
    lat, lon = at(north, east)
    seen_after = None if since_s is None else NOW - timedelta(seconds=since_s)
    query = {
        "radius_m": radius_m,
        "limit": limit,
        "roles": roles,
        "exclude": exclude,
        "seen_after": seen_after,
    }
    assert_same(town.nearest(lat, lon, **query), brute(TOWN, lat, lon, **query))


def test_the_answer_does_not_depend_on_the_cell_size():
    """Tiny cells (searched as the occupied cells sorted by distance) and huge ones (rings)
    answer alike, also when the grid's reference latitude is far from the queries."""
    stores = [InProcessPresence(cell_m=cell) for cell in (20, 150, 3000)]
    stores.append(InProcessPresence(ref_lat=60.0))
    for store in stores:
        store.update_many(TOWN)
    rng = random.Random(11)
    for _ in range(30):
        lat, lon = at(rng.uniform(-7000, 7000), rng.uniform(-7000, 7000))
        query = {"radius_m": rng.choice([100, 800, 3000, 15_000]), "limit": rng.randint(1, 20)}
        answers = [store.nearest(lat, lon, **query) for store in stores]
        assert all(a == answers[0] for a in answers)
    assert_same(answers[0], brute(TOWN, lat, lon, **query))


def test_far_and_wide_queries_equal_a_geodesic_scan(store):
    """Hundreds of kilometres, where the local metric is furthest from the geodesic."""
    rng = random.Random(8)
    people = [
        Seen(i, "guard", LAT + rng.uniform(-3, 3), LON + rng.uniform(-3, 3), 5, NOW)
        for i in range(1, 301)
    ]
    store.update_many(people)
    for lat, lon, radius in [
        (LAT, LON, 400_000),
        (LAT + 2.9, LON - 2.9, 250_000),
        (LAT, LON + 5, 300_000),
    ]:
        assert_same(
            store.nearest(lat, lon, radius_m=radius, limit=25),
            brute(people, lat, lon, radius_m=radius, limit=25),
        )


def test_concurrent_updates_and_queries_stay_consistent(store):
    """Writers move, add and remove people while a reader searches: no errors, every answer is
    well formed, and once the writers stop the answer equals a geodesic scan."""
    store.update_many(TOWN[:500])
    stop, errors = threading.Event(), []

    def write(seed: int) -> None:
        rng = random.Random(seed)
        try:
            while not stop.is_set():
                user_id = rng.randint(1, 500)
                if rng.random() < 0.1:
                    store.remove(user_id)
                else:
                    store.update(
                        seen(
                            user_id,
                            rng.uniform(-3000, 3000),
                            rng.uniform(-3000, 3000),
                            role=rng.choice(FIELD),
                        )
                    )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    writers = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    for thread in writers:
        thread.start()
    try:
        rng = random.Random(0)
        for _ in range(150):
            lat, lon = at(rng.uniform(-3000, 3000), rng.uniform(-3000, 3000))
            found = store.nearest(lat, lon, radius_m=1500, limit=10, roles=["guard", "volunteer"])
            assert len(found) <= 10 and len(set(ids(found))) == len(found)
            assert all(n.role in ("guard", "volunteer") and n.distance_m <= 1500 for n in found)
            assert [n.distance_m for n in found] == sorted(n.distance_m for n in found)
            for n in found:
                assert n.distance_m == geodesic_m(lat, lon, n.lat, n.lon)
    finally:
        stop.set()
        for thread in writers:
            thread.join()
    assert not errors
    everyone = store.all()
    assert len({s.user_id for s in everyone}) == len(everyone)
    assert_same(
        store.nearest(LAT, LON, radius_m=2000, limit=10),
        brute(everyone, LAT, LON, radius_m=2000, limit=10),
    )


def test_geodesic_m_is_geopys_geodesic():
    rng = random.Random(1)
    for _ in range(200):
        a = (rng.uniform(-80, 80), rng.uniform(-180, 180))
        b = (a[0] + rng.uniform(-1, 1), a[1] + rng.uniform(-1, 1))
        assert geodesic_m(*a, *b) == geodesic(a, b).meters


def test_the_local_metric_stays_within_its_stated_error():
    """The search relies on this bound to decide which candidates to measure exactly."""
    rng = random.Random(4)
    for _ in range(3000):
        lat, lon = rng.uniform(-80, 80), rng.uniform(-170, 170)
        d = 10 ** rng.uniform(0, 5.7)  # 1 m to 500 km
        far = geodesic(meters=d).destination((lat, lon), rng.uniform(0, 360))
        if abs(far.latitude) > 85 or abs(far.longitude - lon) > 180:
            continue  # beyond Redis GEO's latitudes, or across 180 E/W (not handled)
        metric = _Metric(lat, lon)
        exact = oracle_m(lat, lon, far.latitude, far.longitude)
        assert abs(metric.dist(far.latitude, far.longitude) - exact) <= metric.tol(exact)


def test_each_app_gets_one_store_of_the_configured_kind(app, redis_client):
    with app.app_context():  # as every caller is: a new store reads the saved positions
        store = presence_for(app)
        assert isinstance(store, InProcessPresence) and presence_for(app) is store
        del app.extensions["presence"]  # the same app, now configured for the scaled mode
        prefix = f"test:presence:{uuid.uuid4().hex}"
        app.config.update(REDIS_URL=REDIS_URL, PRESENCE_REDIS_PREFIX=prefix)
        store = presence_for(app)
        assert isinstance(store, RedisPresence) and presence_for(app) is store
    assert app.extensions["presence"] is store
    store.update(seen(1))
    try:
        assert redis_client.hexists(f"{prefix}:info", 1)
    finally:
        store.clear()
