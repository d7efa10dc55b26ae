"""The unit of work is a plain session transaction: entering begins, ``commit()`` commits and then
runs the hooks, leaving rolls back. It never commits what it did not make, and a unit inside a
unit fails at once."""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import StatementError

from app.extensions import db
from app.uow import UnitOfWorkError, unit_of_work
from checkins import streaks
from checkins.models import PatrolDay
from volunteers.models import User

DAY = date(2026, 12, 1)


def _days(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PatrolDay))


@pytest.mark.both_databases
def test_opening_a_unit_does_not_commit_changes_the_session_held(app, make_user):
    person = make_user()
    with app.app_context():
        db.session.add(PatrolDay(user_id=person.id, day=DAY))  # made outside any unit
        with pytest.raises(UnitOfWorkError, match="outside a unit"), unit_of_work():
            pass
        db.session.rollback()
    assert _days(app) == 0


@pytest.mark.both_databases
def test_opening_a_unit_does_not_commit_writes_flushed_outside_one(app, make_user):
    person = make_user()
    with app.app_context():
        streaks.record_day(db.session, person.id, DAY)  # Core statements, no unit
        with pytest.raises(UnitOfWorkError), unit_of_work():
            pass
        db.session.rollback()
        with unit_of_work() as uow:  # once rolled back, units open again
            uow.commit()
    assert _days(app) == 0


@pytest.mark.both_databases
def test_a_unit_inside_a_unit_fails_at_once_and_the_outer_one_still_commits(app, make_user):
    person = make_user()
    with app.app_context(), unit_of_work() as outer:
        outer.session.add(PatrolDay(user_id=person.id, day=DAY))
        started = time.monotonic()
        with pytest.raises(UnitOfWorkError, match="already open"), unit_of_work():
            pass
        assert time.monotonic() - started < 1  # not SQLite's busy timeout
        outer.commit()
    assert _days(app) == 1


@pytest.mark.both_databases
def test_leaving_without_commit_keeps_nothing_and_runs_no_hooks(app, make_user):
    person = make_user()
    ran: list[str] = []
    with app.app_context(), pytest.raises(RuntimeError), unit_of_work() as uow:
        uow.session.add(PatrolDay(user_id=person.id, day=DAY))
        uow.after_commit(ran.append, "announced")
        uow.session.flush()
        raise RuntimeError("boom")
    assert _days(app) == 0 and ran == []
    with app.app_context(), unit_of_work() as uow:  # the writer lock was let go
        uow.session.add(PatrolDay(user_id=person.id, day=DAY))
        uow.after_commit(ran.append, "announced")
        uow.after_commit(lambda: 1 / 0)  # a failed announcement does not undo the commit
        uow.after_commit(ran.append, "still")
        assert ran == []  # hooks wait for the commit
        uow.commit()
    assert _days(app) == 1 and ran == ["announced", "still"]


@pytest.mark.both_databases
def test_rows_read_before_a_unit_can_be_changed_in_it_and_read_after_it(app, make_user):
    person = make_user()
    with app.app_context():
        loaded = db.session.get(User, person.id)  # a page's read, before the unit begins
        with unit_of_work() as uow:
            loaded.on_duty = True
            uow.commit()
        assert db.session.get(User, person.id).on_duty is True  # after the unit's end
        assert loaded.name == person.name  # still readable
        with unit_of_work() as again:
            again.session.get(User, person.id).name = "改过的名字"
            again.commit()
    with app.app_context():
        row = db.session.get(User, person.id)
        assert (row.on_duty, row.name) == (True, "改过的名字")


@pytest.mark.both_databases
def test_a_misspelled_parameter_is_refused_not_bound_as_null(app, make_user):
    person = make_user()
    statement = select(User.name).where(User.id == bindparam("user_id"))
    with app.app_context(), unit_of_work(write=False) as uow:
        assert uow.session.scalar(statement, {"user_id": person.id}) == person.name
        with pytest.raises(StatementError, match="user_id"):
            uow.session.scalar(statement, {"user": person.id})
