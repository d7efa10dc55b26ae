"""Validated check-ins per second through the real HTTP endpoint, against a bare Flask endpoint.

Real: `wanjia run` (Werkzeug's threaded server under Flask-SocketIO, SQLite in WAL mode) serves
`POST /api/checkins` as a phone sends it: logged-in session cookie, `X-CSRFToken`, JSON body with
a signed poster token, position, accuracy, device time and a client id. Every request is a
genuinely valid check-in with the app's anti-fraud rules untouched: a distinct (person, point)
pair (no cooldown), at most 30 check-ins per person (under the daily cap of 40), all points within
about 200 m of each other (the speed rule ignores hops under 300 m), positions a few metres from
the point with 5-20 m accuracy. Each answer must be 201; anything else fails the run.

Bare: a minimal Flask app defined here, served in its own process by the same server class
``wanjia run`` uses (app/serving.FieldServer over plain HTTP: Werkzeug's threaded server without
a log line per request; Werkzeug's own ``run_simple`` logs every request and was 8% slower),
whose one endpoint parses the same JSON and inserts one row into its own SQLite file (WAL,
synchronous=NORMAL, as the app's database). Its connection is per thread, and the server starts
a thread per connection, so like Flask's tutorial app it opens SQLite for every request.

Both are driven by the same load generator (N threads each sending one request after another,
identical headers and body sizes), warmed up, then measured in interleaved rounds of equal
length. Werkzeug's server closes the connection after every response, on both sides alike, so
each request comes on a new connection. Logging in the bench people (rate limiting off for that)
is setup and not measured.
Last line, JSON: `checkins_per_s`, `bare_per_s`, `ratio`, latency percentiles and the load.

With ``--instructions`` it measures no rates: each server runs under valgrind's callgrind, and
the user-space instructions its whole process executes per request (HTTP, threads, app,
SQLite) are counted over requests sent one at a time. Rates on a shared machine move with its
neighbours' work (the same code measured 0.495 one day and 0.36 another); instruction counts
do not, so they compare two versions of the code. Kernel time (syscalls) is not counted.
Last line, JSON: `checkin_instructions`, `bare_instructions`, `instruction_ratio`.
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask, jsonify, request  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

HOST = "127.0.0.1"
PATH = "/api/checkins"
PASSWORD = "bench-password-2026"  # noqa: S105 - throwaway accounts in a temp database
CENTER_LAT, CENTER_LON = 33.3800, 120.1600
POINT_ROWS, POINT_COLS, POINT_SPACING_M = 5, 8, 25.0  # 40 points in 100 m x 175 m
VISITS_PER_USER = 30  # under the daily cap (40): a guard scans about 30 a night
M_PER_DEG_LAT = 111_320.0
CSRF_META = re.compile(rb'<meta name="csrf-token" content="([^"]+)"')
TIME_SLOT = b"@@DEVICE_TIME@@"


# --- the bare baseline -------------------------------------------------------------------------

BARE_SCHEMA = """
CREATE TABLE IF NOT EXISTS checkins (
    id INTEGER PRIMARY KEY, token TEXT, lat REAL, lon REAL, accuracy_m REAL,
    device_time TEXT, client_id TEXT, created_at TEXT
)"""


def bare_app(db_path: str) -> Flask:
    """One POST endpoint that inserts one row: the floor any real check-in endpoint stands on."""
    app = Flask("bare")
    local = threading.local()

    def connection() -> sqlite3.Connection:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=15000")
            local.conn = conn
        return conn

    @app.post(PATH)
    def create() -> tuple:
        data = request.get_json()
        conn = connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
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
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return jsonify(id=row_id, status="valid"), 201

    return app


def serve_bare(port: int, db_path: str) -> None:
    from app.serving import serve

    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(BARE_SCHEMA)
    serve(bare_app(db_path), HOST, port, tls=None)


# --- seeding the real app ----------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    id: int
    lat: float
    lon: float
    token: str


def offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    return (
        lat + north_m / M_PER_DEG_LAT,
        lon + east_m / (M_PER_DEG_LAT * math.cos(math.radians(lat))),
    )


def seed(instance: Path, users: int) -> tuple[list[Point], list[str]]:
    """Migrate a fresh database; add an area, 40 close points and ``users`` field people."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from app import create_app
    from app.extensions import db
    from app.uow import unit_of_work
    from checkins import tokens
    from checkins.models import PatrolPoint
    from volunteers.models import Community, Grid, PoliceArea, User

    app = create_app({"CELERY_EMBEDDED": False}, str(instance))
    logging.getLogger().setLevel(logging.WARNING)  # create_app turns INFO on; keep output short
    key = tokens.signing_key(app.config["SECRET_KEY"], app.config["QR_SIGNING_KEY"])
    password_hash = generate_password_hash(PASSWORD, "pbkdf2:sha256:1000")
    with app.app_context():
        upgrade()
        with unit_of_work() as uow:
            session = uow.session
            area = PoliceArea(name="压测警务区", center_lat=CENTER_LAT, center_lon=CENTER_LON)
            community = Community(police_area=area, name="压测社区")
            grid = Grid(community=community, code="B01", name="压测网格")
            session.add_all([area, community, grid])
            session.flush()
            rows = []
            for r in range(POINT_ROWS):
                for c in range(POINT_COLS):
                    lat, lon = offset(
                        CENTER_LAT, CENTER_LON, r * POINT_SPACING_M, c * POINT_SPACING_M
                    )
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
            session.add_all(rows)
            session.flush()
            roles = ["guard", "grid_worker"] + ["volunteer"] * 8
            session.execute(
                insert(User),
                [
                    {
                        "phone": f"136{i:08d}",
                        "name": f"压测{i}",
                        "password_hash": password_hash,
                        "role": roles[i % len(roles)],
                        "community_id": community.id,
                        "grid_id": grid.id,
                    }
                    for i in range(users)
                ],
            )
            points = [Point(p.id, p.lat, p.lon, tokens.sign(key, p.id, 1)) for p in rows]
            uow.commit()
        db.engine.dispose()
    return points, [f"136{i:08d}" for i in range(users)]


