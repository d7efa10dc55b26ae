"""The one query behind the cooldown, the daily cap and the speed rule, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.uow import unit_of_work
from checkins.models import REFUSED, VALID, CheckIn
from checkins.recent import load

AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DAY = (datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC))
COOLDOWN = timedelta(minutes=30)


@pytest.fixture
def person_and_points(app, make_user, make_point):
    return make_user().id, make_point().id, make_point(name="东门").id


def store(app, user_id: int, point_id: int, minutes: float, status: str = VALID) -> None:
    at = AT + timedelta(minutes=minutes)
    with app.app_context(), unit_of_work() as uow:
        uow.session.add(
            CheckIn(
                user_id=user_id,
                point_id=point_id,
                token="t",
                status=status,
                lat=33.38 + minutes / 10_000,
                lon=120.16,
                server_time=at,
                observed_at=at,
            )
        )
        uow.commit()


def around(app, user_id: int, point_id: int):
    with app.app_context(), unit_of_work() as uow:
        return load(uow.session, user_id, point_id, AT, DAY, COOLDOWN)


@pytest.mark.both_databases
def test_a_first_check_in_finds_nothing(app, person_and_points):
    user_id, here, _ = person_and_points
    recent = around(app, user_id, here)
    assert (recent.count_that_day, recent.at_point, recent.neighbours()) == (0, (), [])
    assert recent.nearest_at_point(AT) is None


@pytest.mark.both_databases
def test_it_counts_the_day_and_finds_the_neighbours_and_this_points_visits(
    app, make_user, person_and_points
):
    user_id, here, elsewhere = person_and_points
    for minutes, point, status in [
        (-24 * 60, here, VALID),  # yesterday: not today's, and beyond the cooldown
        (-40, here, VALID),  # today, here, but outside the cooldown
        (-20, elsewhere, VALID),  # the last one before the moment
        (-10, here, REFUSED),  # refused attempts never count
        (25, here, VALID),  # a later (offline) one here, within the cooldown
        (50, elsewhere, VALID),
        (13 * 60, elsewhere, VALID),  # tomorrow (UTC day of the test)
    ]:
        store(app, user_id, point, minutes, status)
    store(app, make_user().id, here, -5)  # someone else's

    recent = around(app, user_id, here)

    assert recent.count_that_day == 4
    assert recent.at_point == (AT + timedelta(minutes=25),)
    assert recent.nearest_at_point(AT) == AT + timedelta(minutes=25)
    before, after = recent.neighbours()
    assert before.observed_at == AT - timedelta(minutes=20)
    assert before.lat == pytest.approx(33.38 - 20 / 10_000)
    assert after.observed_at == AT + timedelta(minutes=25)


@pytest.mark.both_databases
def test_a_check_in_at_the_same_moment_is_the_one_before(app, person_and_points):
    user_id, here, _ = person_and_points
    store(app, user_id, here, 0)
    recent = around(app, user_id, here)
    assert [v.observed_at for v in recent.neighbours()] == [AT]
    assert recent.nearest_at_point(AT) == AT
