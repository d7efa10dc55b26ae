"""The scaled mode's parts as real processes for the fault tests: a PostgreSQL database and a
redis-server of the test's own, ``wanjia worker`` and ``wanjia beat``, and Socket.IO clients
logged in over HTTP (with ``wanjia run`` from tests/servers.py)."""

from __future__ import annotations

import re
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import requests
import socketio as socketio_client
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.roles import Role
from app.uow import unit_of_work
from realtime import events
from tests.checkins.conftest import offset
from tests.conftest import PG_SERVER, STAFF_PASSWORD
from tests.servers import ROOT, WANJIA, server_env
from volunteers import services
from volunteers.duty import CONSENT_LOCATION, record_consent
from volunteers.models import Community, PoliceArea, Station

SPOT = (33.3800, 120.1600)


@dataclass(frozen=True)
class Site:
    """A migrated database of the test's own with one police area, its dispatcher and guards
    (all with location consent; every password ``STAFF_PASSWORD``)."""

    url: str
    name: str
    dispatcher: str
    guards: list[tuple[int, str]]  # (user id, phone)

    def connect(self, *, autocommit: bool = True) -> psycopg.Connection[Any]:
        return psycopg.connect(self.libpq, autocommit=autocommit)

    @property
    def libpq(self) -> str:
        return make_url(self.url).set(drivername="postgresql").render_as_string(False)


@contextmanager
def own_database(instance: Path, guards: int) -> Iterator[Site]:
    name = f"wj_faults_{uuid.uuid4().hex[:12]}"
    server = make_url(PG_SERVER).set(drivername="postgresql", database="postgres")
    admin = server.render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(PG_SERVER).set(database=name).render_as_string(False)
    try:
        yield _seed(url, name, instance, guards)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _seed(url: str, name: str, instance: Path, guards: int) -> Site:
    app = create_app({"DATABASE_URL": url, "REDIS_URL": None}, str(instance))
    with app.app_context():
        upgrade()
        with unit_of_work() as uow:
            area = PoliceArea(
                station=Station(name="故障派出所"),
                name="故障警务区",
                center_lat=SPOT[0],
                center_lon=SPOT[1],
            )
            community = Community(police_area=area, name="故障社区")
            uow.session.add_all([area, community])
            uow.session.flush()

            def person(role: Role, phone: str) -> int:
                user = services.create_user(
                    uow,
                    name=f"{role}{phone[-2:]}",
                    phone=phone,
                    password=STAFF_PASSWORD,
                    role=role,
                    placement=services.Placement(community.id),
                    hash_method="pbkdf2:sha256:1000",
                )
                record_consent(uow, user.id, CONSENT_LOCATION, granted=True)
                return user.id

            person(Role.DISPATCHER, "13900000010")
            people = [
                (person(Role.GUARD, f"137000000{n:02d}"), f"137000000{n:02d}")
                for n in range(1, guards + 1)
            ]
            uow.commit()
        db.engine.dispose()
    return Site(url, name, "13900000010", people)


def celery(kind: str, instance: Path, **settings: str) -> subprocess.Popen[bytes]:
    """``wanjia worker`` or ``wanjia beat`` in a process group of its own, its output appended
    to ``instance/<kind>.log``."""
    extra = ["--without-mingle", "--without-gossip"] if kind == "worker" else []
    with (instance / f"{kind}.log").open("ab") as log:
        return subprocess.Popen(  # noqa: S603 - a fixed command line
            [str(WANJIA), kind, *extra],
            cwd=ROOT,
            env=server_env(instance, **settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def wait_for(what: str, check: Callable[[], Any], logs: Path, timeout: float = 60) -> Any:
    """``check()``'s first true answer; failing after ``timeout`` s, with the ends of the
    ``*.log`` files in ``logs``."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            ends = [f"{p.name}:\n{p.read_text()[-2000:]}" for p in sorted(logs.glob("*.log"))]
            raise AssertionError(f"waited {timeout} s for {what}\n" + "\n".join(ends))
        time.sleep(0.1)
    return result


def login(base: str, phone: str) -> str:
    """A login by the page's own form call: the session cookie to hand to a socket."""
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=5).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token is not None
    answer = session.post(
        f"{base}/login",
        json={"phone": phone, "password": STAFF_PASSWORD},
        headers={"X-CSRFToken": token[1]},
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def sio_client(base: str, phone: str, namespace: str, **handlers: Callable[[Any], Any]) -> Any:
    client = socketio_client.Client(reconnection=False)
    for event, handler in handlers.items():
        client.on(event, handler, namespace=namespace)
    client.connect(
        base,
        namespaces=[namespace],
        transports=["websocket"],
        headers={"Cookie": login(base, phone)},
        wait_timeout=10,
    )
    return client


def on_duty_at(client: Any, metres: float) -> None:
    """Go on duty and share a position ``metres`` east of SPOT."""
    state = client.call(
        events.SET_DUTY,
        {"on_duty": True, "share_location": True},
        namespace=events.FIELD_NS,
        timeout=10,
    )
    assert state["on_duty"] is True, state
    lat, lon = offset(*SPOT, metres)
    answer = client.call(
        events.POSITION,
        {"lat": lat, "lon": lon, "accuracy": 10},
        namespace=events.FIELD_NS,
        timeout=10,
    )
    assert answer == {"ok": True}, answer
