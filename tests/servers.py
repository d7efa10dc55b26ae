"""Real ``wanjia run`` servers for tests (and bench/phone.py) that need a whole process: a free
port of 127.0.0.1, an instance folder of their own, ``WANJIA_*`` settings, and a stop that ends
the whole process group (the server and anything it started, such as the embedded Celery
worker). Failures raise RuntimeError with the server's log, so a benchmark can report them."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import requests

from checkins import tokens

ROOT = Path(__file__).resolve().parents[1]
WANJIA = Path(sys.executable).with_name("wanjia")


def server_env(instance: Path, **settings: str) -> dict[str, str]:
    """This process's environment without its ``WANJIA_*`` settings, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANJIA_")}
    env.update(
        WANJIA_INSTANCE_PATH=str(instance),
        # Scrypt costs 0.12 s a login; these tests are about pages, not the hash.
        WANJIA_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
        PYTHONUNBUFFERED="1",
        **{f"WANJIA_{k}": v for k, v in settings.items()},
    )
    return env


class Server:
    def __init__(self, base: str, instance: Path) -> None:
        self.base, self.instance = base, instance
        self.port = int(base.rsplit(":", 1)[1])

    @property
    def log(self) -> str:
        return (self.instance / "server.log").read_text()

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with closing(sqlite3.connect(self.instance / "wanjia.db")) as db:
            return db.execute(sql, args).fetchall()

    def poster_path(self, point_id: int, version: int) -> str:
        key = tokens.signing_key((self.instance / "secret_key").read_text().strip())
        return tokens.check_in_path(tokens.sign(key, point_id, version))


def seed_demo(folder: Path) -> Path:
    """The demo police area in ``folder``: its database file."""
    subprocess.run(
        [str(WANJIA), "demo"],
        cwd=ROOT,
        env=server_env(folder),
        check=True,
        capture_output=True,
        timeout=120,
    )
    return folder / "wanjia.db"


def copy_database(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launch(
    instance: Path,
    *,
    tls: bool = False,
    worker: bool = False,
    port: int | None = None,
    **settings: str,
) -> tuple[subprocess.Popen[bytes], Server]:
    """``wanjia run`` on 127.0.0.1 (a free port unless given), answering /healthz, in its own
    process group; its output goes to ``instance/server.log`` (appended: restarts add to it)."""
    port = port or free_port()
    command = [str(WANJIA), "run", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--tls" if tls else "--no-tls"] + ([] if worker else ["--no-worker"])
    with (instance / "server.log").open("ab") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=server_env(instance, **settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = Server(f"{'https' if tls else 'http'}://127.0.0.1:{port}", instance)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"wanjia run exited with {process.returncode}:\n{server.log}")
        try:
            health = requests.get(f"{server.base}/healthz", timeout=1, verify=False)  # noqa: S501
            if health.status_code == 200:
                return process, server
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"wanjia run did not answer in 60 s:\n{server.log}")
        time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> None:
    """End the whole process group: the server and anything it started."""
    for sig, grace in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break  # nobody left in the group
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; whatever it left behind in the group gets SIGKILL next round.
    process.wait(timeout=5)


@contextmanager
def running(instance: Path, **options: Any) -> Iterator[Server]:
    """``launch`` for a ``with`` block: the server is stopped when the block ends."""
    process, server = launch(instance, **options)
    try:
        yield server
    finally:
        stop(process)


class OwnRedis:
    """A redis-server of a test's (or benchmark's) own, without persistence like the machine's:
    a restart loses everything, and nobody else's Pub/Sub or keys reach it."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - a fixed command line
            [
                str(shutil.which("redis-server")),
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


@contextmanager
def own_redis(folder: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
