"""The officer's day as the service computes it: exact counts per grid and per hour, today in
the area's own time zone, the colours of the map, and a query count that does not grow with
the number of points."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import update

from app.extensions import db
from app.roles import Role
from app.uow import unit_of_work
from checkins.models import HELD, REFUSED, PatrolRoute, RouteRun
from officer_day.day import day_of
from officer_day.rules import freshness
from realtime.models import Incident
from rewards.models import Gift, Order
from volunteers.models import PoliceArea, User

# 10:30 in Shanghai (the fixture area's zone) on 2 March 2026.
NOW = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)


def _day(app, area_id, now=NOW):
    with app.app_context():
        return day_of(db.session(), area_id, now)


@pytest.mark.parametrize(
    ("age", "colour"),
    [
        (timedelta(0), "fresh"),
        (timedelta(hours=1, minutes=59), "fresh"),
        (timedelta(hours=2), "recent"),
        (timedelta(hours=7, minutes=59), "recent"),
        (timedelta(hours=8), "stale"),
        (timedelta(days=3), "stale"),
    ],
)
def test_a_point_is_coloured_by_time_since_its_last_patrol(age, colour):
    assert freshness(NOW - age, NOW) == colour


def test_a_point_never_patrolled_is_red():
    assert freshness(None, NOW) == "stale"


@pytest.mark.both_databases
def test_counts_per_grid_and_the_queues_of_a_small_area(app, area, add_points, add_checkin):
    first = add_points(3, grid=0)
    second = add_points(2, grid=1)
    add_points(1, grid=1, retired_at=NOW - timedelta(days=1))  # not a point in use any more
    add_checkin(first[0], NOW - timedelta(minutes=30))
    add_checkin(first[2], NOW - timedelta(minutes=20))  # the same hour (10:00-11:00) as above
    add_checkin(first[0], NOW - timedelta(hours=3))
    add_checkin(first[1], NOW - timedelta(hours=9))  # 01:30 local: today, but long ago
    add_checkin(second[0], NOW - timedelta(hours=11))  # 23:30 yesterday local
    add_checkin(second[1], NOW - timedelta(minutes=5), status=REFUSED)  # does not count
    add_checkin(second[1], NOW - timedelta(minutes=4), status=HELD)

    day = _day(app, area["police_area_id"])

    assert day.day.isoformat() == "2026-03-02"
    grids = {g.id: g for g in day.grids}
    one, two = grids[area["grid_ids"][0]], grids[area["grid_ids"][1]]
    assert (one.points, one.patrolled, one.checkins) == (3, 3, 4)
    assert (two.points, two.patrolled, two.checkins) == (2, 0, 0)
    assert day.checkins_today == 4
    colours = {p.id: p.freshness for p in day.points}
    assert colours == {
        first[0]: "fresh",
        first[1]: "stale",
        first[2]: "fresh",
        second[0]: "stale",
        second[1]: "stale",
    }
    assert {p.id: p.last_patrol for p in day.points}[second[0]] == NOW - timedelta(hours=11)
    assert day.hours_today[10] == 2 and day.hours_today[7] == 1 and day.hours_today[1] == 1
    assert sum(day.hours_today) == 4
    assert day.hours_yesterday[23] == 1 and sum(day.hours_yesterday) == 1
    assert day.held_waiting == 1
    assert (day.missed_route_points, day.orders_waiting, day.open_incidents) == (0, 0, 0)


def test_people_on_duty_are_counted_in_their_grid(app, area, make_user):
    for _ in range(2):
        make_user()
    with app.app_context(), unit_of_work() as uow:
        uow.session.execute(update(User).values(on_duty=True))
        uow.commit()
    day = _day(app, area["police_area_id"])
    assert {g.id: g.on_duty for g in day.grids} == {
        area["grid_ids"][0]: 2,
        area["grid_ids"][1]: 0,
    }
    assert day.on_duty == 2


@pytest.mark.both_databases
def test_today_begins_at_midnight_in_the_areas_own_time_zone(app, area, add_points, add_checkin):
    """23:59 and 00:01 Shanghai time fall on two days; moved to London's zone, the same two
    instants (15:59 and 16:01 UTC) are both in the afternoon of one day."""
    (point,) = add_points(1)
    midnight = datetime(2026, 3, 1, 16, 0, tzinfo=UTC)  # 00:00 on 2 March in Shanghai
    add_checkin(point, midnight - timedelta(minutes=1))
    add_checkin(point, midnight + timedelta(minutes=1))

    day = _day(app, area["police_area_id"])
    assert (day.checkins_today, day.hours_today[0], day.hours_yesterday[23]) == (1, 1, 1)
    assert day.grids[0].patrolled == 1

    with app.app_context(), unit_of_work() as uow:
        uow.session.execute(update(PoliceArea).values(timezone="Europe/London"))
        uow.commit()
    london = _day(app, area["police_area_id"], now=datetime(2026, 3, 1, 18, 0, tzinfo=UTC))
    assert london.day.isoformat() == "2026-03-01"
    assert (london.checkins_today, london.hours_today[15], london.hours_today[16]) == (2, 1, 1)


def test_an_area_that_does_not_exist_is_not_found(app, area):
    with pytest.raises(Exception) as raised:
        _day(app, area["police_area_id"] + 100)
    assert getattr(raised.value, "status", None) == 404


@pytest.mark.parametrize("points", [1, 50])
def test_the_day_costs_the_same_queries_with_1_or_50_points(
    app, area, add_points, add_checkin, count_queries, points
):
    for point in add_points(points):
        add_checkin(point, NOW - timedelta(hours=1))
    with app.app_context(), count_queries() as queries:
        day = day_of(db.session(), area["police_area_id"], NOW)
    assert len(day.points) == points
    assert len(queries) == 9, queries


@pytest.mark.both_databases
def test_the_queues_count_this_areas_orders_incidents_and_missed_route_stops_only(
    app, area, second_area, make_user, add_points
):
    """A pending order, an open incident and a round with two missed stops in this area are
    counted; the same in the second area, a collected order, a closed incident, an expired
    order and yesterday's round are not."""
    officer = make_user(Role.OFFICER)
    stops = add_points(3)
    here, there = area["police_area_id"], second_area["police_area_id"]
    with app.app_context(), unit_of_work() as uow:
        session = uow.session
        gifts = [Gift(police_area_id=a, name="毛巾", price=10, stock=5) for a in (here, there)]
        session.add_all(gifts)
        session.flush()
        for n, (gift, status, days) in enumerate(
            [
                (gifts[0], "pending", 3),
                (gifts[0], "collected", 3),
                (gifts[0], "pending", -1),
                (gifts[1], "pending", 3),
            ]
        ):
            session.add(
                Order(
                    user_id=officer.id,
                    gift_id=gift.id,
                    price=10,
                    status=status,
                    pickup_code=f"CODE{n}",
                    client_key=f"k{n}",
                    collect_by=NOW + timedelta(days=days),
                )
            )
        for area_id, status in [(here, "open"), (here, "closed"), (there, "open")]:
            session.add(
                Incident(
                    kind="other",
                    lat=33.38,
                    lon=120.16,
                    status=status,
                    created_by_id=officer.id,
                    police_area_id=area_id,
                )
            )
        route = PatrolRoute(
            community_id=area["community_id"],
            name="夜巡",
            starts_at=time(20),
            ends_at=time(22),
            created_by_id=officer.id,
        )
        session.add(route)
        session.flush()
        for day, missed in [(NOW.date(), stops[:2]), (NOW.date() - timedelta(days=1), stops)]:
            session.add(
                RouteRun(
                    route_id=route.id,
                    user_id=officer.id,
                    day=day,
                    status="partial",
                    missed_point_ids=missed,
                )
            )
        uow.commit()

    day = _day(app, here)
    assert (day.orders_waiting, day.open_incidents, day.missed_route_points) == (1, 1, 2)
