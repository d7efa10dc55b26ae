"""Pacing and reach as plain rules with a given clock: quiet hours defer a non-urgent broadcast
to the morning (never drop it), a person gets at most the daily limit, urgent ones always go;
a circle's stages come due in order; grids and circles cover whom they should."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shapely.geometry import box

from broadcasts.rules import Pacing, Target, stage_due

SHANGHAI = ZoneInfo("Asia/Shanghai")
PACING = Pacing()  # 22:00-07:00, 3 a day


def local(hour: int, minute: int = 0, day: int = 5) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def test_a_non_urgent_broadcast_in_the_afternoon_goes_at_once():
    now = local(15)
    assert PACING.when(now, SHANGHAI, urgent=False, delivered_today=0) == now


def test_a_non_urgent_broadcast_at_night_waits_for_seven_in_the_morning():
    assert PACING.when(local(23, 30), SHANGHAI, urgent=False, delivered_today=0) == local(7, 0, 6)
    assert PACING.when(local(2), SHANGHAI, urgent=False, delivered_today=0) == local(7)
    assert PACING.when(local(22), SHANGHAI, urgent=False, delivered_today=0) == local(7, 0, 6)


def test_seven_sharp_is_no_longer_quiet():
    assert PACING.when(local(7), SHANGHAI, urgent=False, delivered_today=0) == local(7)


def test_an_urgent_broadcast_goes_at_night_and_past_the_limit():
    assert PACING.when(local(3), SHANGHAI, urgent=True, delivered_today=9) == local(3)


def test_the_fourth_broadcast_of_a_day_waits_for_the_next_morning():
    assert PACING.when(local(10), SHANGHAI, urgent=False, delivered_today=2) == local(10)
    assert PACING.when(local(10), SHANGHAI, urgent=False, delivered_today=3) == local(7, 0, 6)


def test_quiet_hours_and_limit_are_settings():
    pacing = Pacing(quiet_start=time(21), quiet_end=time(6, 30), daily_limit=1)
    assert pacing.when(local(21, 5), SHANGHAI, urgent=False, delivered_today=0) == local(6, 30, 6)
    assert pacing.when(local(12), SHANGHAI, urgent=False, delivered_today=1) == local(6, 30, 6)


def test_the_day_is_the_areas_local_day():
    """00:30 in Shanghai is still the previous day in UTC: the limit counts from local midnight."""
    start = PACING.day_start(local(0, 30), SHANGHAI)
    assert start == local(0)


def test_stages_come_due_in_order():
    stages = [{"after_min": 0, "radius_m": 500}, {"after_min": 30, "radius_m": None}]
    created = local(10)
    assert stage_due(stages, created, created) == 0
    assert stage_due(stages, created, created + timedelta(minutes=29)) == 0
    assert stage_due(stages, created, created + timedelta(minutes=30)) == 1


def test_a_circle_covers_people_inside_it_and_grids_that_reach_into_it():
    target = Target(circle=(33.38, 120.16, 500))
    assert target.covers_position(33.3840, 120.16, None)  # about 440 m north
    assert not target.covers_position(33.3860, 120.16, None)  # about 670 m north
    near = box(120.1650, 33.379, 120.170, 33.381)  # begins about 470 m east
    far = box(120.1700, 33.379, 120.175, 33.381)  # begins about 930 m east
    assert target.covers_grid(1, near) and not target.covers_grid(2, far)
    assert not target.covers_grid(3, None) and not target.covers_grid(None, None)


def test_grids_cover_people_standing_in_them_or_belonging_to_an_undrawn_one():
    drawn = box(120.15, 33.37, 120.17, 33.39)
    target = Target(grid_shapes={1: drawn, 2: None})
    assert target.covers_position(33.38, 120.16, None)
    assert not target.covers_position(33.40, 120.16, 1)  # outside grid 1, though it is theirs
    assert target.covers_position(33.40, 120.16, 2)  # grid 2 has no outline: known by people
    assert target.covers_grid(1, drawn) and not target.covers_grid(3, None)


def test_no_target_is_the_whole_area():
    assert Target().whole_area
    assert Target().covers_position(0, 0, None) and Target().covers_grid(None, None)
