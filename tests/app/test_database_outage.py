"""PostgreSQL's connections dropped (issue 22): requests and socket events are answered 503
with Retry-After in the person's language, and once the database takes connections again the
same requests succeed without a restart; a check-in retried after the outage is stored once.

Each test has a database of its own, made unreachable as an outage would: new connections
refused (``ALLOW_CONNECTIONS false``) and the open ones terminated by the server."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app import create_app
from app.extensions import db, socketio
from app.outage import RETRY_AFTER_S, is_outage
from app.roles import Role
from app.uow import unit_of_work
from checkins import tokens
from checkins.models import CheckIn, PatrolPoint
from checkins.policy import signing_key
from realtime import events
from tests.conftest import PASSWORD, PG_SERVER, _settings
from tests.servers import running

ZH = "暂时无法连接数据库，请稍后再试"
EN = "The service is briefly unavailable, try again in a moment"
LANGS = [("zh-CN", ZH), ("en", EN)]


class OwnDatabase:
    """A PostgreSQL database of this test's own, which it can cut off and let back."""

    def __init__(self) -> None:
        self.name = f"wj_outage_{uuid.uuid4().hex[:12]}"
        server = make_url(PG_SERVER)
        self.url = server.set(database=self.name).render_as_string(hide_password=False)
        admin = server.set(drivername="postgresql", database="postgres", query={})
        self._admin = psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True)
        self._admin.execute(f'CREATE DATABASE "{self.name}"')

    def cut_off(self) -> None:
        self._admin.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false')
        self._admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (self.name,),
        )

    def let_back(self) -> None:
        self._admin.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')

    def drop(self) -> None:
        self._admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._admin.close()


@pytest.fixture
def own_db() -> Iterator[OwnDatabase]:
    database = OwnDatabase()
    yield database
    database.drop()


@pytest.fixture
def app(own_db: OwnDatabase, tmp_path: Path) -> Iterator[Flask]:
    """The conftest's ``app``, on this test's own database (so its fixtures use it too)."""
    instance = tmp_path / "instance"
    instance.mkdir()
    application = create_app(_settings(DATABASE_URL=own_db.url), str(instance))
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def point(app: Flask, area: dict[str, Any]) -> tuple[int, str]:
    """A patrol point's id and its poster's token."""
    with app.app_context(), unit_of_work() as uow:
        made = PatrolPoint(
            name="菜市场入口", lat=33.38, lon=120.16, radius_m=50, grid_id=area["grid_ids"][0]
        )
        uow.session.add(made)
        uow.commit()
        return made.id, tokens.sign(signing_key(), made.id, made.poster_version)


def _checkin(token: str, client_id: str) -> dict[str, Any]:
    """A scan 11 m from the point (on its exact coordinates it would be held as doubtful)."""
    return {"token": token, "lat": 33.3801, "lon": 120.16, "accuracy": 10, "client_id": client_id}


def _stored(app: Flask, client_id: str) -> int:
    with app.app_context():
        query = select(func.count()).where(CheckIn.client_id == client_id)
        return int(db.session.scalar(query) or 0)


