"""How long the officer's day (officer_day.day.day_of) takes on a year of check-ins, with a
naive version for context.

Target (this 2-core machine, the embedded SQLite): p95 at most 100 ms for one police area of
500 patrol points in 20 grids, 5,000 people (2 % on duty) and 1,000,000 check-ins spread over
the past year, busier in the evening: about 2,700 a day, 95 % valid, 4 % refused, 0.9 %
held and rejected, 0.1 % held and waiting for an officer.

Naive baseline: the same figures as a first attempt would compute them, measured in the same
run on the same database: per grid its points, per point its last check-in and today's count,
per hour of today and yesterday a count, then the queue counts; about 1,100 small queries. It
shows what the grouped queries save; it is not a target.

Seeding writes the check-ins straight into the migrated SQLite file, sorted by time as a live
server would (a full run seeds in about half a minute; `--quick`, 100,000 check-ins, in a few
seconds, and the whole quick run takes well under a minute). The two versions must agree on
every figure, else the run is broken (exit status 1). The output ends with one JSON line:
`p50_ms`, `p95_ms`, `naive_p50_ms`, `naive_p95_ms`, `checkins`, `meets_target` and the run's
settings.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.uow import unit_of_work  # noqa: E402
from checkins import held  # noqa: E402
from checkins.models import VALID, CheckIn, PatrolPoint  # noqa: E402
from officer_day import queries  # noqa: E402
from officer_day.day import Day, day_of  # noqa: E402
from volunteers.areas import Areas  # noqa: E402
from volunteers.models import Community, Grid, PoliceArea, Station, User  # noqa: E402

TARGET_P95_MS = 100.0
GRIDS, POINTS_PER_GRID, PEOPLE = 20, 25, 5_000
CENTER_LAT, CENTER_LON = 33.38, 120.16
STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite
# Share of each local hour in a day's check-ins: quiet at night, busiest in the evening.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 6, 6, 5, 5, 5, 6, 5, 5, 5, 6, 8, 10, 12, 12, 10, 6, 3]


def seed(instance: Path, checkins: int, now: datetime, rng: random.Random) -> int:
    """Migrate a fresh database and fill one police area; returns the area's id."""
    app = create_app({"CELERY_EMBEDDED": False}, str(instance))
    logging.getLogger().setLevel(logging.WARNING)  # create_app turns INFO on
    with app.app_context():
        upgrade()
        with unit_of_work() as uow:
            area = PoliceArea(
                station=Station(name="压测派出所"),
                name="压测警务区",
                center_lat=CENTER_LAT,
                center_lon=CENTER_LON,
            )
            community = Community(police_area=area, name="压测社区")
            grids = [
                Grid(community=community, code=f"B{g:02d}", name=f"压测网格{g}")
                for g in range(GRIDS)
            ]
            uow.session.add_all([area, community, *grids])
            uow.session.flush()
            uow.session.execute(
                insert(PatrolPoint),
                [
                    {
                        "name": f"压测点{g.code}-{i}",
                        "lat": CENTER_LAT + g.id * 1e-3,
                        "lon": CENTER_LON + i * 1e-4,
                        "grid_id": g.id,
                    }
                    for g in grids
                    for i in range(POINTS_PER_GRID)
                ],
            )
            uow.session.execute(
                insert(User),
                [
                    {
                        "phone": f"136{i:08d}",
                        "name": f"压测{i}",
                        "password_hash": "-",
                        "role": "volunteer",
                        "community_id": community.id,
                        "grid_id": grids[i % GRIDS].id,
                        "on_duty": i % 50 == 0,
                    }
                    for i in range(PEOPLE)
                ],
            )
            area_id = area.id
            uow.commit()
        point_ids = list(db.session.scalars(select(PatrolPoint.id)))
        user_ids = list(db.session.scalars(select(User.id)))
        db.session.remove()
        db.engine.dispose()
    _insert_checkins(instance / "wanjia.db", checkins, now, point_ids, user_ids, rng)
    return area_id


def _insert_checkins(
    path: Path,
    count: int,
    now: datetime,
    point_ids: list[int],
    user_ids: list[int],
    rng: random.Random,
) -> None:
    """``count`` check-ins over the year before ``now``, in time order, in one transaction."""
    zone = ZoneInfo("Asia/Shanghai")
    today = now.astimezone(zone).date()
    moments = []
    for _ in range(count):
        day = today - timedelta(days=rng.randrange(365))
        hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
        local = datetime.combine(day, day_time(hour), tzinfo=zone) + timedelta(
            seconds=rng.randrange(3600)
        )
        moment = local.astimezone(UTC)
        moments.append(moment if moment <= now else moment - timedelta(days=1))
    moments.sort()
    rows = []
    for moment in moments:
        roll = rng.random()
        status = "valid" if roll < 0.95 else "refused" if roll < 0.99 else "rejected"
        if roll > 0.999:
            status = "held"  # a few still wait for an officer; most were decided long ago
        stamp = moment.strftime(STAMP)
        rows.append((rng.choice(user_ids), rng.choice(point_ids), status, stamp, stamp))
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO checkins (user_id, point_id, token, status, suspicious, server_time,"
            " observed_at, points) VALUES (?, ?, 'bench', ?, 0, ?, ?, 10)",
            rows,
        )


