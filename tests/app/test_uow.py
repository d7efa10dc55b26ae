"""A writing request is one unit of work: what its view opens joins it, and a failure keeps
nothing. A unit owns one connection and transaction; ORM work joins it."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import event, func, select, text

from app.extensions import db
from app.joined_session import JoinedSession
from app.uow import unit_of_work, writing_request
from checkins import streaks
from checkins.models import PatrolDay
from volunteers.models import User

DAY = date(2026, 12, 1)


def _days(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PatrolDay))


@pytest.mark.both_databases
def test_the_views_unit_of_work_is_the_requests_own(app, make_user):
    person = make_user()
    opened = []

    @writing_request
    def view() -> str:
        db.session.get(type(person), person.id)  # like the login lookup: inside the same unit
        reading = db.session().get_transaction()
        with unit_of_work() as uow:
            assert uow.session.get_transaction() is reading  # joined, not a second transaction
            opened.append(uow)
            uow.session.add(PatrolDay(user_id=person.id, day=person.created_at.date()))
            uow.commit()
        with unit_of_work() as after:  # once committed, a new unit begins
            opened.append(after)
        return "ok"

    with app.test_request_context("/", method="POST"):
        assert view() == "ok"
    assert opened[0] is not opened[1]
    assert _days(app) == 1


@pytest.mark.both_databases
def test_a_failing_writing_request_keeps_nothing(app, make_user):
    person = make_user()

    @writing_request
    def view() -> str:
        with unit_of_work() as uow:
            uow.session.add(PatrolDay(user_id=person.id, day=person.created_at.date()))
            uow.session.flush()
            raise RuntimeError("boom")

    with app.test_request_context("/", method="POST"), pytest.raises(RuntimeError):
        view()
    assert _days(app) == 0
    with app.app_context(), unit_of_work() as uow:  # the writer lock was let go
        uow.session.add(PatrolDay(user_id=person.id, day=person.created_at.date()))
        uow.commit()
    assert _days(app) == 1


def test_the_connection_is_looked_up_once_per_transaction(app):
    with app.app_context(), unit_of_work() as uow:
        first = uow.connection
        assert uow.connection is first
        uow.commit()
    with app.app_context(), unit_of_work() as uow:
        assert uow.connection.execute(text("SELECT 1")).scalar() == 1
        uow.commit()


def _streak_days(app, user_id: int) -> set:
    with app.app_context():
        return set(db.session.scalars(select(PatrolDay.day).where(PatrolDay.user_id == user_id)))


@pytest.mark.both_databases
def test_a_unit_that_runs_only_prebuilt_statements_begins_no_session_transaction(
    app, make_user
):
    person = make_user()
    here = threading.get_ident()
    begun: list[int] = []

    def count(*_args: object) -> None:
        if threading.get_ident() == here:  # other tests' servers may still run in this process
            begun.append(1)

    event.listen(JoinedSession, "after_transaction_create", count)
    try:
        with app.app_context(), unit_of_work() as uow:
            streaks.record_day(uow.connection, person.id, DAY)
            uow.commit()
    finally:
        event.remove(JoinedSession, "after_transaction_create", count)
    assert begun == []
    assert _streak_days(app, person.id) == {DAY}


@pytest.mark.both_databases
def test_orm_work_joins_the_units_transaction_and_both_commit_or_neither(app, make_user):
    person, other = make_user(), make_user()
    with app.app_context(), pytest.raises(RuntimeError), unit_of_work() as uow:
        streaks.record_day(uow.connection, person.id, DAY)
        uow.session.add(PatrolDay(user_id=other.id, day=DAY))
        assert uow.session.connection() is uow.connection  # one connection, one transaction
        assert db.session.get(PatrolDay, (person.id, DAY)) is not None  # sees the unit's write
        raise RuntimeError("boom")
    assert _streak_days(app, person.id) == _streak_days(app, other.id) == set()
    with app.app_context(), unit_of_work() as uow:
        streaks.record_day(uow.connection, person.id, DAY)
        uow.session.add(PatrolDay(user_id=other.id, day=DAY))
        uow.commit()
    assert _streak_days(app, person.id) == _streak_days(app, other.id) == {DAY}


@pytest.mark.both_databases
def test_rows_read_before_a_unit_can_be_changed_in_it_and_read_after_it(app, make_user):
    person = make_user()
    with app.app_context():
        loaded = db.session.get(User, person.id)  # a page's read, before the unit begins
        with unit_of_work() as uow:
            loaded.on_duty = True
            uow.commit()
            assert db.session.get(User, person.id).on_duty is True  # after the unit's end
        with unit_of_work() as again:  # the writer lock and the connection were let go
            again.session.get(User, person.id).name = "改过的名字"
            again.commit()
    with app.app_context():
        row = db.session.get(User, person.id)
        assert (row.on_duty, row.name) == (True, "改过的名字")
