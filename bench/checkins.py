"""Validated check-ins per second through the real server, with a bare insert for context.

Target (this 2-core machine, 2,000 people): at least 150 check-ins/s with p95 at most 50 ms.

Check-ins: `wanjia run` (without the embedded Celery worker) serves `POST /api/checkins` over
HTTP as a phone calls it: a logged-in session cookie, `X-CSRFToken`, a JSON body with a signed
poster token, a position a few metres from the point, 5-20 m accuracy, the device's clock and a
client id. Every request is a genuinely valid check-in under the app's own rules: a (person,
point) pair not used before (no cooldown), at most 30 per person (the daily cap is 40), points
within about 200 m of each other (the speed rule ignores hops under 300 m). Every answer must be
201, and afterwards the database must hold exactly as many valid, paid check-ins.

Bare baseline: one Flask endpoint defined here that parses the same JSON and inserts one row
into its own SQLite file (WAL, synchronous=NORMAL), served in its own process by the server
class `wanjia run` uses. It shows what the machine and that server manage with almost no work
per request, so the check-in figures can be read against it; it is not a target.

Load: `--clients` threads (default 2), each sending its next request when the last is answered,
on a new connection each time (Werkzeug closes every connection). The two servers take turns in
short rounds, so other work on the machine falls on both alike. Logging in is setup. A full run
(2,000 people, 12 rounds of 2.5 s per server) takes about a minute and a half; `--quick` (300
people, 4 rounds of 1.5 s) about 20 s.
Exit status 1 only for a broken run (an answer other than 201, or the database disagrees);
whether the target is met is printed and in the JSON, which ends the output:
`checkins_per_s`, `checkins_p50_ms`, `checkins_p95_ms`, `bare_per_s`, `bare_p50_ms`,
`bare_p95_ms`, `meets_rate`, `meets_p95`, `meets_target`, and the run's settings.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import logging
import math
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask, jsonify, request  # noqa: E402

TARGET_PER_S, TARGET_P95_MS = 150.0, 50.0
HOST, PATH = "127.0.0.1", "/api/checkins"
PASSWORD = "bench-password-2026"  # noqa: S105 - throwaway accounts in a temp database
CENTER_LAT, CENTER_LON = 33.3800, 120.1600
POINT_ROWS, POINT_COLS, POINT_SPACING_M = 5, 8, 25.0  # 40 points in 100 m x 175 m
VISITS_PER_PERSON = 30  # under the daily cap (40): a guard scans about 30 a night
M_PER_DEG_LAT = 111_320.0
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
CSRF_META = re.compile(rb'<meta name="csrf-token" content="([^"]+)"')

Request = tuple[dict[str, str], bytes]  # headers, body


class Broken(Exception):
    """The run cannot be trusted: a valid check-in was refused, or the data disagrees."""


# --- the bare baseline -------------------------------------------------------------------------


def serve_bare(port: int, db_path: str) -> None:
    """One POST endpoint that inserts one row, a SQLite connection per server thread."""
    from app.serving import Limits, serve

    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(
            "CREATE TABLE checkins (id INTEGER PRIMARY KEY, token TEXT, lat REAL, lon REAL,"
            " accuracy_m REAL, device_time TEXT, client_id TEXT, created_at TEXT)"
        )
    app, local = Flask("bare"), threading.local()

    @app.post(PATH)
    def create() -> tuple:
        if not hasattr(local, "conn"):
            local.conn = sqlite3.connect(db_path, timeout=15)
            local.conn.execute("PRAGMA synchronous=NORMAL")
        data = request.get_json()
        with local.conn as conn:  # one transaction, committed here
            row_id = conn.execute(
                "INSERT INTO checkins (token, lat, lon, accuracy_m, device_time, client_id,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    data["token"],
                    float(data["lat"]),
                    float(data["lon"]),
                    float(data["accuracy"]),
                    data.get("device_time"),
                    data.get("client_id"),
                    datetime.now(UTC).isoformat(),
                ),
            ).lastrowid
        return jsonify(id=row_id, status="valid"), 201

    serve(app, HOST, port, tls=None, limits=Limits())


# --- the real app's data -----------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float
    token: str


def offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    east_deg = east_m / (M_PER_DEG_LAT * math.cos(math.radians(lat)))
    return lat + north_m / M_PER_DEG_LAT, lon + east_deg


def seed(instance: Path, people: int) -> tuple[list[Point], list[str]]:
    """Migrate a fresh database; add an area, 40 close points and ``people`` field people."""
    from flask_migrate import upgrade
    from sqlalchemy import insert
    from werkzeug.security import generate_password_hash

    from app import create_app
    from app.extensions import db
    from app.uow import unit_of_work
    from checkins import tokens
    from checkins.models import PatrolPoint
    from volunteers.models import Community, Grid, PoliceArea, Station, User

    app = create_app({"CELERY_EMBEDDED": False}, str(instance))
    logging.getLogger().setLevel(logging.WARNING)  # create_app turns INFO on
    key = tokens.signing_key(app.config["SECRET_KEY"], app.config["QR_SIGNING_KEY"])
    phones = [f"136{i:08d}" for i in range(people)]
    roles = ["guard", "grid_worker"] + ["volunteer"] * 8
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
            grid = Grid(community=community, code="B01", name="压测网格")
            uow.session.add_all([area, community, grid])
            uow.session.flush()
            rows = []
            for r, c in itertools.product(range(POINT_ROWS), range(POINT_COLS)):
                lat, lon = offset(CENTER_LAT, CENTER_LON, r * POINT_SPACING_M, c * POINT_SPACING_M)
                rows.append(
                    PatrolPoint(
                        name=f"压测点{r}-{c}",
                        lat=round(lat, 7),
                        lon=round(lon, 7),
                        radius_m=50,
                        points=10,
                        grid_id=grid.id,
                        poster_version=1,
                    )
                )
            uow.session.add_all(rows)
            uow.session.flush()
            password_hash = generate_password_hash(PASSWORD, "pbkdf2:sha256:1000")
            people_rows = [
                {
                    "phone": phone,
                    "name": f"压测{i}",
                    "password_hash": password_hash,
                    "role": roles[i % len(roles)],
                    "community_id": community.id,
                    "grid_id": grid.id,
                }
                for i, phone in enumerate(phones)
            ]
            uow.session.execute(insert(User), people_rows)
            points = [Point(p.lat, p.lon, tokens.sign(key, p.id, 1)) for p in rows]
            uow.commit()
        db.engine.dispose()
    return points, phones


# --- HTTP --------------------------------------------------------------------------------------


def send(port: int, method: str, path: str, body: bytes | None, headers: dict) -> tuple:
    """One request on a new connection (the server closes each one): status, headers, body."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def log_in(port: int, phone: str) -> dict[str, str]:
    """As a phone does: the login page, the JSON login, then a page for the session's CSRF
    token. Returns the headers every check-in of this person carries."""
    cookies: dict[str, str] = {}

    def call(method: str, path: str, body: bytes | None = None, token: str = "") -> bytes:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if body is not None:
            headers |= {**JSON_HEADERS, "X-CSRFToken": token}
        status, answer_headers, answer = send(port, method, path, body, headers)
        if status != 200:
            raise Broken(f"{method} {path} for {phone} answered {status}: {answer[:200]!r}")
        for raw in answer_headers.get_all("Set-Cookie") or []:
            name, _, value = raw.split(";", 1)[0].partition("=")
            cookies[name.strip()] = value.strip()
        return answer

    login_page = call("GET", "/login")
    call(
        "POST",
        "/login",
        json.dumps({"phone": phone, "password": PASSWORD}).encode(),
        csrf(login_page),
    )
    token = csrf(call("GET", "/"))
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return {**JSON_HEADERS, "X-CSRFToken": token, "Cookie": cookie}