# --- HTTP plumbing -----------------------------------------------------------------------------


class Client:
    """One connection (http.client reopens it after the server closes it) with a small cookie
    jar: light on the CPU."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, bytes]:
        headers = dict(headers or {})
        if self.cookies and "Cookie" not in headers:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        # No retry: re-sending a check-in would be answered as a replay, not a new one.
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for raw in response.headers.get_all("Set-Cookie") or []:
            name, _, value = raw.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return response.status, data

    def close(self) -> None:
        self.conn.close()


def csrf_from(page: bytes) -> str:
    match = CSRF_META.search(page)
    if not match:
        raise RuntimeError("no csrf-token meta on the page")
    return match.group(1).decode()


@dataclass(frozen=True)
class Login:
    cookie: str
    csrf: str


def log_in(client: Client, phone: str) -> Login:
    """As a phone does: the login page, the JSON login, then any page for the session's token."""
    client.cookies.clear()
    status, page = client.request("GET", "/login")
    if status != 200:
        raise RuntimeError(f"GET /login answered {status}")
    body = json.dumps({"phone": phone, "password": PASSWORD}).encode()
    status, answer = client.request(
        "POST",
        "/login",
        body,
        {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-CSRFToken": csrf_from(page),
        },
    )
    if status != 200:
        raise RuntimeError(f"login of {phone} answered {status}: {answer[:200]!r}")
    status, page = client.request("GET", "/")
    if status != 200:
        raise RuntimeError(f"GET / after login answered {status}")
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    return Login(cookie, csrf_from(page))


def log_in_all(port: int, phones: list[str], clients: int) -> list[Login]:
    logins: list[Login | None] = [None] * len(phones)
    errors: list[BaseException] = []

    def work(start: int) -> None:
        client = Client(port)
        try:
            for i in range(start, len(phones), clients):
                logins[i] = log_in(client, phones[i])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            client.close()

    threads = [threading.Thread(target=work, args=(t,), daemon=True) for t in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"logging in failed: {errors[0]}")
    return logins  # type: ignore[return-value]


# --- the load ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    headers: dict[str, str]
    body: bytes  # with TIME_SLOT where the device time goes, filled in when sent

    def body_now(self) -> bytes:
        """The body with the phone's clock reading now, as a phone sends it."""
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return self.body.replace(TIME_SLOT, stamp.encode())


