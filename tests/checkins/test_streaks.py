"""Streaks read from one row: each patrol day keeps the run that ends on it, whatever order the
days arrive in (late offline check-ins fill gaps), on both databases; and the migration that
added the column filled it in for the days already recorded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from app.extensions import db
from app.uow import unit_of_work
from checkins import streaks
from checkins.models import PatrolDay

TODAY = date(2026, 12, 1)


def record(app, user_id: int, *days_back: int) -> None:
    with app.app_context(), unit_of_work() as uow:
        for back in days_back:
            streaks.record_day(uow.session, user_id, TODAY - timedelta(days=back))
        uow.commit()


def current(app, user_id: int, today: date = TODAY) -> int:
    with app.app_context(), unit_of_work(write=False) as uow:
        return streaks.current(uow.session, user_id, today)


def stored(app, user_id: int) -> dict[int, int]:
    """Days back from TODAY -> the run length kept on that day's row."""
    with app.app_context(), unit_of_work(write=False) as uow:
        rows = uow.session.execute(
            select(PatrolDay.day, PatrolDay.streak).where(PatrolDay.user_id == user_id)
        )
        return {(TODAY - day).days: streak for day, streak in rows}


def run_ending_on(days_back: set[int], back: int) -> int:
    """The reference: consecutive recorded days ending on ``back`` (counted the long way)."""
    length = 0
    while back + length in days_back:
        length += 1
    return length


@pytest.mark.both_databases
def test_consecutive_days_count_up_and_a_gap_starts_again(app, make_user):
    user_id = make_user().id
    assert current(app, user_id) == 0
    record(app, user_id, 6, 5, 4)
    assert current(app, user_id, TODAY - timedelta(days=4)) == 3
    assert current(app, user_id) == 0  # the run ended three days ago
    record(app, user_id, 1)
    assert current(app, user_id) == 1  # yesterday still counts today
    record(app, user_id, 0, 0)  # the same day twice changes nothing
    assert current(app, user_id) == 2
    assert stored(app, user_id) == {6: 1, 5: 2, 4: 3, 1: 1, 0: 2}


@pytest.mark.both_databases
def test_a_late_day_that_fills_a_gap_joins_the_two_runs(app, make_user):
    user_id = make_user().id
    record(app, user_id, 5, 4, 2, 1, 0)
    assert current(app, user_id) == 3
    record(app, user_id, 3)  # a phone that was offline three days ago comes back online
    assert current(app, user_id) == 6
    assert stored(app, user_id) == {5: 1, 4: 2, 3: 3, 2: 4, 1: 5, 0: 6}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(days_back=st.lists(st.integers(min_value=0, max_value=20), max_size=15))
def test_in_any_order_every_day_keeps_the_run_that_ends_on_it(app, make_user, days_back):
    user_id = make_user().id
    record(app, user_id, *days_back)
    recorded = set(days_back)
    assert stored(app, user_id) == {back: run_ending_on(recorded, back) for back in recorded}
    latest = min(recorded, default=None)
    expected = run_ending_on(recorded, latest) if latest is not None and latest <= 1 else 0
    assert current(app, user_id) == expected


@pytest.mark.both_databases
def test_the_migration_fills_in_the_runs_of_days_already_recorded(app, make_user):
    first, second = make_user().id, make_user().id
    days = [(first, 9), (first, 8), (first, 7), (first, 3), (second, 8), (second, 7)]
    with app.app_context():
        downgrade(revision="0006")
        table = db.metadata.tables["patrol_days"]
        with db.engine.begin() as conn:
            conn.execute(
                insert(table).values(
                    [{"user_id": u, "day": TODAY - timedelta(days=b)} for u, b in days]
                ),
            )
        upgrade()
    assert stored(app, first) == {9: 1, 8: 2, 7: 3, 3: 1}
    assert stored(app, second) == {8: 1, 7: 2}
