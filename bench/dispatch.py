"""Dispatch latency on one server process with thousands of phones connected.

A real `wanjia run` (Flask-SocketIO, threading mode) serves N real Socket.IO clients
(python-socketio's asyncio client, websocket transport), each logged in as an on-duty guard,
volunteer or grid worker who has shared a position. A dispatcher client then, 100 times:
raises an incident at a random spot, asks for the nearest 50, sends them the offer, and we time
from the send until all 50 phones have the offer. Beside it, in the same run, a plain echo
round trip (the `ping` event) from the phones. Last line, JSON: `p50_ms`, `p95_ms`,
`echo_p95_ms`, `clients`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.types import utcnow  # noqa: E402
from volunteers.duty import CONSENT_LOCATION, CONSENT_VERSION  # noqa: E402
from volunteers.models import (  # noqa: E402
    Community,
    Consent,
    LoginSession,
    PoliceArea,
    Station,
    User,
)
from volunteers.services import hash_password  # noqa: E402

CENTER = (33.38, 120.16)
ROLES = ("guard", "volunteer", "grid_worker")
OFFER_TO = 50


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(instance: Path, clients: int) -> tuple[list[str], str]:
    """People on duty with consent, and a login session + signed session cookie for each (the
    login form is not what is measured, so cookies are made the way the server makes them)."""
    app = create_app({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}, str(instance))
    with app.app_context():
        upgrade()
        area = PoliceArea(
            station=Station(name="bench"), name="bench", center_lat=CENTER[0], center_lon=CENTER[1]
        )
        community = Community(police_area=area, name="bench")
        db.session.add_all([area, community])
        db.session.flush()
        hashed = hash_password("bench-password", "pbkdf2:sha256:1000")
        rows = [
            {
                "phone": f"135{i:08d}",
                "name": f"队员{i}",
                "password_hash": hashed,
                "role": ROLES[i % 3],
                "community_id": community.id,
                "active": True,
                "on_duty": True,
                "on_duty_since": utcnow(),
                "created_at": utcnow(),
            }
            for i in range(clients)
        ]
        rows.append(
            {
                "phone": "13900000010",
                "name": "调度",
                "password_hash": hashed,
                "role": "dispatcher",
                "community_id": community.id,
                "police_area_id": area.id,
                "active": True,
                "on_duty": False,
                "created_at": utcnow(),
            }
        )
        db.session.execute(insert(User), rows)
        ids = [u.id for u in db.session.query(User.id).order_by(User.id)]
        db.session.execute(
            insert(Consent),
            [
                {
                    "user_id": uid,
                    "kind": CONSENT_LOCATION,
                    "version": CONSENT_VERSION,
                    "granted": True,
                    "created_at": utcnow(),
                }
                for uid in ids
            ],
        )
        far = utcnow().replace(year=utcnow().year + 1)
        db.session.execute(
            insert(LoginSession),
            [
                {
                    "id": f"bench-{uid}",
                    "user_id": uid,
                    "created_at": utcnow(),
                    "expires_at": far,
                    "user_agent": "",
                    "address": "",
                }
                for uid in ids
            ],
        )
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        cookies = [serializer.dumps({"_user_id": f"bench-{uid}", "_fresh": True}) for uid in ids]
        db.engine.dispose()
    return cookies[:-1], cookies[-1]


def start_server(instance: Path, port: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        WANJIA_INSTANCE_PATH=str(instance),
        WANJIA_RATELIMIT_ENABLED="false",
        WANJIA_POSITION_MIN_INTERVAL_SECONDS="0",
    )
    log = (instance / "server.log").open("wb")  # shown if the run breaks
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("wanjia")), "run", "--port", str(port), "--no-worker"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return server
        except requests.ConnectionError:
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGKILL)
    raise SystemExit("the server did not start")


class Phone:
    def __init__(self, cookie: str, arrivals: dict[int, list[float]]) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.cookie = cookie
        self.client.on("offer", self._offer, namespace="/field")
        self.arrivals = arrivals

    async def _offer(self, offer: dict[str, Any]) -> None:
        if offer["status"] == "offered":
            self.arrivals.setdefault(offer["incident"]["id"], []).append(time.perf_counter())

    async def connect(self, base: str, rng: random.Random) -> None:
        await self.client.connect(
            base,
            namespaces=["/field"],
            transports=["websocket"],
            headers={"Cookie": f"session={self.cookie}"},
            wait_timeout=60,
        )
        lat = CENTER[0] + rng.uniform(-0.03, 0.03)
        lon = CENTER[1] + rng.uniform(-0.03, 0.03)
        reply = await self.client.call(
            "position", {"lat": lat, "lon": lon, "accuracy": 10}, namespace="/field", timeout=60
        )
        if reply != {"ok": True}:
            raise SystemExit(f"position refused: {reply}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def run(
    base: str, cookies: list[str], dispatcher_cookie: str, dispatches: int
) -> dict[str, Any]:
    rng = random.Random(7)
    arrivals: dict[int, list[float]] = {}
    phones = [Phone(cookie, arrivals) for cookie in cookies]
    started = time.perf_counter()
    for batch in range(0, len(phones), 100):  # connect in waves, as phones do after a restart
        await asyncio.gather(*(p.connect(base, rng) for p in phones[batch : batch + 100]))
    connect_s = time.perf_counter() - started
    console = socketio.AsyncClient(reconnection=False)
    await console.connect(
        base,
        namespaces=["/console"],
        transports=["websocket"],
        headers={"Cookie": f"session={dispatcher_cookie}"},
        wait_timeout=60,
    )

    echo_ms = []
    for i in range(dispatches):
        phone = phones[rng.randrange(len(phones))]
        sent = time.perf_counter()
        await phone.client.call("ping", i, namespace="/field", timeout=30)
        echo_ms.append((time.perf_counter() - sent) * 1000)

    latencies = []
    for _ in range(dispatches):
        spot = {
            "lat": CENTER[0] + rng.uniform(-0.01, 0.01),
            "lon": CENTER[1] + rng.uniform(-0.01, 0.01),
        }
        incident = await console.call(
            "create_incident",
            {"kind": "theft", "priority": 1, **spot},
            namespace="/console",
            timeout=30,
        )
        found = await console.call(
            "find_nearest",
            {"incident_id": incident["id"], "limit": OFFER_TO, "radius_m": 10_000},
            namespace="/console",
            timeout=30,
        )
        chosen = [p["user_id"] for p in found["people"]]
        if len(chosen) != OFFER_TO:
            raise SystemExit(f"expected {OFFER_TO} nearby people, found {len(chosen)}")
        sent = time.perf_counter()
        reply = await console.call(
            "send_offers",
            {"incident_id": incident["id"], "user_ids": chosen},
            namespace="/console",
            timeout=30,
        )
        if "error" in reply:
            raise SystemExit(f"send_offers refused: {reply}")
        deadline = time.perf_counter() + 30
        while len(arrivals.get(incident["id"], [])) < OFFER_TO and time.perf_counter() < deadline:
            await asyncio.sleep(0.001)
        got = arrivals.get(incident["id"], [])
        if len(got) < OFFER_TO:
            raise SystemExit(f"only {len(got)} of {OFFER_TO} phones got the offer")
        latencies.append((max(got) - sent) * 1000)
        await console.call(
            "close_incident", {"incident_id": incident["id"]}, namespace="/console", timeout=30
        )
    await console.disconnect()
    await asyncio.gather(*(p.client.disconnect() for p in phones))
    return {"latencies": latencies, "echo_ms": echo_ms, "connect_s": connect_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="300 phones, 20 dispatches")
    parser.add_argument("--clients", type=int, default=None)
    args = parser.parse_args()
    clients = args.clients or (300 if args.quick else 2000)
    dispatches = 20 if args.quick else 100
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp)
        cookies, dispatcher_cookie = seed(instance, clients)
        port = _free_port()
        server = start_server(instance, port)
        try:
            result = asyncio.run(
                run(f"http://127.0.0.1:{port}", cookies, dispatcher_cookie, dispatches)
            )
        except BaseException:
            tail = (instance / "server.log").read_text(errors="replace")[-4000:]
            print(f"the server's log, last lines:\n{tail}", file=sys.stderr)
            raise
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
    lat, echo = result["latencies"], result["echo_ms"]
    print(f"{clients} phones connected in {result['connect_s']:.1f} s (one server process)")
    p50, p95 = statistics.median(lat), percentile(lat, 0.95)
    print(
        f"offer to {OFFER_TO} phones, {dispatches} dispatches: p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms, max {max(lat):.1f} ms"
    )
    echo50, echo95 = statistics.median(echo), percentile(echo, 0.95)
    print(f"echo round trip: p50 {echo50:.1f} ms, p95 {echo95:.1f} ms")
    print(
        json.dumps(
            {
                "p50_ms": round(statistics.median(lat), 1),
                "p95_ms": round(percentile(lat, 0.95), 1),
                "echo_p95_ms": round(percentile(echo, 0.95), 1),
                "clients": clients,
                "dispatches": dispatches,
                "offer_to": OFFER_TO,
                "quick": args.quick,
            }
        )
    )


if __name__ == "__main__":
    main()