def csrf(page: bytes) -> str:
    match = CSRF_META.search(page)
    if match is None:
        raise Broken("no csrf-token meta on the page")
    return match.group(1).decode()


def checkins(logins: list[dict[str, str]], points: list[Point], seed: int) -> Iterator[Request]:
    """Round-robin over people; person u's j-th check-in is at a point none of theirs used.
    Made as they are sent, so the device time is the phone's clock at that moment."""
    rng = random.Random(seed)  # noqa: S311 - jitter, not secrets
    for k in range(len(logins) * min(VISITS_PER_PERSON, len(points))):
        u, j = k % len(logins), k // len(logins)
        point = points[(u + j) % len(points)]
        lat, lon = offset(point.lat, point.lon, rng.uniform(-8, 8), rng.uniform(-8, 8))
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        body = {
            "token": point.token,
            "lat": round(lat, 7),
            "lon": round(lon, 7),
            "accuracy": round(rng.uniform(5, 20), 1),
            "device_time": stamp,
            "client_id": f"{rng.getrandbits(128):032x}",
        }
        yield logins[u], json.dumps(body).encode()


# --- the load ----------------------------------------------------------------------------------


@dataclass
class Tally:
    created: int = 0  # answers 201
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    refused: Counter = field(default_factory=Counter)  # anything else, by status and code
    ran_out: bool = False

    def figures(self) -> dict:
        ms, n = sorted(self.latencies_ms), len(self.latencies_ms)
        return {
            "per_s": round(self.created / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(ms[n // 2], 2) if n else None,
            "p95_ms": round(ms[min(n - 1, int(0.95 * n))], 2) if n else None,
            "requests": n,
        }


def error_code(answer: bytes) -> str:
    try:
        return json.loads(answer)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return answer[:120].decode(errors="replace")


def load(port: int, source: Iterator[Request], clients: int, seconds: float, tally: Tally) -> None:
    """``clients`` threads send requests from ``source`` one after another for ``seconds``."""
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client() -> None:
        while time.perf_counter() < stop_at:
            with lock:
                item = next(source, None)
            if item is None:
                tally.ran_out = True
                return
            headers, body = item
            began = time.perf_counter()
            try:
                status, _, answer = send(port, "POST", PATH, body, headers)
            except (OSError, http.client.HTTPException) as exc:
                status, answer = 0, f"no answer: {exc!r}".encode()
            elapsed_ms = (time.perf_counter() - began) * 1000
            with lock:
                tally.latencies_ms.append(elapsed_ms)
                if status == 201:
                    tally.created += 1
                else:
                    tally.refused[f"{status} {error_code(answer)}"] += 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tally.seconds += time.perf_counter() - began


# --- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start(command: list[str], env: dict, log: Path, port: int, probe: str) -> subprocess.Popen:
    """Start a server and wait until ``probe`` answers."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            raise Broken(f"server exited ({process.returncode}):\n{log.read_text()[-2000:]}")
        try:
            send(port, "GET", probe, None, {})
            return process
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise Broken(f"server on port {port} did not come up:\n{log.read_text()[-2000:]}")


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def check_database(db_path: Path, created: int) -> None:
    """Every 201 is a stored valid check-in that paid through the ledger; nothing was refused."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        valid, other = conn.execute(
            "SELECT count(*) FILTER (WHERE status = 'valid'),"
            " count(*) FILTER (WHERE status != 'valid') FROM checkins"
        ).fetchone()
        paid = conn.execute(
            "SELECT count(*) FROM ledger_entries WHERE reason = 'checkin'"
        ).fetchone()[0]
    if not valid == paid == created or other:
        raise Broken(f"database: {valid} valid, {other} refused, {paid} paid; {created} 201s")


# --- main --------------------------------------------------------------------------------------


def measure(args: argparse.Namespace, tmp: Path) -> tuple[Tally, Tally]:
    """Seed, start both servers, log everyone in, warm up, then the rounds; check the data."""
    began = time.perf_counter()
    instance = tmp / "instance"
    points, phones = seed(instance, args.people)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANJIA_")}
    env.update(WANJIA_INSTANCE_PATH=str(instance), WANJIA_RATELIMIT_ENABLED="false")
    real_port, bare_port = free_port(), free_port()
    wanjia = str(Path(sys.executable).with_name("wanjia"))
    real_cmd = [sys.executable, wanjia, "run", "--host", HOST, "--port", str(real_port)]
    bare_cmd = [sys.executable, __file__, "--serve-bare", str(bare_port), str(tmp / "bare.db")]
    servers = []
    real, bare, warm_real, warm_bare = Tally(), Tally(), Tally(), Tally()
    try:
        servers.append(
            start([*real_cmd, "--no-worker"], env, tmp / "real.log", real_port, "/healthz")
        )
        servers.append(start(bare_cmd, env, tmp / "bare.log", bare_port, "/"))
        with ThreadPoolExecutor(args.clients) as pool:
            logins = list(pool.map(lambda phone: log_in(real_port, phone), phones))
        print(
            f"setup {time.perf_counter() - began:.1f} s: {len(points)} points, "
            f"{len(phones)} people logged in"
        )
        real_source = checkins(logins, points, seed=1)
        bare_source = itertools.cycle(checkins(logins, points, seed=2))  # same headers, sizes
        load(real_port, real_source, args.clients, args.warmup, warm_real)
        load(bare_port, bare_source, args.clients, args.warmup, warm_bare)
        sides = [(real_port, real_source, real), (bare_port, bare_source, bare)]
        for i in range(args.rounds):
            for port, source, tally in sides[:: 1 if i % 2 == 0 else -1]:
                load(port, source, args.clients, args.seconds, tally)
    finally:
        for process in servers:
            stop(process)

    refused = warm_real.refused + warm_bare.refused + real.refused + bare.refused
    if refused:
        raise Broken(f"answers other than 201: {dict(refused)}")
    if real.ran_out:
        raise Broken(f"ran out of fresh (person, point) pairs; raise --people ({args.people})")
    check_database(instance / "wanjia.db", warm_real.created + real.created)
    return real, bare


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="300 people, short rounds (CI)")
    parser.add_argument("--clients", type=int, default=2, help="load threads (default 2)")
    parser.add_argument("--people", type=int, help="default 2000 (300 with --quick)")
    parser.add_argument("--rounds", type=int, help="rounds per server (default 12; 4 quick)")
    parser.add_argument("--seconds", type=float, help="per server per round (2.5 s; 1.5 quick)")
    parser.add_argument("--serve-bare", nargs=2, metavar=("PORT", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare(int(args.serve_bare[0]), args.serve_bare[1])
        return 0
    args.people = args.people or (300 if args.quick else 2000)
    args.rounds = args.rounds or (4 if args.quick else 12)
    args.seconds = args.seconds or (1.5 if args.quick else 2.5)
    args.warmup = 1.0 if args.quick else 3.0

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="bench-checkins-"))
    began = time.perf_counter()
    try:
        real_tally, bare_tally = measure(args, tmp)
    except Exception as exc:  # noqa: BLE001 - the JSON line still ends the output
        print(f"BROKEN RUN: {exc}", file=sys.stderr)
        print(
            json.dumps({"checkins_per_s": None, "checkins_p95_ms": None, "error": str(exc)[:500]})
        )
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    real, bare = real_tally.figures(), bare_tally.figures()
    meets_rate = real["per_s"] >= TARGET_PER_S
    meets_p95 = real["p95_ms"] <= TARGET_P95_MS
    load_avg = os.getloadavg()[0]
    print(
        f"{args.clients} clients, {args.rounds} rounds x {args.seconds:g} s per server; "
        f"1-min load average {load_avg:.1f} on {os.cpu_count()} CPUs"
    )
    for name, f in (("check-in", real), ("bare", bare)):
        print(
            f"{name:<9} {f['per_s']:>7.1f}/s  p50 {f['p50_ms']:.1f} ms  p95 {f['p95_ms']:.1f} ms"
            f"  ({f['requests']} requests, all 201)"
        )
    print(
        f"target >= {TARGET_PER_S:g}/s: {'met' if meets_rate else 'NOT MET'}; "
        f"p95 <= {TARGET_P95_MS:g} ms: {'met' if meets_p95 else 'NOT MET'}"
    )
    result = {
        "checkins_per_s": real["per_s"],
        "checkins_p50_ms": real["p50_ms"],
        "checkins_p95_ms": real["p95_ms"],
        "bare_per_s": bare["per_s"],
        "bare_p50_ms": bare["p50_ms"],
        "bare_p95_ms": bare["p95_ms"],
        "target_per_s": TARGET_PER_S,
        "target_p95_ms": TARGET_P95_MS,
        "meets_rate": meets_rate,
        "meets_p95": meets_p95,
        "meets_target": meets_rate and meets_p95,
        "checkins_requests": real["requests"],
        "bare_requests": bare["requests"],
        "people": args.people,
        "clients": args.clients,
        "load_avg": round(load_avg, 2),
        "seconds": round(time.perf_counter() - began, 1),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
