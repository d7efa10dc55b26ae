"""A server too busy to reach its database in time answers 503 "server busy" with Retry-After in
the person's language, never a 500 with a stack trace: a herd of phones waiting past the
connection pool's timeout, or past the busy timeout for this process's SQLite writer (all
phones reconnecting after a restart and sharing their positions at once did both)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from app import uow as uow_module
from app.extensions import db
from app.outage import RETRY_AFTER_S
from app.roles import Role
from app.uow import unit_of_work
from realtime import events

ZH = "服务器现在很忙，请稍后再试。"
EN = "The server is very busy just now. Please try again in a moment."
ONE_CONNECTION = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0, "pool_timeout": 0.3}
}


@contextmanager
def the_only_connection_taken(app) -> Iterator[None]:
    """Taken outside any app context: requests made meanwhile must have contexts of their own
    (inside one, the test client's requests would share its ``g``)."""
    with app.app_context():
        engine = db.engine
    with engine.connect():
        yield


@contextmanager
def the_writer_taken(app) -> Iterator[None]:
    """Another request's unit of work holds this process's SQLite writer meanwhile."""
    taken, done = threading.Event(), threading.Event()

    def hold() -> None:
        with app.app_context(), unit_of_work():
            taken.set()
            done.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait(5)
    try:
        yield
    finally:
        done.set()
        holder.join()


def _no_stack_traces(caplog) -> None:
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


@pytest.mark.parametrize("app_settings", [ONE_CONNECTION])
def test_no_connection_in_time_is_a_503_in_the_persons_language(
    app, client, logged_in, app_settings, caplog
):
    logged_in(Role.VOLUNTEER)
    with the_only_connection_taken(app):
        for lang, words in (("zh-CN", ZH), ("en", EN)):
            answer = client.get("/api/me", headers={"Accept-Language": lang})
            assert answer.status_code == 503
            assert answer.headers["Retry-After"] == str(RETRY_AFTER_S)
            assert answer.get_json()["error"] == {"code": "server_busy", "message": words}
        page = client.get("/profile", headers={"Accept": "text/html"})
        assert page.status_code == 503 and ZH in page.get_data(as_text=True)
    assert client.get("/api/me").status_code == 200  # the moment has passed
    _no_stack_traces(caplog)


@pytest.mark.parametrize("app_settings", [ONE_CONNECTION])
def test_a_socket_event_is_told_the_server_is_busy_and_stays_connected(
    app, make_user, client, socket_client, app_settings, caplog
):
    from tests.conftest import log_in

    log_in(client, make_user(Role.VOLUNTEER, location_consent=True))
    field = socket_client(events.FIELD_NS)
    assert field.emit(events.SET_DUTY, {"on_duty": True}, namespace=events.FIELD_NS, callback=True)
    with the_only_connection_taken(app):
        answer: Any = field.emit(
            events.POSITION,
            {"lat": 33.38, "lon": 120.16, "accuracy": 10},
            namespace=events.FIELD_NS,
            callback=True,
        )
    assert answer["error"]["code"] == "server_busy"
    assert field.is_connected(events.FIELD_NS)
    again: Any = field.emit(
        events.POSITION,
        {"lat": 33.38, "lon": 120.16, "accuracy": 10},
        namespace=events.FIELD_NS,
        callback=True,
    )
    assert again == {"ok": True}
    _no_stack_traces(caplog)


def test_the_sqlite_writer_taken_too_long_is_a_503(app, client, logged_in, monkeypatch, caplog):
    logged_in(Role.VOLUNTEER)
    monkeypatch.setattr(uow_module, "SQLITE_BUSY_TIMEOUT_MS", 300)
    with the_writer_taken(app):
        answer = client.post("/api/me/duty", json={"on_duty": False})
    assert answer.status_code == 503, answer.get_json()
    assert answer.get_json()["error"]["code"] == "server_busy"
    assert client.post("/api/me/duty", json={"on_duty": False}).status_code == 200
    _no_stack_traces(caplog)


@pytest.mark.parametrize(
    "app_settings",
    [{"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 2, "max_overflow": 0, "pool_timeout": 3}}],
)
def test_a_herd_making_the_presence_store_does_not_wait_on_itself(app, app_settings):
    """Phones reconnecting after a restart all ask for the new presence store at once, each
    holding the connection its login was read with. Making the store read the saved positions
    through a second connection, which every waiter held back: the pool ran dry until its
    timeout and the herd answered 500 (bench/dispatch.py, 300 phones on a loaded machine)."""
    from sqlalchemy import text

    from realtime.presence_backend import presence_for

    failures: list[BaseException] = []
    start = threading.Barrier(2)  # as many phones as pooled connections, all holding one

    def phone() -> None:
        try:
            with app.app_context():
                db.session.execute(text("SELECT 1"))  # as the login lookup does
                start.wait(5)
                presence_for(app)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    herd = [threading.Thread(target=phone) for _ in range(2)]
    for thread in herd:
        thread.start()
    for thread in herd:
        thread.join(20)
    assert failures == []
