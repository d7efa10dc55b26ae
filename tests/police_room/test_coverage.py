"""Patrol coverage for residents: per community and day, the points patrolled of the points
there, counted as the officer's day counts them, 24 hours late."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from app.extensions import db
from app.roles import Role
from app.uow import unit_of_work
from checkins.models import HELD, REFUSED
from police_room.coverage import coverage
from tests.police_room.barometer_data import NOW, Places, check_in, local, places, point
from volunteers.models import PoliceArea

pytestmark = pytest.mark.both_databases


@pytest.fixture
def patrolled(
    app: Flask,
    area: dict[str, Any],
    second_area: dict[str, Any],
    make_user: Callable[..., Any],
) -> Places:
    """West (测试社区): two standing points, one retired at noon on Dec 2, a hotspot's
    temporary point from Dec 1 08:00 to Dec 2 20:00. East (东园社区): a point made on Dec 3."""
    found = places(app, area)
    walker = make_user(Role.GUARD).id
    with app.app_context(), unit_of_work() as uow:
        s = uow.session
        one = point(s, found.west_grid, "一号门")
        two = point(s, found.west_grid, "二号门")
        retired = point(s, found.west_grid, "老车棚", retired_at=local(12, 2, 12))
        hotspot = point(
            s,
            found.west_grid,
            "临时点",
            active_from=local(12, 1, 8),
            active_until=local(12, 2, 20),
            created_at=local(11, 30),
        )
        new = point(s, found.east_grid, "东门", created_at=local(12, 3, 15))
        check_in(s, walker, one, local(12, 3, 9))
        check_in(s, walker, one, local(12, 3, 10))  # the same point twice: once
        check_in(s, walker, two, local(12, 3, 11), status=REFUSED)
        check_in(s, walker, two, local(12, 3, 12), status=HELD)  # counts once approved
        check_in(s, walker, one, local(12, 4, 1))  # its day is not shown yet
        check_in(s, walker, two, local(12, 2, 23, 59))  # Dec 2, local time
        check_in(s, walker, retired, local(12, 2, 9))
        check_in(s, walker, hotspot, local(12, 1, 9))
        check_in(s, walker, new, local(12, 3, 16))
        check_in(s, walker, second_area["point_id"], local(12, 3, 9))  # another area's
        uow.commit()
    return found


def _days(place: Any) -> dict[str, tuple[int, int]]:
    return {str(d.day): (d.patrolled, d.points) for d in place.days}


def test_points_patrolled_of_the_points_there_each_day(
    app: Flask, patrolled: Places, count_queries: Callable[[], Any]
) -> None:
    with app.app_context():
        area = db.session.get(PoliceArea, patrolled.area_id)
        assert area is not None
        with count_queries() as queries:
            found = coverage(db.session(), area, NOW)
    assert len(queries) == 3  # communities, points, check-ins: whatever the days
    assert str(found.until) == "2026-12-04"
    west, east, plain = found.communities
    assert [c.name for c in found.communities] == ["测试社区", "东园社区", "南苑社区"]
    assert len(west.days) == 14
    assert str(west.days[0].day) == "2026-11-20" and str(west.days[-1].day) == "2026-12-03"

    assert _days(west)["2026-12-03"] == (1, 2)  # the retired and the temporary point are gone
    assert _days(west)["2026-12-02"] == (2, 4)
    assert _days(west)["2026-12-01"] == (1, 4)
    assert _days(west)["2026-11-30"] == (0, 3)
    assert _days(east)["2026-12-03"] == (1, 1)
    assert _days(east)["2026-12-02"] == (0, 0)  # no point there yet
    assert all(d.points == 0 for d in plain.days)
    assert _days(found.area)["2026-12-03"] == (2, 3)  # another area's check-in is not here
    assert _days(found.area)["2026-12-02"] == (2, 4)


def test_an_area_without_points_shows_empty_days(app: Flask, area: dict[str, Any]) -> None:
    found = places(app, area)
    with app.app_context():
        area_row = db.session.get(PoliceArea, found.area_id)
        assert area_row is not None
        result = coverage(db.session(), area_row, NOW, days=3)
    assert [(d.patrolled, d.points) for d in result.area.days] == [(0, 0)] * 3
