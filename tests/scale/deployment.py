"""The scaled mode as an operator starts it: ``scripts/deploy.sh`` runs nginx (TLS, sticky by
cookie) in front of two ``wanjia serve`` processes, a Celery worker and beat, on a PostgreSQL
database and a redis-server of this deployment's own (which a test may restart), with the demo
seeded.

Phones reach it only through nginx over HTTPS, trusting the instance's own authority as a phone
that installed it does. ``pin`` finds a value of nginx's route cookie that lands on a chosen
process (nginx's access log names the process that served each request), so a test can put a
phone on process A and a console on B."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import requests
import socketio

from tests.servers import OwnRedis, free_port

ROOT = Path(__file__).resolve().parents[2]
WANJIA = str(Path(sys.executable).with_name("wanjia"))
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "wanjia2026"  # the demo's


class Deployment:
    def __init__(self, folder: Path, **settings: str) -> None:
        self.folder = folder
        self.instance = folder / "instance"
        self.run_dir = folder / "run"
        self.database = f"wj_scale_{uuid.uuid4().hex[:10]}"
        self.redis = OwnRedis(folder)
        self.redis_url = self.redis.url
        self.web_ports = [free_port(), free_port()]
        self.https_port = free_port()
        self.base = f"https://127.0.0.1:{self.https_port}"
        self.ca = self.instance / "tls" / "ca.pem"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("WANJIA_")}
        self.env.update(
            WANJIA_INSTANCE_PATH=str(self.instance),
            WANJIA_DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.database}",
            WANJIA_REDIS_URL=self.redis_url,
            WANJIA_SECRET_KEY=uuid.uuid4().hex + uuid.uuid4().hex,
            WANJIA_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
            WANJIA_RATELIMIT_ENABLED="false",
            DEPLOY_DIR=str(self.run_dir),
            DEPLOY_WEB_PORTS=" ".join(map(str, self.web_ports)),
            DEPLOY_HTTPS=f"127.0.0.1:{self.https_port}",
            DEPLOY_HTTP="",
            DEPLOY_HOSTS="127.0.0.1 localhost",
            DEPLOY_NGINX_WORKERS="1",
            PYTHONUNBUFFERED="1",
            **{f"WANJIA_{k}": v for k, v in settings.items()},
        )
        self._pins: dict[int, str] = {}

    # -- the set ------------------------------------------------------------------------

    def start(self) -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.database}"')
        self.redis.start()
        subprocess.run(
            [WANJIA, "demo"], cwd=ROOT, env=self.env, check=True, capture_output=True, timeout=180
        )
        self.deploy("start")

    def deploy(self, action: str) -> str:
        done = subprocess.run(
            ["bash", str(ROOT / "scripts" / "deploy.sh"), action],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        if done.returncode != 0:
            raise RuntimeError(f"deploy.sh {action} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def stop(self) -> None:
        try:
            self.deploy("stop")
        finally:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            self.redis.stop()

    def pid(self, name: str) -> int:
        return int((self.run_dir / f"{name}.pid").read_text())

    def kill(self, name: str) -> None:
        """kill -9 a process of the set and all it started (its session)."""
        os.killpg(self.pid(name), signal.SIGKILL)
        (self.run_dir / f"{name}.pid").unlink()

    def log(self, name: str) -> str:
        return (self.run_dir / f"{name}.log").read_text(errors="replace")

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        url = f"postgresql://postgres@127.0.0.1:5432/{self.database}"
        with psycopg.connect(url) as conn:
            return conn.execute(sql, args).fetchall()

    # -- phones and consoles ------------------------------------------------------------

    def session(self, port: int | None = None) -> requests.Session:
        """A browser-like HTTPS session, kept to process ``port`` when given."""
        http = requests.Session()
        http.trust_env = False  # the machine's REQUESTS_CA_BUNDLE would replace ``verify``
        http.verify = str(self.ca)
        if port is not None:
            http.cookies.set("wanjia_route", self.pin(port), domain="127.0.0.1", path="/")
        return http

    def served_by(self, http: requests.Session) -> int:
        """The process that serves this session's requests, from nginx's access log."""
        probe = uuid.uuid4().hex
        assert http.get(f"{self.base}/healthz?probe={probe}", timeout=10).ok
        for _ in range(50):
            log = (self.run_dir / "nginx-access.log").read_text()
            found = re.search(rf"probe={probe} .* upstream=127\.0\.0\.1:(\d+)", log)
            if found:
                return int(found[1])
            time.sleep(0.1)  # nginx writes the line after the answer
        raise AssertionError(f"no access-log line for probe {probe}")

    def pin(self, port: int) -> str:
        """A route cookie value that nginx sends to process ``port``."""
        if port not in self._pins:
            for attempt in range(64):
                value = f"pin{port}x{attempt}"
                http = self.session()
                http.cookies.set("wanjia_route", value, domain="127.0.0.1", path="/")
                self._pins[self.served_by(http)] = value
                if port in self._pins:
                    break
        return self._pins[port]

    def login(self, phone: str, port: int | None = None) -> requests.Session:
        http = self.session(port)
        page = http.get(f"{self.base}/login", timeout=10).text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page)
        assert token, page[:500]
        answer = http.post(
            f"{self.base}/login",
            json={"phone": phone, "password": PASSWORD},
            # Flask-WTF checks the Referer of HTTPS form posts, as browsers send it.
            headers={"X-CSRFToken": token[1], "Referer": f"{self.base}/login"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        # Logging in starts a new session, with a new CSRF token: read it as a page would.
        page = http.get(f"{self.base}/", timeout=10).text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page)
        assert token, page[:500]
        http.headers.update({"X-CSRFToken": token[1], "Referer": f"{self.base}/"})
        return http

    def socket(
        self,
        http: requests.Session,
        namespace: str,
        listen: dict[str, list[Any]] | None = None,
        on_disconnect: Callable[[], None] | None = None,
        polling_first: bool = False,
        **options: Any,
    ) -> socketio.Client:
        """A Socket.IO client on this session's cookies: a websocket, as our pages open first;
        ``polling_first``, long-polling upgraded to a websocket, as a phone whose network
        blocks websockets falls back to (so the route cookie must hold across both)."""
        # Its log is shown only when a test fails: which packets came, which connection dropped.
        client = socketio.Client(http_session=http, logger=True, engineio_logger=True, **options)
        for event, received in (listen or {}).items():
            client.on(event, received.append, namespace=namespace)
        if on_disconnect is not None:
            client.on("disconnect", on_disconnect, namespace=namespace)
        cookies = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
        client.connect(
            self.base,
            namespaces=[namespace],
            headers={"Cookie": cookies},
            transports=["polling", "websocket"] if polling_first else ["websocket", "polling"],
            wait_timeout=15,
        )
        return client


def wait_for(check: Callable[[], Any], seconds: float = 15, what: str = "") -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what or check}")
        time.sleep(0.1)


def metric_lines(port: int, *prefixes: str) -> list[str]:
    """The lines of a web process's /metrics, read from it straight (not through nginx), that
    start with one of ``prefixes``: each series' count and sum, without histogram buckets."""
    answer = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    answer.raise_for_status()
    return [
        line
        for line in answer.text.splitlines()
        if line.startswith(prefixes) and "_bucket" not in line and "_created" not in line
    ]
