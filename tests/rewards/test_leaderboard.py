"""Leaderboards read incremental aggregates that always agree with a GROUP BY over the ledger."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db
from app.roles import Role
from app.types import utcnow
from app.uow import unit_of_work
from rewards import leaderboard, ledger, reasons
from rewards.models import LedgerEntry, ScoreBucket, ScoreEvent
from tests.conftest import log_in


def _earn(app, user, points, reason=reasons.CHECKIN, source=None):
    with app.app_context(), unit_of_work() as uow:
        ledger.award(
            uow,
            user_id=user.id,
            delta=points,
            reason=reason,
            source_type="t",
            source_id=source or f"{user.id}-{points}-{reason}-{utcnow().timestamp()}",
        )
        uow.commit()


@pytest.mark.both_databases
def test_top_and_my_rank_follow_the_points_earned(app, client, make_user, area):
    a, b, c = make_user(name="甲"), make_user(name="乙"), make_user(name="丙")
    _earn(app, a, 30)
    _earn(app, b, 50)
    _earn(app, c, 30)
    _earn(app, b, -20, reason=reasons.REDEMPTION)  # spending does not lower a leaderboard
    log_in(client, c)
    board = client.get(
        "/leaderboards?scope=grid&period=week", headers={"Accept": "application/json"}
    ).get_json()
    assert [(s["name"], s["points"], s["rank"]) for s in board["top"]] == [
        ("乙", 50, 1),
        ("甲", 30, 2),
        ("丙", 30, 3),
    ]
    assert board["me"]["rank"] == 3
    for scope in ("team", "community", "area"):
        assert (
            client.get(
                f"/leaderboards?scope={scope}&period=all", headers={"Accept": "application/json"}
            ).get_json()["me"]["points"]
            == 30
        )


def test_a_correction_lowers_the_leaderboard_too(app, client, make_user, make_gift):
    person = make_user()
    _earn(app, person, 40)
    _earn(app, person, -15, reason=reasons.CORRECTION)
    log_in(client, person)
    me = client.get("/leaderboards?period=all", headers={"Accept": "application/json"}).get_json()[
        "me"
    ]
    assert me["points"] == 25


def test_weeks_and_months_are_separate_buckets():
    monday = datetime(2026, 11, 23, 12, tzinfo=UTC)
    keys_now = leaderboard.period_keys(monday)
    keys_last_week = leaderboard.period_keys(monday - timedelta(days=7))
    assert (
        keys_now["week"] != keys_last_week["week"] and keys_now["month"] == keys_last_week["month"]
    )
    # Sunday 20:00 UTC is Monday 04:00 in Shanghai: the local week decides.
    assert (
        leaderboard.period_keys(datetime(2026, 11, 22, 20, tzinfo=UTC))["week"] == keys_now["week"]
    )


def test_an_unknown_board_is_a_clear_error(client, logged_in):
    logged_in(Role.VOLUNTEER)
    response = client.get("/leaderboards?scope=planet", headers={"Accept": "application/json"})
    error = response.get_json()["error"]
    assert response.status_code == 422
    assert (error["code"], error["field"]) == ("invalid_input", "scope")


def test_the_team_page_shows_each_members_contribution(app, client, make_user, area):
    a, b = make_user(name="甲"), make_user(name="乙")
    _earn(app, a, 20)
    _earn(app, b, 35)
    log_in(client, a)
    page = client.get(f"/teams/{area['team_id']}").get_data(as_text=True)
    assert page.index("乙") < page.index("甲") and ">55<" in page


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    moves=st.lists(
        st.tuples(
            st.integers(0, 3),
            st.integers(-30, 60).filter(bool),
            st.sampled_from(
                [reasons.CHECKIN, reasons.REDEMPTION, reasons.CORRECTION, reasons.ROUTE_BONUS]
            ),
        ),
        max_size=20,
    )
)
def test_the_aggregates_always_equal_a_group_by_over_the_ledger(app, make_user, area, moves):
    people = [make_user() for _ in range(4)]
    for i, (who, delta, reason) in enumerate(moves):
        try:
            _earn(app, people[who], delta, reason=reason, source=f"{people[who].id}-{i}")
        except Exception:  # noqa: BLE001 - an overspend is refused; nothing to count
            continue
    with app.app_context():
        leaderboard.catch_up()
        period = leaderboard.period_keys(utcnow())["week"]
        for person in people:
            summed = db.session.scalar(
                select(func.coalesce(func.sum(LedgerEntry.delta), 0)).where(
                    LedgerEntry.user_id == person.id, LedgerEntry.reason.in_(reasons.LEADERBOARD)
                )
            )
            bucket = (
                db.session.scalar(
                    select(ScoreBucket.points).where(
                        ScoreBucket.scope == "grid",
                        ScoreBucket.scope_id == area["grid_ids"][0],
                        ScoreBucket.period == period,
                        ScoreBucket.user_id == person.id,
                    )
                )
                or 0
            )
            assert bucket == summed


def _bucket(app, user, scope_id, period="all"):
    with app.app_context():
        return db.session.scalar(
            select(ScoreBucket.points).where(
                ScoreBucket.scope == "grid",
                ScoreBucket.scope_id == scope_id,
                ScoreBucket.period == period,
                ScoreBucket.user_id == user.id,
            )
        )


@pytest.mark.both_databases
def test_earnings_wait_in_the_queue_until_folded_once(app, make_user, area):
    person = make_user()
    for points in (10, 20, 5):
        _earn(app, person, points)
    grid = area["grid_ids"][0]
    assert _bucket(app, person, grid) is None  # queued with the ledger entries, not yet added
    with app.app_context():
        assert leaderboard.catch_up() == 3
        assert leaderboard.catch_up() == 0
        assert db.session.scalar(select(func.count()).select_from(ScoreEvent)) == 0
    assert _bucket(app, person, grid) == 35
    week = leaderboard.period_keys(utcnow())["week"]
    assert _bucket(app, person, grid, week) == 35


@pytest.mark.both_databases
def test_reading_a_board_writes_nothing_and_reads_the_session_it_is_given(
    app, make_user, area, count_queries
):
    person = make_user()
    _earn(app, person, 10)
    grid = area["grid_ids"][0]
    with app.app_context(), count_queries() as queries:
        board = leaderboard.board(db.session, "grid", grid, "all", person.id, utcnow())
        assert db.session.scalar(select(func.count()).select_from(ScoreEvent)) == 1  # still queued
    assert board["top"] == [] and board["me"] is None  # as the buckets stand
    assert not [q for q in queries if q.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


@pytest.mark.both_databases
def test_two_folders_at_once_count_every_event_once(app, make_user, area):
    people = [make_user() for _ in range(3)]
    for i in range(60):
        _earn(app, people[i % 3], 1 + i % 4, source=f"e{i}")
    expected = {p.id: sum(1 + i % 4 for i in range(60) if i % 3 == k) for k, p in enumerate(people)}
    errors = []

    def fold_some():
        try:
            with app.app_context(), unit_of_work() as uow:
                leaderboard.fold(uow)
                uow.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=fold_some) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with app.app_context():
        leaderboard.catch_up()
    grid = area["grid_ids"][0]
    assert {p.id: _bucket(app, p, grid) for p in people} == expected


def test_a_board_read_right_after_an_earning_shows_it(app, client, make_user, area):
    reader = make_user(Role.VOLUNTEER)
    _earn(app, reader, 15)
    log_in(client, reader)
    board = client.get(
        "/leaderboards?scope=grid&period=all", headers={"Accept": "application/json"}
    ).get_json()
    assert board["me"]["points"] == 15 and board["top"][0]["user_id"] == reader.id