def jobs(logins: list[Login], points: list[Point], seed_value: int) -> Iterator[Job]:
    """Round-robin over people; person u's j-th check-in is at a point no earlier visit used."""
    rng = random.Random(seed_value)  # noqa: S311 - jitter, not secrets
    users = len(logins)
    for k in range(users * min(VISITS_PER_USER, len(points))):
        u, j = k % users, k // users
        point = points[(u + j) % len(points)]
        lat, lon = offset(point.lat, point.lon, rng.uniform(-8, 8), rng.uniform(-8, 8))
        body = json.dumps(
            {
                "token": point.token,
                "lat": round(lat, 7),
                "lon": round(lon, 7),
                "accuracy": round(rng.uniform(5, 20), 1),
                "device_time": TIME_SLOT.decode(),
                "client_id": f"{rng.getrandbits(128):032x}",
            }
        ).encode()
        login = logins[u]
        yield Job(
            {
                "Content-Type": "application/json",
                "Accept": "application/json",
                "X-CSRFToken": login.csrf,
                "Cookie": login.cookie,
            },
            body,
        )


@dataclass
class PhaseResult:
    ok: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    refused: Counter = field(default_factory=Counter)
    exhausted: bool = False


def run_phase(port: int, source: Iterator[Job], clients: int, seconds: float) -> PhaseResult:
    """``clients`` threads, each on its own keep-alive connection, for ``seconds``."""
    lock = threading.Lock()
    result = PhaseResult()
    stop_at = time.perf_counter() + seconds
    conns = [Client(port) for _ in range(clients)]

    def work(client: Client) -> None:
        latencies, ok, refused = [], 0, Counter()
        while time.perf_counter() < stop_at:
            with lock:
                job = next(source, None)
            if job is None:
                result.exhausted = True
                break
            body = job.body_now()
            began = time.perf_counter()
            try:
                status, answer = client.request("POST", PATH, body, job.headers)
            except (OSError, http.client.HTTPException) as exc:
                refused[f"no answer: {type(exc).__name__}: {exc}"] += 1
                break
            latencies.append(time.perf_counter() - began)
            if status == 201:
                ok += 1
            else:
                try:
                    code = json.loads(answer)["error"]["code"]
                except (ValueError, KeyError, TypeError):
                    code = answer[:80].decode(errors="replace")
                refused[f"{status} {code}"] += 1
        with lock:
            result.ok += ok
            result.latencies.extend(latencies)
            result.refused.update(refused)

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in conns]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.elapsed = time.perf_counter() - began
    for c in conns:
        c.close()
    return result


def merge(parts: list[PhaseResult]) -> PhaseResult:
    total = PhaseResult()
    for part in parts:
        total.ok += part.ok
        total.elapsed += part.elapsed
        total.latencies.extend(part.latencies)
        total.refused.update(part.refused)
        total.exhausted |= part.exhausted
    return total


