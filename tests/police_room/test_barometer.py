"""The safety barometer's figures: per community, by category, week by week, in bands, with the
change against the week before, 24 hours late and never a count under 5."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from app.extensions import db
from app.roles import Role
from app.uow import unit_of_work
from police_room.barometer import Trend, band, barometer, trend
from tests.police_room.barometer_data import (
    EAST,
    NOW,
    OUTSIDE,
    WEST,
    Places,
    incident,
    local,
    places,
    sighting,
)
from volunteers.models import Community, PoliceArea


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, 0), (4, 0), (5, 1), (9, 1), (10, 2), (19, 2), (20, 3), (49, 3), (50, 4), (900, 4)],
)
def test_a_count_falls_in_its_band_and_under_5_is_the_lowest(count: int, expected: int) -> None:
    assert band(count) == expected


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (4, 4, Trend("few")),  # both under 5: too few to compare
        (0, 3, Trend("few")),
        (5, 4, Trend("up")),  # one side under 5: a direction, never a percent that tells it
        (0, 6, Trend("down")),
        (10, 20, Trend("down", -50)),
        (11, 10, Trend("up", 10)),
        (10, 10, Trend("steady", 0)),
        (21, 20, Trend("steady", 5)),
    ],
)
def test_the_change_against_the_week_before(current: int, previous: int, expected: Trend) -> None:
    assert trend(current, previous) == expected


@pytest.fixture
def planted(app: Flask, area: dict[str, Any], make_user: Callable[..., Any]) -> Places:
    """The latest week shown is Nov 27 - Dec 3 (the area's local days), the one before Nov 20-26.
    West: 6 thefts and 2 disputes in the latest week, 3 thefts and 1 dispute before. East: 10
    confirmed suspicious-person sightings in the latest week, 20 before. Outside every community:
    3 thefts in the latest week. Not shown: a theft on Dec 4 (its day ended under 24 hours
    ago), a fire before the first week, sightings not confirmed."""
    found = places(app, area)
    by = make_user(Role.OFFICER).id
    with app.app_context(), unit_of_work() as uow:
        s = uow.session
        for when in (
            local(11, 27, 0, 30),
            local(11, 28),
            local(11, 30),
            local(12, 1),
            local(12, 2),
            local(12, 3, 23, 30),
        ):
            incident(s, found, by, "theft", WEST, when)
        for when in (local(11, 20), local(11, 22), local(11, 26, 23, 30)):
            incident(s, found, by, "theft", WEST, when)
        incident(s, found, by, "dispute", WEST, local(11, 29))
        incident(s, found, by, "dispute", WEST, local(12, 2))
        incident(s, found, by, "dispute", WEST, local(11, 21))
        for day in (27, 28, 29):
            incident(s, found, by, "theft", OUTSIDE, local(11, day))
        incident(s, found, by, "theft", WEST, local(12, 4, 9))  # too recent
        incident(s, found, by, "fire", WEST, local(9, 10, 23))  # before the first week
        incident(s, found, by, "fire", WEST, local(9, 11, 0, 10))  # the first week's first hour
        for i in range(10):
            sighting(s, found, by, "suspicious_person", EAST, local(11, 27 + i % 4, 8 + i))
        for i in range(20):
            sighting(s, found, by, "suspicious_person", EAST, local(11, 20 + i % 7, 8 + i % 12))
        sighting(s, found, by, "fraud_attempt", EAST, local(12, 1), status="dismissed")
        sighting(s, found, by, "fraud_attempt", EAST, local(12, 1), status="review")
        uow.commit()
    return found


def _figures(app: Flask, places: Places) -> Any:
    with app.app_context():
        area = db.session.get(PoliceArea, places.area_id)
        assert area is not None
        return barometer(db.session(), area, NOW)


@pytest.mark.both_databases
def test_each_community_by_category_in_bands_with_its_trend(app: Flask, planted: Places) -> None:
    figures = _figures(app, planted)
    assert str(figures.until) == "2026-12-04"
    assert [str(w) for w in figures.weeks[-2:]] == ["2026-11-20", "2026-11-27"]
    assert len(figures.weeks) == 12 and str(figures.weeks[0]) == "2026-09-11"
    west, east, plain = figures.communities  # in their fixed order, never by their counts
    assert [c.name for c in figures.communities] == ["测试社区", "东园社区", "南苑社区"]

    rows = {(r.group, r.category): r for r in west.categories}
    assert (rows["incidents", "theft"].latest, rows["incidents", "theft"].previous) == (1, 0)
    assert rows["incidents", "theft"].trend == Trend("up")  # 6 against 3: no percent
    assert rows["incidents", "dispute"].trend == Trend("few")  # 2 against 1
    assert west.weekly["incidents"][-2:] == (0, 1)  # 4, then 8
    assert west.weekly["incidents"][0] == 0  # the first week's fire, under 5
    assert west.trends["incidents"] == Trend("up")
    assert west.weekly["sightings"] == (0,) * 12

    east_rows = {(r.group, r.category): r for r in east.categories}
    suspicious = east_rows["sightings", "suspicious_person"]
    assert (suspicious.latest, suspicious.previous) == (2, 3)  # 10 and 20
    assert suspicious.trend == Trend("down", -50)
    assert east.trends["sightings"] == Trend("down", -50)

    # Every community shows the same rows, so a missing row never says "none here".
    keys = [(r.group, r.category) for r in west.categories]
    assert keys == [(r.group, r.category) for r in east.categories]
    assert keys == [(r.group, r.category) for r in plain.categories]
    assert keys == [
        ("incidents", "theft"),
        ("incidents", "dispute"),
        ("incidents", "fire"),
        ("sightings", "suspicious_person"),
    ]  # the dismissed and unreviewed fraud reports are not there
    assert not plain.has_boundary and west.has_boundary

    # The whole area counts what lies outside every community too: 9 thefts against 3.
    area_theft = {(r.group, r.category): r for r in figures.area.categories}["incidents", "theft"]
    assert (area_theft.latest, area_theft.previous, area_theft.trend) == (1, 0, Trend("up"))


@pytest.mark.both_databases
def test_nothing_from_the_last_24_hours_and_a_day_is_shown_whole(
    app: Flask, area: dict[str, Any], make_user: Callable[..., Any]
) -> None:
    """At 10:00 on Dec 5 the 3rd is the last day shown; 5 thefts late on the 3rd count, 5 early
    on the 4th do not (until the 6th)."""
    found = places(app, area)
    by = make_user(Role.OFFICER).id
    with app.app_context(), unit_of_work() as uow:
        for minute in range(5):
            incident(uow.session, found, by, "theft", WEST, local(12, 3, 23, 50 + minute))
            incident(uow.session, found, by, "theft", WEST, local(12, 4, 0, 10 + minute))
        uow.commit()
    figures = _figures(app, found)
    assert figures.communities[0].weekly["incidents"][-1] == 1  # 5 counted, not 10
    assert figures.communities[0].categories[0].latest == 1


def test_an_area_with_nothing_shows_its_communities_and_no_rows(
    app: Flask, area: dict[str, Any], count_queries: Callable[[], Any]
) -> None:
    found = places(app, area)
    with app.app_context():
        area_row = db.session.get(PoliceArea, found.area_id)
        assert area_row is not None
        with count_queries() as queries:
            figures = barometer(db.session(), area_row, NOW)
    assert len(queries) == 3  # incidents, sightings, communities: whatever the weeks
    assert [c.categories for c in figures.communities] == [(), (), ()]
    assert figures.area.weekly == {"incidents": (0,) * 12, "sightings": (0,) * 12}
    assert figures.area.trends["incidents"] == Trend("few")


def test_a_broken_boundary_places_nothing_and_fails_nothing(
    app: Flask, area: dict[str, Any], make_user: Callable[..., Any]
) -> None:
    found = places(app, area)
    by = make_user(Role.OFFICER).id
    with app.app_context(), unit_of_work() as uow:
        east = uow.session.get(Community, found.east_id)
        assert east is not None
        east.boundary = {"type": "Polygon", "coordinates": "not a ring"}
        for day in range(27, 30):
            incident(uow.session, found, by, "theft", EAST, local(11, day))
        uow.commit()
    figures = _figures(app, found)
    assert not figures.communities[1].has_boundary
    assert figures.communities[1].categories[0].latest == 0
    assert figures.area.categories[0].category == "theft"
