"""Nearest responders: the presence store against a naive geodesic scan over everyone.

Nearest 10 among 100,000 on-duty positions within 2 km: p50/p95 for each back end (in process,
the embedded default; Redis GEO, the scaled mode) against a naive geopy `geodesic` scan over all
positions in the same run. Target p95 <= 2 ms and >= 500x the naive scan.

Positions are uniform over 20 x 20 km around 33.38 N, 120.16 E, roles mixed (70% volunteers,
20% guards, 10% grid workers); queries from uniform random points of the same square. Both
stores are bulk loaded (Redis through pipelined MULTI transactions). The naive scan (geopy's
`geodesic(a, b).meters` over all 100,000, then the 10 nearest within 2 km) runs on the first
queries only, really over the whole population (3 queries; 1 with --quick), and the fast answers
of both back ends must equal its answer (same people, same order, distances within 1 mm).
Also measured: queries asking for grid workers only (a tenth of everyone).
`--cell-sizes 50,100,...` instead sweeps the in-process grid's cell size (search alone, CPU
time) at 100,000, 10,000 and 2,000 positions.
Last line, JSON: `p50_ms`, `p95_ms`, `naive_ms`, `speedup` (naive_ms / p50_ms) for the default
back end, `redis_p50_ms`, `redis_p95_ms`, `redis_speedup`, and per back end (`backends`, with
this thread's CPU time per query as `cpu_p50_ms`/`cpu_p95_ms`: on a busy machine the wall-clock
p95 mostly measures waiting for a core).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
from geopy.distance import geodesic

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from realtime import presence_grid as presence  # noqa: E402 - `sweep` patches its exact step
from realtime.presence import Nearby, PresenceStore, Seen  # noqa: E402
from realtime.presence_grid import CELL_M, InProcessPresence  # noqa: E402
from realtime.presence_redis import RedisPresence  # noqa: E402

CENTER_LAT, CENTER_LON = 33.38, 120.16
HALF_SIDE_M = 10_000.0
RADIUS_M, LIMIT = 2_000.0, 10
ROLES = ("volunteer",) * 7 + ("guard",) * 2 + ("grid_worker",)
REDIS_URL = os.environ.get("WANJIA_BENCH_REDIS", "redis://127.0.0.1:6379/0")
DLAT = HALF_SIDE_M / 110_900.0  # metres per degree at 33.38 N: 110,900 north, 93,060 east
DLON = HALF_SIDE_M / 93_060.0


def positions(count: int, rng: random.Random) -> list[Seen]:
    now = datetime.now(UTC)
    return [
        Seen(
            i,
            rng.choice(ROLES),
            CENTER_LAT + rng.uniform(-DLAT, DLAT),
            CENTER_LON + rng.uniform(-DLON, DLON),
            rng.uniform(5, 30),
            now - timedelta(seconds=rng.uniform(0, 60)),
        )
        for i in range(1, count + 1)
    ]


def points(count: int, rng: random.Random) -> list[tuple[float, float]]:
    return [
        (CENTER_LAT + rng.uniform(-DLAT, DLAT), CENTER_LON + rng.uniform(-DLON, DLON))
        for _ in range(count)
    ]


def naive(people: list[Seen], lat: float, lon: float, roles: set[str] | None = None) -> list:
    found = []
    for p in people:
        d = geodesic((lat, lon), (p.lat, p.lon)).meters
        if d <= RADIUS_M and (roles is None or p.role in roles):
            found.append((d, p.user_id))
    return sorted(found)[:LIMIT]


def pct(ms: list[float], q: float) -> float:
    ordered = sorted(ms)
    return round(ordered[int(q * (len(ordered) - 1))], 3)


def timed(
    search: Callable[..., list[Nearby]],
    queries: list[tuple[float, float]],
    clock: Callable[[], float] = time.perf_counter,
    **kwargs: object,
) -> dict:
    """Per query: time on ``clock`` (wall by default) and this thread's CPU time (which a busy
    machine disturbs less; for Redis it leaves out the server's share)."""
    for lat, lon in queries[:20]:  # warm up
        search(lat, lon, radius_m=RADIUS_M, limit=LIMIT, **kwargs)
    ms, cpu, sizes = [], [], []
    for lat, lon in queries:
        start, start_cpu = clock(), time.thread_time()
        found = search(lat, lon, radius_m=RADIUS_M, limit=LIMIT, **kwargs)
        ms.append((clock() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
        sizes.append(len(found))
    return {
        "p50_ms": pct(ms, 0.5),
        "p95_ms": pct(ms, 0.95),
        "mean_ms": round(statistics.mean(ms), 3),
        "max_ms": round(max(ms), 3),
        "cpu_p50_ms": pct(cpu, 0.5),
        "cpu_p95_ms": pct(cpu, 0.95),
        "queries": len(ms),
        "mean_found": statistics.mean(sizes),
    }


def same(fast: list[Nearby], slow: list) -> bool:
    return [n.user_id for n in fast] == [u for _d, u in slow] and all(
        abs(n.distance_m - d) < 1e-3 for n, (d, _u) in zip(fast, slow, strict=True)
    )


def sweep(sizes: list[float], queries: int, seed: int) -> None:
    """In-process search time per cell size, at three densities. The exact-distance step (the
    same ten or so geodesics whatever the cell size, about 0.5 ms) is left out here, and time is
    this thread's CPU time, so that other work on the machine does not blur the comparison."""
    exact = presence._finish
    presence._finish = lambda _q, found, _radius, _limit: found
    try:
        for count in (100_000, 10_000, 2_000):
            rng = random.Random(seed)
            people, asked = positions(count, rng), points(queries, rng)
            for cell in sizes:
                store = InProcessPresence(cell_m=cell, ref_lat=CENTER_LAT)
                store.update_many(people)
                figures = timed(store.nearest, asked, clock=time.thread_time)
                print(
                    f"{count:>7} positions  cell {cell:>4.0f} m  search alone: "
                    f"p50 {figures['p50_ms']:.3f} ms  p95 {figures['p95_ms']:.3f} ms  "
                    f"mean {figures['mean_ms']:.3f} ms"
                )
    finally:
        presence._finish = exact


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="300 queries per back end, 1 naive scan (instead of 3,000 and 3)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--cell-sizes", help="comma-separated metres: sweep the grid cell size")
    args = parser.parse_args()
    queries, scans = (300, 1) if args.quick else (3_000, 3)
    if args.cell_sizes:
        sweep([float(c) for c in args.cell_sizes.split(",")], queries, args.seed)
        return

    rng = random.Random(args.seed)
    people = positions(100_000, rng)
    asked = points(queries, rng)
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        sys.exit(f"Redis is not reachable at {REDIS_URL}: {exc}")
    prefix = f"bench:nearest:{uuid.uuid4().hex[:8]}"
    stores: dict[str, PresenceStore] = {
        "in_process": InProcessPresence(),
        "redis": RedisPresence(client, prefix),
    }
    results: dict[str, dict] = {}
    try:
        for name, store in stores.items():
            start = time.perf_counter()
            store.update_many(people)
            load_s = time.perf_counter() - start
            results[name] = timed(store.nearest, asked)
            results[name]["load_s"] = round(load_s, 2)
            results[name]["grid_workers_only"] = timed(
                store.nearest, asked[: queries // 3], roles={"grid_worker"}
            )
        naive_ms, naive_cpu_ms, verified = [], [], True
        for lat, lon in asked[:scans]:
            start, start_cpu = time.perf_counter(), time.thread_time()
            slow = naive(people, lat, lon)
            naive_ms.append((time.perf_counter() - start) * 1000)
            naive_cpu_ms.append((time.thread_time() - start_cpu) * 1000)
            for name, store in stores.items():
                if not same(store.nearest(lat, lon, radius_m=RADIUS_M, limit=LIMIT), slow):
                    print(f"MISMATCH {name} at {lat}, {lon}")
                    verified = False
    finally:
        stores["redis"].clear()
        client.close()
    naive_median = statistics.median(naive_ms)
    for name, figures in results.items():
        figures["speedup"] = round(naive_median / figures["p50_ms"])
        print(f"{name:<10} {figures}")
    print(
        f"naive      {len(naive_ms)} full scans of 100,000, ms: {[round(m) for m in naive_ms]}"
        f" (CPU {[round(m) for m in naive_cpu_ms]})"
    )
    out = {
        "positions": 100_000,
        "radius_m": RADIUS_M,
        "limit": LIMIT,
        "cell_m": CELL_M,
        "p50_ms": results["in_process"]["p50_ms"],
        "p95_ms": results["in_process"]["p95_ms"],
        "naive_ms": round(naive_median),
        "speedup": results["in_process"]["speedup"],
        "redis_p50_ms": results["redis"]["p50_ms"],
        "redis_p95_ms": results["redis"]["p95_ms"],
        "redis_speedup": results["redis"]["speedup"],
        "naive_cpu_ms": round(statistics.median(naive_cpu_ms)),
        "naive_scans": len(naive_ms),
        "verified": verified,
        "backends": results,
    }
    print(json.dumps(out))
    if not verified:
        sys.exit(1)


if __name__ == "__main__":
    main()
