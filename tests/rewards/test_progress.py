"""Streak milestone bonuses are paid once per run and milestone, whatever order the days arrive
in (a check-in dated the day before, a phone's offline queue) and on both databases."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.uow import unit_of_work
from checkins import services, streaks
from checkins.policy import current_policy
from rewards import badges, ledger, reasons
from rewards.models import LedgerEntry
from tests.checkins.conftest import make_point, offset, token_for  # noqa: F401 - fixtures
from volunteers.models import User
from volunteers.person import Person

LOCAL = ZoneInfo("Asia/Shanghai")
DAY7 = date(2026, 11, 23)  # the seventh day of a run that began on DAY7 - 6


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL)


def patrolled(app, user_id: int, *days: date) -> None:
    with app.app_context(), unit_of_work() as uow:
        for day in days:
            streaks.record_day(uow.session, user_id, day)
        uow.commit()


@pytest.fixture
def check_in(app, make_point, token_for):  # noqa: F811 - the imported fixtures
    point = make_point()
    lat, lon = offset(point.lat, point.lon, 5)

    def scan(user_id: int, when: datetime) -> services.CheckInOutcome:
        request = services.CheckInRequest(token_for(point), lat, lon, 10)
        with app.test_request_context(), unit_of_work() as uow:
            person = Person.of(uow.session.get_one(User, user_id), login_session_id=None)
            outcome = services.check_in(uow, person, request, current_policy(), now=when)
            uow.commit()
        assert outcome.valid, outcome.error
        return outcome

    return scan


def streak_bonuses(app, user_id: int) -> list[int]:
    with app.app_context(), unit_of_work(write=False) as uow:
        return list(
            uow.session.scalars(
                select(LedgerEntry.delta)
                .where(LedgerEntry.user_id == user_id, LedgerEntry.reason == reasons.STREAK_BONUS)
                .order_by(LedgerEntry.id)
            )
        )


@pytest.mark.both_databases
def test_a_check_in_dated_the_day_before_does_not_pay_the_milestone_again(app, make_user, check_in):
    """Seven days in a row pay the 7-day bonus on the seventh; a second check-in that night,
    dated the sixth day (late, or queued offline), reads the same run of seven and pays nothing
    more: before, the bonus was keyed by the check-in's day, so it paid 20 again."""
    user_id = make_user().id
    patrolled(app, user_id, *(DAY7 - timedelta(days=back) for back in range(6, 0, -1)))
    seventh = check_in(user_id, at(DAY7, 0, 30))
    assert (seventh.streak_days, seventh.streak_bonus) == (7, 20)
    late = check_in(user_id, at(DAY7 - timedelta(days=1), 23, 45))
    assert (late.streak_days, late.streak_bonus) == (7, 0)
    assert late.balance == seventh.balance + 10  # the check-in's own points, no bonus
    assert streak_bonuses(app, user_id) == [20]
    with app.app_context(), unit_of_work(write=False) as uow:
        assert ledger.ledger_sum(uow.session, user_id) == late.balance


@pytest.mark.both_databases
def test_a_new_run_after_a_break_earns_its_milestones_again(app, make_user, check_in):
    user_id = make_user().id
    first_run = [DAY7 - timedelta(days=back) for back in range(6, 0, -1)]
    patrolled(app, user_id, *first_run)
    assert check_in(user_id, at(DAY7, 9)).streak_bonus == 20
    restart = DAY7 + timedelta(days=2)  # a day missed: a new run begins
    patrolled(app, user_id, *(restart + timedelta(days=n) for n in range(6)))
    again = check_in(user_id, at(restart + timedelta(days=6), 9))
    assert (again.streak_days, again.streak_bonus) == (7, 20)
    assert streak_bonuses(app, user_id) == [20, 20]


@pytest.mark.both_databases
def test_a_late_day_joining_two_runs_pays_only_a_milestone_the_joined_run_reaches(
    app, make_user, check_in
):
    """Days 1-3 and 5-11: the 7-day bonus is paid on day 11 for the run from day 5. Day 4
    arriving late joins them into one run of 11, which reaches no milestone anew."""
    user_id = make_user().id
    day = [DAY7 + timedelta(days=n) for n in range(12)]  # day[1] .. day[11]
    patrolled(app, user_id, day[1], day[2], day[3], *day[5:11])
    assert check_in(user_id, at(day[11], 9)).streak_bonus == 20
    joined = check_in(user_id, at(day[4], 21))
    assert (joined.streak_days, joined.streak_bonus) == (11, 0)
    assert streak_bonuses(app, user_id) == [20]


@pytest.mark.both_databases
def test_a_bonus_paid_under_the_old_key_is_not_paid_again(app, make_user, check_in):
    """Bonuses paid before this change named the day the run reached the milestone; a check-in
    later that day must not pay the same milestone under the new key."""
    user_id = make_user().id
    patrolled(app, user_id, *(DAY7 - timedelta(days=back) for back in range(6, -1, -1)))
    with app.app_context(), unit_of_work() as uow:
        ledger.award(
            uow,
            user_id=user_id,
            delta=20,
            reason=reasons.STREAK_BONUS,
            source_type="streak",
            source_id=f"{user_id}:{DAY7.isoformat()}",
        )
        uow.commit()
    outcome = check_in(user_id, at(DAY7, 20))
    assert (outcome.streak_days, outcome.streak_bonus) == (7, 0)
    assert streak_bonuses(app, user_id) == [20]


def test_a_milestone_whose_bonus_changed_since_it_was_paid_is_not_a_conflict(
    app, make_user, check_in
):
    """An officer raising the 7-day bonus after it was paid: a late check-in in the same run
    neither pays the difference nor fails on the ledger's idempotency check."""
    user_id = make_user().id
    patrolled(app, user_id, *(DAY7 - timedelta(days=back) for back in range(6, 0, -1)))
    assert check_in(user_id, at(DAY7, 0, 30)).streak_bonus == 20
    app.config["STREAK_BONUS_POINTS"] = {**app.config["STREAK_BONUS_POINTS"], "7": 35}
    assert check_in(user_id, at(DAY7 - timedelta(days=1), 23, 50)).streak_bonus == 0
    assert streak_bonuses(app, user_id) == [20]


@pytest.mark.both_databases
def test_each_badge_is_granted_once(app, make_user, check_in):
    """The first valid patrol, at night, earns both its badges in one insert; the next earns
    none (a badge already held inserts nothing); the seventh day in a row earns the 7-day one."""
    user_id = make_user().id
    first_day = DAY7 - timedelta(days=6)
    first = check_in(user_id, at(first_day, 23, 10))
    assert set(first.new_badges) == {badges.FIRST_PATROL, badges.NIGHT_PATROL}
    next_day = check_in(user_id, at(first_day + timedelta(days=1), 12))
    assert next_day.new_badges == ()
    patrolled(app, user_id, *(DAY7 - timedelta(days=back) for back in range(4, 0, -1)))
    seventh = check_in(user_id, at(DAY7, 12))
    assert (seventh.streak_days, seventh.new_badges) == (7, (badges.STREAK_7,))
    with app.app_context(), unit_of_work(write=False) as uow:
        held = badges.owned(uow.session, user_id)
    assert held == {badges.FIRST_PATROL, badges.NIGHT_PATROL, badges.STREAK_7}