def naive_day(session: Any, area_id: int, now: datetime) -> dict[str, Any]:
    """The same figures as a first attempt computes them: queries in loops."""
    zone = ZoneInfo(session.get(PoliceArea, area_id).timezone)
    today = now.astimezone(zone).date()
    today_from = datetime.combine(today, day_time.min, tzinfo=zone)
    yesterday_from = today_from - timedelta(days=1)
    grids = session.scalars(
        select(Grid).join(Community).where(Community.police_area_id == area_id)
    ).all()
    checkins_today, patrolled = 0, 0
    for grid in grids:
        for point in session.scalars(select(PatrolPoint).where(PatrolPoint.grid_id == grid.id)):
            last = session.scalar(
                select(CheckIn.observed_at)
                .where(CheckIn.point_id == point.id, CheckIn.status == VALID)
                .order_by(CheckIn.observed_at.desc())
                .limit(1)
            )
            today_count = session.scalar(
                select(func.count()).where(
                    CheckIn.point_id == point.id,
                    CheckIn.status == VALID,
                    CheckIn.observed_at >= today_from,
                )
            )
            checkins_today += today_count
            patrolled += last is not None and last >= today_from
        session.scalar(select(func.count()).where(User.grid_id == grid.id, User.on_duty.is_(True)))
    area_points = (
        select(PatrolPoint.id).join(Grid).join(Community).where(Community.police_area_id == area_id)
    )
    hours = []
    for hour in range(48):
        start = yesterday_from + timedelta(hours=hour)
        hours.append(
            session.scalar(
                select(func.count()).where(
                    CheckIn.point_id.in_(area_points),
                    CheckIn.status == VALID,
                    CheckIn.observed_at >= start,
                    CheckIn.observed_at < start + timedelta(hours=1),
                )
            )
        )
    return {
        "checkins_today": checkins_today,
        "patrolled": patrolled,
        "hours": hours,
        "held": held.waiting(session, Areas(frozenset({area_id}))),
        "orders": queries.orders_waiting(session, area_id, now),
        "incidents": queries.open_incidents(session, area_id),
        "missed": queries.missed_route_points(session, area_id, today),
    }


def _agrees(day: Day, naive: dict[str, Any]) -> bool:
    return (
        day.checkins_today == naive["checkins_today"]
        and sum(g.patrolled for g in day.grids) == naive["patrolled"]
        and day.hours_yesterday + day.hours_today == naive["hours"]
        and (day.held_waiting, day.orders_waiting, day.open_incidents, day.missed_route_points)
        == (naive["held"], naive["orders"], naive["incidents"], naive["missed"])
    )


def timed(runs: int, call: Any) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return times


def p95(times: list[float]) -> float:
    return sorted(times)[max(0, round(0.95 * len(times)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100,000 check-ins (CI)")
    parser.add_argument("--checkins", type=int, help="default 1,000,000 (100,000 quick)")
    parser.add_argument("--runs", type=int, default=50, help="timed runs of day_of")
    parser.add_argument("--naive-runs", type=int, help="timed naive runs (default 10; 5 quick)")
    args = parser.parse_args()
    args.checkins = args.checkins or (100_000 if args.quick else 1_000_000)
    args.naive_runs = args.naive_runs or (5 if args.quick else 10)

    tmp = Path(tempfile.mkdtemp(prefix="bench-officer-day-"))
    began = time.perf_counter()
    try:
        now = datetime.now(UTC)
        area_id = seed(tmp, args.checkins, now, random.Random(18))
        seeded = time.perf_counter() - began
        app = create_app({"CELERY_EMBEDDED": False}, str(tmp))
        logging.getLogger().setLevel(logging.WARNING)
        with app.app_context():
            session = db.session()
            day = day_of(session, area_id, now)
            if not _agrees(day, naive_day(session, area_id, now)):
                raise RuntimeError("day_of and the naive version disagree")
            timed(3, lambda: day_of(session, area_id, now))  # warm the page cache
            fast = timed(args.runs, lambda: day_of(session, area_id, now))
            naive = timed(args.naive_runs, lambda: naive_day(session, area_id, now))
            db.session.remove()
            db.engine.dispose()
    except Exception as exc:  # noqa: BLE001 - the JSON line still ends the output
        print(f"BROKEN RUN: {exc}", file=sys.stderr)
        print(json.dumps({"p50_ms": None, "p95_ms": None, "error": str(exc)[:500]}))
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    result = {
        "p50_ms": round(statistics.median(fast), 2),
        "p95_ms": round(p95(fast), 2),
        "naive_p50_ms": round(statistics.median(naive), 2),
        "naive_p95_ms": round(p95(naive), 2),
        "checkins": args.checkins,
        "checkins_today": day.checkins_today,
        "points": GRIDS * POINTS_PER_GRID,
        "people": PEOPLE,
        "runs": args.runs,
        "naive_runs": args.naive_runs,
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": p95(fast) <= TARGET_P95_MS,
        "load_avg": round(os.getloadavg()[0], 2),
        "seed_seconds": round(seeded, 1),
        "seconds": round(time.perf_counter() - began, 1),
    }
    print(
        f"{args.checkins:,} check-ins ({day.checkins_today:,} today), {result['points']} points,"
        f" {PEOPLE:,} people; seeded in {seeded:.1f} s; 1-min load average"
        f" {result['load_avg']} on {os.cpu_count()} CPUs"
    )
    print(
        f"day_of   p50 {result['p50_ms']:.1f} ms  p95 {result['p95_ms']:.1f} ms  ({args.runs} runs)"
    )
    print(
        f"naive    p50 {result['naive_p50_ms']:.1f} ms  p95 {result['naive_p95_ms']:.1f} ms"
        f"  ({args.naive_runs} runs)"
    )
    print(f"target p95 <= {TARGET_P95_MS:g} ms: {'met' if result['meets_target'] else 'NOT MET'}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
