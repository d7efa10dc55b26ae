"""The embedded Celery worker and broker really run tasks, including ones sent with a countdown."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.celery_app import BEAT_SCHEDULE
from app.extensions import db
from app.types import utcnow
from app.uow import unit_of_work
from app.worker import start_embedded
from volunteers.models import LoginSession
from volunteers.tasks import purge_expired_login_sessions


def _sessions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LoginSession))


def test_a_task_sent_with_a_countdown_runs_on_the_embedded_worker(app, make_user):
    user = make_user()
    with app.app_context(), unit_of_work() as uow:
        uow.session.add(
            LoginSession(id="old", user_id=user.id, expires_at=utcnow() - timedelta(days=1))
        )
        uow.session.add(
            LoginSession(id="live", user_id=user.id, expires_at=utcnow() + timedelta(days=1))
        )
        uow.commit()
    assert app.config["CELERY_BROKER_URL"] == "filesystem://"
    celery_app = app.extensions["celery"]
    embedded = start_embedded(celery_app, beat=False)
    try:
        sent_at = time.monotonic()
        purge_expired_login_sessions.apply_async(countdown=1)
        deadline = sent_at + 20
        while _sessions(app) != 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        ran_after = time.monotonic() - sent_at
    finally:
        embedded.stop()
    assert _sessions(app) == 1, "the expired login was purged by the worker"
    assert ran_after >= 1.0, "the countdown was honoured"
    with app.app_context():
        assert db.session.get(LoginSession, "live") is not None


def test_tasks_run_inside_an_app_context_and_are_safe_to_run_twice(app, make_user):
    user = make_user()
    with app.app_context(), unit_of_work() as uow:
        uow.session.add(
            LoginSession(id="old", user_id=user.id, expires_at=utcnow() - timedelta(days=1))
        )
        uow.commit()
    assert purge_expired_login_sessions.apply().result == 1
    assert purge_expired_login_sessions.apply().result == 0
    assert _sessions(app) == 0


def test_a_message_torn_by_a_crash_is_set_aside_and_the_queue_runs_on(app, make_user):
    """A process killed while writing a message leaves an empty or cut-off file in the embedded
    broker's queue; at start it is moved aside, and what was queued after it still runs."""
    user = make_user()
    with app.app_context(), unit_of_work() as uow:
        uow.session.add(
            LoginSession(id="old", user_id=user.id, expires_at=utcnow() - timedelta(days=1))
        )
        uow.commit()
    celery_app = app.extensions["celery"]
    queue = Path(celery_app.conf.broker_transport_options["data_folder_in"])
    (queue / "0000_torn.celery.msg").write_bytes(b"")
    (queue / "0001_cut.celery.msg").write_bytes(b'{"body": "eyJ')
    (queue / ".0002_unsent.celery.msg.partial").write_bytes(b'{"body": ""}')
    purge_expired_login_sessions.delay()
    embedded = start_embedded(celery_app, beat=False)
    try:
        deadline = time.monotonic() + 20
        while _sessions(app) != 0 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        embedded.stop()
    assert _sessions(app) == 0, "the task queued after the torn messages ran"
    assert sorted(p.name for p in (queue.parent / "torn").iterdir()) == [
        ".0002_unsent.celery.msg.partial",
        "0000_torn.celery.msg",
        "0001_cut.celery.msg",
    ]


def test_every_task_beat_sends_is_registered_with_the_worker(app):
    registered = set(app.extensions["celery"].tasks)
    scheduled = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert scheduled <= registered, scheduled - registered
