"""A writing request is one unit of work: what its view opens joins it, and a failure keeps
nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from app.uow import unit_of_work, writing_request
from checkins.models import PatrolDay


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