def test_an_outage_is_a_503_in_the_persons_language_then_everything_works_again(
    app, client, logged_in, point, own_db, caplog
):
    logged_in(Role.VOLUNTEER)
    point_id, token = point
    page = tokens.check_in_path(token)
    field = socketio.test_client(app, namespace=events.FIELD_NS, flask_test_client=client)
    field.get_received(events.FIELD_NS)
    assert client.get(page).status_code == 200
    own_db.cut_off()

    caplog.set_level(logging.INFO)
    for lang, words in LANGS:
        shown = client.get(page, headers={"Accept-Language": lang, "Accept": "text/html"})
        assert shown.status_code == 503
        assert shown.headers["Retry-After"] == str(RETRY_AFTER_S)
        assert shown.mimetype == "text/html" and words in shown.get_data(as_text=True)
        sent = client.post(
            "/api/checkins", json=_checkin(token, "after-outage"), headers={"Accept-Language": lang}
        )
        assert sent.status_code == 503
        assert sent.headers["Retry-After"] == str(RETRY_AFTER_S)
        error = sent.get_json()["error"]
        assert error["code"] == "database_unavailable" and words in error["message"]
    # A socket event too: an error event, not a dead handler; the connection stays.
    answer: Any = field.emit(
        events.SET_DUTY, {"on_duty": False}, namespace=events.FIELD_NS, callback=True
    )
    assert answer["error"]["code"] == "database_unavailable"
    [sent_error] = [m for m in field.get_received(events.FIELD_NS) if m["name"] == events.ERROR]
    assert sent_error["args"][0] == answer
    assert field.is_connected(events.FIELD_NS)
    # A socket connecting meanwhile is refused with the same code (it joined no room).
    late = socketio.test_client(app, namespace=events.FIELD_NS, flask_test_client=client)
    assert not late.is_connected(events.FIELD_NS)

    # One warning for the whole outage, no stack traces.
    outage_lines = [r for r in caplog.records if "database unreachable" in r.getMessage()]
    assert len(outage_lines) == 1 and outage_lines[0].levelno == logging.WARNING
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]

    own_db.let_back()
    assert client.get(page).status_code == 200
    assert [r for r in caplog.records if "database reachable again" in r.getMessage()]
    # The phone's queue sends the check-in again: stored once, the next resend is a replay.
    assert client.post("/api/checkins", json=_checkin(token, "after-outage")).status_code == 201
    assert client.post("/api/checkins", json=_checkin(token, "after-outage")).status_code == 200
    assert _stored(app, "after-outage") == 1
    state: Any = field.emit(
        events.SET_DUTY, {"on_duty": False}, namespace=events.FIELD_NS, callback=True
    )
    assert state["on_duty"] is False and "error" not in state
    field.disconnect(events.FIELD_NS)


def test_other_database_errors_are_no_outage(app, own_db):
    """A query cut short by its timeout on PostgreSQL, or SQLite's errors, stay 500s."""
    with app.app_context(), db.engine.connect() as connection:
        connection.execute(text("SET statement_timeout = 10"))
        with pytest.raises(OperationalError) as timed_out:
            connection.execute(text("SELECT pg_sleep(1)"))
    assert not is_outage(timed_out.value)
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_sqlite_is_unaffected(tmp_path):
    sqlite = create_app(_settings(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}"), str(tmp_path))
    assert "pool_pre_ping" not in sqlite.config["SQLALCHEMY_ENGINE_OPTIONS"]
    with sqlite.app_context(), db.engine.connect() as connection:
        with pytest.raises(OperationalError) as missing:
            connection.execute(text("SELECT * FROM nowhere"))
        db.engine.dispose()
    assert not is_outage(missing.value)


def test_a_real_server_answers_503_during_the_outage_and_recovers(
    app, make_user, point, own_db, tmp_path
):
    user = make_user(Role.VOLUNTEER)
    _point_id, token = point
    page = tokens.check_in_path(token)
    instance = tmp_path / "server"
    instance.mkdir()
    settings = {"DATABASE_URL": own_db.url, "SECRET_KEY": app.config["SECRET_KEY"]}
    with running(instance, **settings) as server, requests.Session() as phone:
        csrf = {"X-CSRFToken": _csrf(phone, f"{server.base}/login")}
        login = phone.post(
            f"{server.base}/login",
            json={"phone": user.phone, "password": PASSWORD},
            headers=csrf,
        )
        assert login.status_code == 200, login.text
        csrf = {"X-CSRFToken": _csrf(phone, f"{server.base}{page}")}
        own_db.cut_off()
        for lang, words in LANGS:
            shown = phone.get(f"{server.base}{page}", headers={"Accept-Language": lang})
            assert shown.status_code == 503 and words in shown.text
            assert shown.headers["Retry-After"] == str(RETRY_AFTER_S)
            sent = phone.post(
                f"{server.base}/api/checkins",
                json=_checkin(token, "served"),
                headers={"Accept-Language": lang, **csrf},
            )
            assert sent.status_code == 503 and words in sent.json()["error"]["message"]
        own_db.let_back()
        assert phone.get(f"{server.base}{page}").status_code == 200
        again = phone.post(
            f"{server.base}/api/checkins", json=_checkin(token, "served"), headers=csrf
        )
        assert again.status_code == 201, again.text
        log = server.log
    assert _stored(app, "served") == 1
    assert log.count("database unreachable") == 1 and "Traceback" not in log
    assert "database reachable again" in log


def _csrf(phone: requests.Session, url: str) -> str:
    """The page's CSRF token, as the check-in page's script sends it."""
    body = phone.get(url).text
    return body.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
