"""Check-ins forget where the phone was after CHECKIN_POSITION_DAYS (privacy), keeping the
point, time, outcome, points and distance; held ones keep it until an officer decides."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.types import utcnow
from app.uow import unit_of_work
from checkins import tasks
from checkins.models import HELD, VALID, CheckIn
from tests.checkins.conftest import POINT_LAT, POINT_LON

pytestmark = pytest.mark.both_databases


def _made(app, user_id: int, point_id: int, days_ago: int, status: str) -> int:
    when = utcnow() - timedelta(days=days_ago)
    with app.app_context(), unit_of_work() as uow:
        row = CheckIn(
            user_id=user_id,
            point_id=point_id,
            token="t",
            status=status,
            lat=POINT_LAT,
            lon=POINT_LON,
            accuracy_m=12.0,
            distance_m=4.0,
            server_time=when,
            observed_at=when,
            points=10 if status == VALID else 0,
        )
        uow.session.add(row)
        uow.commit()
        return row.id


def test_old_check_ins_lose_their_position_and_keep_the_rest(app, make_user, make_point):
    person, point = make_user(), make_point()
    old = _made(app, person.id, point.id, 91, VALID)
    held = _made(app, person.id, point.id, 120, HELD)
    recent = _made(app, person.id, point.id, 89, VALID)

    assert tasks.forget_old_positions() == 1
    assert tasks.forget_old_positions() == 0  # nothing left to clear

    with app.app_context():
        rows = {c.id: c for c in db.session.scalars(select(CheckIn))}
        cleared = rows[old]
        assert (cleared.lat, cleared.lon, cleared.accuracy_m) == (None, None, None)
        assert (cleared.point_id, cleared.status, cleared.points, cleared.distance_m) == (
            point.id,
            VALID,
            10,
            4.0,
        )
        for kept in (rows[held], rows[recent]):
            assert (kept.lat, kept.lon, kept.accuracy_m) == (POINT_LAT, POINT_LON, 12.0)


@pytest.mark.parametrize("app_settings", [{"CHECKIN_POSITION_DAYS": 30}])
def test_the_period_is_a_setting(app, make_user, make_point, app_settings):
    person, point = make_user(), make_point()
    _made(app, person.id, point.id, 31, VALID)
    assert tasks.forget_old_positions() == 1