def figures(result: PhaseResult) -> dict:
    ms = sorted(x * 1000 for x in result.latencies)
    n = len(ms)
    return {
        "requests": n,
        "per_s": round(result.ok / result.elapsed, 1) if result.elapsed else 0.0,  # 201s only
        "p50_ms": round(ms[n // 2], 2) if n else None,
        "p95_ms": round(ms[min(n - 1, int(0.95 * n))], 2) if n else None,
    }


# --- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until_up(
    process: subprocess.Popen, port: int, log: Path, path: str, timeout: float = 60
) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}):\n{log.read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not come up:\n{log.read_text()[-2000:]}")


def real_server(port: int) -> list[str]:
    """``wanjia run`` as an operator starts it, without the embedded Celery worker."""
    wanjia = str(Path(sys.executable).with_name("wanjia"))
    return [sys.executable, wanjia, "run", "--host", HOST, "--port", str(port), "--no-worker"]


def bare_server(port: int, db_path: Path) -> list[str]:
    return [sys.executable, __file__, "--serve-bare", str(port), str(db_path)]


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def check_database(db_path: Path, answered_201: int) -> None:
    """Every 201 is a stored valid check-in that paid through the ledger; nothing was refused."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        valid, refused = conn.execute(
            "SELECT sum(status = 'valid'), sum(status != 'valid') FROM checkins"
        ).fetchone()
        paid = conn.execute(
            "SELECT count(*) FROM ledger_entries WHERE reason = 'checkin'"
        ).fetchone()[0]
    finally:
        conn.close()
    if not (valid == paid == answered_201) or refused:
        raise Failure(
            f"database disagrees: {valid} valid, {refused} refused, {paid} paid, "
            f"{answered_201} answered 201"
        )


# --- instructions per request (``--instructions``) ----------------------------------------------


def send(port: int, source: Iterator[Job], count: int) -> None:
    """``count`` requests one after another on one client; each must be answered 201."""
    client = Client(port)
    try:
        for job in itertools.islice(source, count):
            status, answer = client.request("POST", PATH, job.body_now(), job.headers)
            if status != 201:
                raise Failure(f"answered {status}: {answer[:200]!r}")
    finally:
        client.close()


def instructions_per_request(
    command: Callable[[int], list[str]],
    health_path: str,
    prepare: Callable[[int], Iterator[Job]],
    env: dict,
    log: Path,
    warm: int,
    measured: int,
) -> float:
    """Run the server under callgrind with counting off, warm it up, then count the user-space
    instructions of ``measured`` requests (its whole process: HTTP, threads, app, SQLite)."""
    out = log.with_suffix(".callgrind")
    port = free_port()
    valgrind = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
    process = start([*valgrind, *command(port)], env, log)
    try:
        wait_until_up(process, port, log, health_path, timeout=600)
        source = prepare(port)
        send(port, source, warm)
        control = ["callgrind_control", "-i"]
        subprocess.run([*control, "on", str(process.pid)], check=True, capture_output=True)
        send(port, source, measured)
        subprocess.run([*control, "off", str(process.pid)], check=True, capture_output=True)
    finally:
        stop(process)
    totals = re.search(r"^totals:\s*(\d+)", out.read_text(), re.MULTILINE)
    if totals is None:
        raise Failure(f"callgrind wrote no totals to {out}")
    return int(totals.group(1)) / measured


def count_instructions(
    points: list[Point], phones: list[str], tmp: Path, env: dict, quick: bool
) -> dict:
    """Instructions per request of both servers: unlike their rates, a count that another
    program on the machine does not move, so two versions can be compared across days."""
    if shutil.which("valgrind") is None:
        raise Failure("--instructions needs valgrind (Debian's package valgrind)")
    warm, measured = (20, 20) if quick else (60, 100)

    logins: list[Login] = []

    def real_jobs(port: int) -> Iterator[Job]:
        client = Client(port)
        try:
            logins.extend(log_in(client, phone) for phone in phones)
        finally:
            client.close()
        return jobs(logins, points, 1)

    def bare_jobs(_port: int) -> Iterator[Job]:  # the same headers and bodies, as in the rates
        return itertools.cycle(list(itertools.islice(jobs(logins, points, 2), 5000)))

    real = instructions_per_request(
        real_server, "/healthz", real_jobs, env, tmp / "real.log", warm, measured
    )
    bare = instructions_per_request(
        lambda port: bare_server(port, tmp / "bare.db"),
        "/",
        bare_jobs,
        env,
        tmp / "bare.log",
        warm,
        measured,
    )
    return {
        "checkin_instructions": round(real),
        "bare_instructions": round(bare),
        "instruction_ratio": round(bare / real, 3),
        "requests": measured,
        "users": len(phones),
    }


class Failure(Exception):
    """The run cannot be trusted: a valid check-in was refused, or the data disagrees."""


# --- main --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short rounds, fewer people (CI)")
    # 2: the fewest that load both servers. With 1, the bare endpoint waits on the client and
    # the round trip, not on its own work (172/s against 430-470/s with 2-4 clients here), and
    # the ratio would flatter the real one (0.48 with 1 client, 0.19-0.24 with 2-4).
    parser.add_argument("--clients", type=int, default=2, help="load threads (default 2)")
    parser.add_argument("--users", type=int, help="bench people (default 300 quick, 2000 full)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 4 quick, 24 full)")
    parser.add_argument("--seconds", type=float, help="per phase per round (1.5 quick, 2.5 full)")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="instead of rates, count each server's instructions per request (valgrind)",
    )
    parser.add_argument("--serve-bare", nargs=2, metavar=("PORT", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare(int(args.serve_bare[0]), args.serve_bare[1])
        return 0
    if args.instructions:  # about 8 check-ins a person, as in a full run of the rates
        users = args.users or 20
    else:
        users = args.users or (300 if args.quick else 2000)
    # Many short rounds, alternating: on a shared 2-core machine, background load then falls on
    # both sides alike instead of on whichever phase it happens to overlap.
    rounds = args.rounds or (4 if args.quick else 24)
    seconds = args.seconds or (1.5 if args.quick else 2.5)
    warmup = 1.0 if args.quick else 3.0

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="bench-checkins-"))
    real = bare = None
    began = time.perf_counter()
    try:
        instance = tmp / "instance"
        points, phones = seed(instance, users)
        env = {k: v for k, v in os.environ.items() if not k.startswith("WANJIA_")}
        env.update(WANJIA_INSTANCE_PATH=str(instance), WANJIA_RATELIMIT_ENABLED="false")
        if args.instructions:
            counted = count_instructions(points, phones, tmp, env, args.quick)
            print(
                f"instructions per request: check-in {counted['checkin_instructions']:,}, "
                f"bare {counted['bare_instructions']:,}, "
                f"ratio {counted['instruction_ratio']:.3f} ({counted['requests']} requests each)"
            )
            print(json.dumps(counted))
            return 0
        real_port, bare_port = free_port(), free_port()
        real = start(real_server(real_port), env, tmp / "real.log")
        bare = start(bare_server(bare_port, tmp / "bare.db"), env, tmp / "bare.log")
        wait_until_up(real, real_port, tmp / "real.log", "/healthz")
        wait_until_up(bare, bare_port, tmp / "bare.log", "/")
        logins = log_in_all(real_port, phones, args.clients)
        setup = time.perf_counter() - began
        print(f"setup {setup:.1f} s: {len(points)} points, {users} people logged in")

        real_jobs = jobs(logins, points, 1)
        # Same headers and body sizes; the bare endpoint checks nothing, so its jobs may repeat.
        bare_jobs = itertools.cycle(list(itertools.islice(jobs(logins, points, 2), 5000)))
        warm_real = run_phase(real_port, real_jobs, args.clients, warmup)
        warm_bare = run_phase(bare_port, bare_jobs, args.clients, warmup)
        real_parts, bare_parts = [], []
        for i in range(rounds):
            order = [(bare_parts, bare_port, bare_jobs), (real_parts, real_port, real_jobs)]
            for parts, port, source in order[:: 1 if i % 2 == 0 else -1]:
                parts.append(run_phase(port, source, args.clients, seconds))
        real_total, bare_total = merge(real_parts), merge(bare_parts)

        problems = merge([warm_real, real_total]).refused + merge([warm_bare, bare_total]).refused
        if problems:
            raise Failure(f"valid-looking requests were refused: {dict(problems)}")
        if real_total.exhausted:
            raise Failure(f"ran out of fresh (person, point) pairs; raise --users ({users})")
        check_database(instance / "wanjia.db", warm_real.ok + real_total.ok)

        r, b = figures(real_total), figures(bare_total)
        ratio = r["per_s"] / b["per_s"] if b["per_s"] else 0.0
        per_round = sorted(
            figures(rp)["per_s"] / max(figures(bp)["per_s"], 1e-9)
            for rp, bp in zip(real_parts, bare_parts, strict=True)
        )
        load = os.getloadavg()[0]
        print(
            f"clients {args.clients}, {rounds} interleaved rounds x {seconds:g} s each; "
            f"1-min load average {load:.1f} on {os.cpu_count()} CPUs (others' work skews both)"
        )
        for name, f in (("check-in", r), ("bare", b)):
            print(
                f"{name:<9} {f['per_s']:>8.1f} req/s  p50 {f['p50_ms']:.1f} ms  "
                f"p95 {f['p95_ms']:.1f} ms  ({f['requests']} requests, all 201)"
            )
        print(
            f"ratio {ratio:.3f} (target >= 0.5: {'met' if ratio >= 0.5 else 'NOT met'}); "
            f"per round {per_round[0]:.3f} .. {per_round[-1]:.3f}"
        )
        result = {
            "checkins_per_s": r["per_s"],
            "bare_per_s": b["per_s"],
            "ratio": round(ratio, 3),
            "target_met": ratio >= 0.5,
            "ratio_round_median": round(per_round[len(per_round) // 2], 3),
            "checkins_p50_ms": r["p50_ms"],
            "checkins_p95_ms": r["p95_ms"],
            "bare_p50_ms": b["p50_ms"],
            "bare_p95_ms": b["p95_ms"],
            "clients": args.clients,
            "checkins_requests": r["requests"],
            "bare_requests": b["requests"],
            "users": users,
            "load_avg": round(load, 2),
            "seconds": round(time.perf_counter() - began, 1),
        }
        print(json.dumps(result))
        return 0
    except Exception as exc:  # noqa: BLE001 - the JSON line still ends the output
        print(f"FAILED: {exc}", file=sys.stderr)
        print(
            json.dumps(
                {"checkins_per_s": None, "bare_per_s": None, "ratio": None, "error": str(exc)[:500]}
            )
        )
        return 1
    finally:
        stop(real)
        stop(bare)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
