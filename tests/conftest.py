"""Shared fixtures: an app per test on its own migrated database, clients, factories.

SQLite: the migrations run once into a template file that each test copies (a fresh database in
about a millisecond). PostgreSQL: the migrations run once per xdist worker into that worker's own
schema of the ``test`` database, and every table is truncated after each test. Either way the
code under test commits for real, so after-commit hooks really run.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text

from app import create_app
from app.config import TestConfig
from app.extensions import db, socketio
from app.roles import Role
from app.uow import unit_of_work
from checkins.models import PatrolPoint
from volunteers import duty, services
from volunteers.models import Community, Grid, PoliceArea, Station, Team, User

PG_SERVER = os.environ.get("WANJIA_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "secret-pass-1"


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.db"
    app = create_app(_settings(DATABASE_URL=f"sqlite:///{path}"), str(folder))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    # One schema per test run and worker, so two checkouts testing at once never collide.
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
    schema = f"wj_{run[:8]}_{_worker()}"
    engine = create_engine(PG_SERVER)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # noqa: BLE001 - a missing server must say so plainly
        pytest.fail(f"PostgreSQL is not reachable at {PG_SERVER}: {exc}")
    finally:
        engine.dispose()
    yield f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    engine = create_engine(PG_SERVER)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def pg_migrated(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("pg-instance")
    app = create_app(_settings(DATABASE_URL=pg_url), str(folder))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return pg_url


def _truncate_all(app: Flask) -> None:
    with app.app_context():
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def _settings(**overrides: Any) -> dict[str, Any]:
    settings = {k: v for k, v in vars(TestConfig).items() if k.isupper()}
    settings.update(overrides)
    return settings


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """Which database a test runs on: SQLite, or both for tests marked ``both_databases``."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Override in a test module to change settings for every test in it."""
    return {}


@pytest.fixture
def app(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, app_settings: dict[str, Any]
) -> Iterator[Flask]:
    instance = tmp_path / "instance"
    instance.mkdir()
    if backend == "sqlite":
        database = instance / "wanjia.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), database)
        url = f"sqlite:///{database}"
    else:
        url = request.getfixturevalue("pg_migrated")
    application = create_app(_settings(DATABASE_URL=url, **app_settings), str(instance))
    # No app context stays pushed: each request, socket event and ``ctx`` block gets its own,
    # as in production, so sessions and per-request caches never leak between them.
    yield application
    if backend == "postgresql":
        _truncate_all(application)
    with application.app_context():
        db.engine.dispose()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "both_databases"
    ):
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_databases: run the test on SQLite and on PostgreSQL")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        metavar="INSTANT",
        help="start every test's clock at this instant (ISO 8601, e.g. 2026-12-05T15:59:30+00:00, "
        "a minute before midnight in Shanghai) and let it run: finds tests that pass only at "
        "some hours. Moves this process's clock only, not the browser's or a server's.",
    )


@pytest.fixture(autouse=True)
def _clock(request: pytest.FixtureRequest) -> Iterator[None]:
    instant = request.config.getoption("--clock")
    if instant is None:
        yield
        return
    with time_machine.travel(datetime.fromisoformat(instant), tick=True):
        yield


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An app context for tests that call services directly."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def area(app: Flask) -> dict[str, Any]:
    """A station's police area with one community, two grids and a team."""
    with app.app_context(), unit_of_work() as uow:
        station = Station(name="测试派出所")
        police_area = PoliceArea(
            station=station, name="测试警务区", center_lat=33.38, center_lon=120.16
        )
        community = Community(police_area=police_area, name="测试社区")
        grids = [Grid(community=community, code=f"G0{i}", name=f"第{i}网格") for i in (1, 2)]
        uow.session.add_all([police_area, community, *grids])
        uow.session.flush()
        team = Team(community_id=community.id, name="巡防一队")
        uow.session.add(team)
        uow.commit()
    return {
        "station_id": station.id,
        "police_area_id": police_area.id,
        "community_id": community.id,
        "grid_ids": [g.id for g in grids],
        "team_id": team.id,
    }


