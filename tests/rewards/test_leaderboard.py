"""Leaderboards read incremental aggregates that always agree with a GROUP BY over the ledger."""

from __future__ import annotations

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
from rewards.models import LedgerEntry, ScoreBucket
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
    assert response.get_json()["error"]["code"] == "board_unknown"


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
