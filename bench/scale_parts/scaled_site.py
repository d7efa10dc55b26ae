"""The scaled mode's parts for bench/scale.py: a PostgreSQL database and a redis-server of the
run's own, its people, ``wanjia serve`` and ``wanjia run`` processes, nginx in front,
and the memory of a server's worker process."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import requests

from bench.scale_parts.socket_clients import CENTER, Login
from tests.servers import OwnRedis

if TYPE_CHECKING:
    from flask import Flask

ROOT = Path(__file__).resolve().parents[2]
WANJIA = str(Path(sys.executable).with_name("wanjia"))
PG = "postgresql://postgres@127.0.0.1:5432"
ROLES = ("volunteer", "guard")


class Site:
    """A database, a redis-server and an instance folder, with every process started here."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.instance = folder, folder / "instance"
        self.instance.mkdir(parents=True)
        self.database = f"bench_scale_{uuid.uuid4().hex[:10]}"
        self.redis = OwnRedis(folder)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("WANJIA_")}
        self.env.update(
            WANJIA_INSTANCE_PATH=str(self.instance),
            WANJIA_DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.database}",
            WANJIA_REDIS_URL=self.redis.url,
            WANJIA_SECRET_KEY=uuid.uuid4().hex * 2,
            WANJIA_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
            WANJIA_RATELIMIT_ENABLED="false",
            WANJIA_POSITION_MIN_INTERVAL_SECONDS="0",
            PYTHONUNBUFFERED="1",
        )
        self.processes: list[subprocess.Popen[bytes]] = []

    def create(self, seed: Callable[[], Any]) -> Any:
        """The database and redis-server, then ``seed()`` (in this process, by the app's
        models, while the instance's certificate for nginx is made); what it returned."""
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.database}"')
        self.redis.start()
        certificate = self.launch("certificate", [WANJIA, "certificate", "--host", "127.0.0.1"])
        for name in ("WANJIA_INSTANCE_PATH", "WANJIA_DATABASE_URL", "WANJIA_SECRET_KEY"):
            os.environ[name] = self.env[name]  # Redis stays out of the seeding app
        seeded = seed()
        self.processes.remove(certificate)
        if certificate.wait(60):
            raise RuntimeError((self.folder / "certificate.log").read_text())
        return seeded

    @functools.cached_property
    def app(self) -> Flask:
        from app import create_app

        return create_app({"CELERY_EMBEDDED": False}, str(self.instance))

    def stop(self, *processes: subprocess.Popen[bytes]) -> None:
        stop(*processes)
        self.processes = [p for p in self.processes if p not in processes]

    def count(self, sql: str) -> int:
        with psycopg.connect(f"{PG}/{self.database}") as conn:
            row = conn.execute(sql).fetchone()
        return int(row[0]) if row else 0

    def drop(self) -> None:
        stop(*self.processes)
        self.redis.stop()
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def launch(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        """Start ``command`` in a session of its own, its output in ``name``.log."""
        with (self.folder / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(  # noqa: S603 - our own commands
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def ready(self, process: subprocess.Popen[bytes], name: str, probe: str) -> None:
        """Wait until ``probe`` answers 200."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if requests.get(probe, timeout=2, verify=False).status_code == 200:  # noqa: S501
                    return
            except requests.RequestException:
                time.sleep(0.2)
        log_text = (self.folder / f"{name}.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{name} did not come up:\n{log_text}")

    def serve(self, *ports: int, proxies: int = 0) -> list[subprocess.Popen[bytes]]:
        """``wanjia serve`` (gunicorn, one gevent worker) on plain HTTP on each port."""
        started = [
            self.launch(
                f"serve-{port}",
                [WANJIA, "serve", "--port", str(port)] + ["--proxies", str(proxies)],
            )
            for port in ports
        ]
        for port, process in zip(ports, started, strict=True):
            self.ready(process, f"serve-{port}", f"http://127.0.0.1:{port}/readyz")
        return started

    def run(self, port: int) -> subprocess.Popen[bytes]:
        """``wanjia run`` (Werkzeug's threaded server), the embedded Celery worker off."""
        command = [WANJIA, "run", "--port", str(port), "--no-tls", "--no-worker"]
        process = self.launch(f"run-{port}", command)
        self.ready(process, f"run-{port}", f"http://127.0.0.1:{port}/healthz")
        return process

    def nginx(self, name: str, port: int, upstreams: list[int]) -> subprocess.Popen[bytes]:
        """nginx (TLS, sticky by cookie, one worker as in tests/scale) on ``port``, with the
        configuration `wanjia nginx-config` prints."""
        from app.production import nginx_config

        run_dir, tls = self.folder / name, self.instance / "tls"
        run_dir.mkdir()
        with self.app.app_context():
            conf = nginx_config(
                upstreams=[f"127.0.0.1:{p}" for p in upstreams],
                listen=f"127.0.0.1:{port}",
                certificate=tls / "cert.pem",
                key=tls / "key.pem",
                run_dir=run_dir,
                http_listen=None,
                max_body_bytes=self.app.config["MAX_CONTENT_LENGTH"],
                workers="1",
            )
        (run_dir / "nginx.conf").write_text(conf)
        command = ["nginx", "-c", str(run_dir / "nginx.conf"), "-e", str(run_dir / "error.log")]
        process = self.launch(name, [*command, "-g", "daemon off;"])
        try:
            self.ready(process, name, f"https://127.0.0.1:{port}/healthz")
        except RuntimeError as exc:
            logs = [f.read_text(errors="replace")[-1500:] for f in run_dir.glob("*error.log")]
            raise RuntimeError(f"{exc}{''.join(logs)}") from None
        return process

    def sockets(self, port: int) -> int | None:
        """The field sockets a server holds, from its /metrics; None if it is too busy to say."""
        try:
            text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        except requests.RequestException:
            return None
        for line in text.splitlines():
            if line.startswith('wanjia_sockets_connected{namespace="/field"}'):
                return int(float(line.split()[-1]))
        return 0

    def seed_phones(self, phones: int) -> tuple[list[Login], Login]:
        """``phones`` field people (volunteers and guards) and a dispatcher, each with a
        login-session row and the signed session cookie the app would set at login."""
        from sqlalchemy import insert

        from app.extensions import db
        from app.types import utcnow
        from volunteers.models import Community, LoginSession, PoliceArea, Station, User
        from volunteers.services import hash_password

        app = self.app
        with app.app_context():
            area = PoliceArea(
                station=Station(name="规模派出所"),
                name="规模警务区",
                center_lat=CENTER[0],
                center_lon=CENTER[1],
            )
            community = Community(police_area=area, name="规模社区")
            db.session.add_all([area, community])
            db.session.flush()
            hashed = hash_password("bench-scale-password", "pbkdf2:sha256:1000")
            person = {"password_hash": hashed, "community_id": community.id, "active": True}
            rows = [
                {**person, "phone": f"135{i:08d}", "name": f"规模{i}", "role": ROLES[i % 2]}
                for i in range(phones)
            ]
            rows.append(
                {**person, "phone": "13900000020", "name": "规模调度", "role": "dispatcher"}
                | {"police_area_id": area.id}
            )
            made = insert(User).returning(User.id, sort_by_parameter_order=True)
            ids = list(db.session.scalars(made, rows))
            far = utcnow().replace(year=utcnow().year + 1)
            db.session.execute(
                insert(LoginSession),
                [
                    {"id": f"scale-{uid}", "user_id": uid, "created_at": utcnow()}
                    | {"expires_at": far, "user_agent": "bench", "address": "127.0.0.1"}
                    for uid in ids
                ],
            )
            db.session.commit()
            sign = app.session_interface.get_signing_serializer(app).dumps  # type: ignore[attr-defined]
            logins = [Login(uid, sign({"_user_id": f"scale-{uid}", "_fresh": True})) for uid in ids]
            db.engine.dispose()
        return logins[:-1], logins[-1]


def worker_pid(master: int) -> int:
    """gunicorn's worker (the master's only child), or ``master`` itself when it has no child
    (``wanjia run``)."""
    children = []
    for task in Path(f"/proc/{master}/task").iterdir():
        children += (task / "children").read_text().split()
    return int(children[0]) if children else master


def worker_rss_kb(master: int) -> int:
    pid = worker_pid(master)
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user and system) these processes have used."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_busy_s() -> float:
    """CPU time every CPU of the machine has spent on anything but idling."""
    jiffies = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(jiffies) - jiffies[3] - jiffies[4]) / os.sysconf("SC_CLK_TCK")  # idle, iowait


def stop(*processes: subprocess.Popen[bytes]) -> None:
    """End each process's session: the server and everything it started. A bench needs no
    graceful stop (gunicorn would give open websockets 20 s), so a short grace, then SIGKILL."""
    for sig, grace in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 10.0)):
        for process in processes:
            if process.poll() is None:  # not reaped: its group id is still ours
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, sig)
        deadline = time.monotonic() + grace
        for process in processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