@pytest.fixture
def second_area(app: Flask, area: dict[str, Any]) -> dict[str, Any]:
    """A second police area of the same station, for the walls between areas: a community, a
    grid and one patrol point (北门)."""
    with app.app_context(), unit_of_work() as uow:
        police_area = PoliceArea(
            station_id=area["station_id"], name="城北警务区", center_lat=33.41, center_lon=120.16
        )
        community = Community(police_area=police_area, name="北湖社区")
        grid = Grid(community=community, code="N01", name="北湖第1网格")
        uow.session.add_all([police_area, community, grid])
        uow.session.flush()
        point = PatrolPoint(name="北门", lat=33.41, lon=120.16, grid_id=grid.id)
        uow.session.add(point)
        uow.commit()
    return {
        "police_area_id": police_area.id,
        "community_id": community.id,
        "grid_id": grid.id,
        "point_id": point.id,
    }


STAFF_PASSWORD = "a-long-pass-2026"  # police-room accounts need 10+ characters


@pytest.fixture
def outsider(app: Flask, second_area: dict[str, Any]) -> User:
    """An officer of the second area (log in with ``STAFF_PASSWORD``)."""
    with app.app_context(), unit_of_work() as uow:
        officer = services.create_user(
            uow,
            name="王警官",
            phone="13900000101",
            password=STAFF_PASSWORD,
            role=Role.OFFICER,
            placement=services.Placement(second_area["community_id"]),
            hash_method=app.config["PASSWORD_HASH_METHOD"],
        )
        uow.commit()
    return officer


@pytest.fixture
def make_user(app: Flask, area: dict[str, Any]) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(
        role: Role | str = Role.VOLUNTEER,
        *,
        name: str | None = None,
        phone: str | None = None,
        password: str = PASSWORD,
        location_consent: bool = False,
    ) -> User:
        n = next(counter)
        with app.app_context(), unit_of_work() as uow:
            user = services.create_user(
                uow,
                name=name or f"测试{role}{n}",
                phone=phone or f"135{n:08d}",
                password=password,
                role=role,
                placement=services.Placement(
                    area["community_id"], area["grid_ids"][0], area["team_id"]
                ),
                hash_method=app.config["PASSWORD_HASH_METHOD"],
            )
            if location_consent:
                duty.record_consent(uow, user.id, duty.CONSENT_LOCATION, granted=True)
            uow.commit()
        return user

    return make


def log_in(client: FlaskClient, user: User, password: str = PASSWORD) -> Any:
    response = client.post("/login", json={"phone": user.phone, "password": password})
    assert response.status_code == 200, response.get_json()
    return response


@pytest.fixture
def logged_in(client: FlaskClient, make_user: Callable[..., User]) -> Callable[..., User]:
    """``logged_in(role)`` creates a person of that role and logs the test client in as them."""

    def login_as(role: Role | str = Role.VOLUNTEER, **kwargs: Any) -> User:
        user = make_user(role, **kwargs)
        log_in(client, user)
        return user

    return login_as


@pytest.fixture
def socket_client(app: Flask, client: FlaskClient) -> Callable[..., Any]:
    """``socket_client(namespace)`` connects with the HTTP client's cookies (its login)."""
    made: list[Any] = []

    def connect(namespace: str, **kwargs: Any) -> Any:
        sock = socketio.test_client(app, namespace=namespace, flask_test_client=client, **kwargs)
        made.append(sock)
        return sock

    yield connect
    for sock in made:
        for ns in ("/field", "/console"):
            if sock.is_connected(ns):
                sock.disconnect(ns)


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """``with count_queries() as queries: ...``: ``queries`` lists the SQL statements this thread
    sent to the database meanwhile (transaction control left out), for query budgets."""
    with app.app_context():
        engine = db.engine

    @contextmanager
    def counting() -> Iterator[list[str]]:
        here, seen = threading.get_ident(), []

        def note(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            if threading.get_ident() == here and not statement.startswith(("BEGIN", "SAVEPOINT")):
                seen.append(statement)

        event.listen(engine, "before_cursor_execute", note)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", note)

    return counting
