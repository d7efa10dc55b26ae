"""The evidence grade of a scan (checkins/evidence.py): each signal alone, and how they add up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from checkins import evidence
from checkins.evidence import DOUBTFUL, GOOD, NOTED, Evidence, Limits
from checkins.rules import Position, Thresholds, Visit
from tests.checkins.conftest import POINT_LAT, POINT_LON, offset

T = Thresholds(
    cooldown=timedelta(minutes=30),
    daily_cap=40,
    max_accuracy_m=150,
    accuracy_allowance_m=50,
    max_speed_kmh=60,
    speed_min_distance_m=300,
    late_max=timedelta(minutes=120),
)
LIMITS = Limits()
AT = datetime(2026, 12, 5, 21, 0, tzinfo=UTC)


def _evidence(metres: float = 5, accuracy: float = 10, **fields) -> Evidence:
    lat, lon = offset(POINT_LAT, POINT_LON, metres) if metres else (POINT_LAT, POINT_LON)
    values = {
        "point_lat": POINT_LAT,
        "point_lon": POINT_LON,
        "radius_m": 50,
        "position": Position(lat, lon, accuracy),
        "distance_m": metres,
    }
    values.update(fields)
    return Evidence(**values)


def _codes(e: Evidence) -> list[str]:
    return [s.code for s in evidence.grade(e, LIMITS, T).signals]


def test_a_plain_scan_inside_the_fence_is_good():
    graded = evidence.grade(_evidence(), LIMITS, T)
    assert (graded.level, graded.held, graded.detail()) == (GOOD, False, None)


def test_30_m_outside_a_50_m_fence_with_40_m_accuracy_is_held_with_its_figures():
    graded = evidence.grade(_evidence(metres=80, accuracy=40), LIMITS, T)
    assert graded.level == DOUBTFUL and graded.reason == "outside_fence"
    assert graded.detail() == {
        "distance": 80,
        "radius": 50,
        "accuracy": 40,
        "signals": ["outside_fence"],
    }


def test_a_position_exactly_on_the_points_coordinates_is_held():
    assert _codes(_evidence(metres=0)) == ["on_point_exactly"]
    assert _codes(_evidence(metres=1)) == []  # a real fix a metre away is fine


def test_three_people_logged_in_on_one_phone_is_a_sign_two_is_a_shift_change():
    graded = evidence.grade(_evidence(people_on_device=3), LIMITS, T)
    assert [s.code for s in graded.signals] == ["shared_phone"] and graded.level == NOTED
    assert _codes(_evidence(people_on_device=2)) == []
    assert evidence.grade(_evidence(people_on_device=3, accuracy=120), LIMITS, T).held


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"accuracy": 120}, "accuracy_rough"),
        ({"people_on_device": 4}, "shared_phone"),
        ({"clock_gap_minutes": 45}, "clock_gap"),
        ({"top_speed_kmh": 55}, "speed_near_limit"),
        ({"recent_accuracies": (10.0, 10.0, 10.0, 10.0)}, "accuracy_constant"),
    ],
)
def test_one_weak_sign_only_notes_the_scan(fields, code):
    graded = evidence.grade(_evidence(**fields), LIMITS, T)
    assert [s.code for s in graded.signals] == [code]
    assert (graded.level, graded.held) == (NOTED, False)


def test_two_weak_signs_together_hold_the_scan():
    graded = evidence.grade(_evidence(accuracy=120, clock_gap_minutes=45), LIMITS, T)
    assert graded.held and graded.reason == "accuracy_rough"


def test_a_strong_sign_is_named_first():
    graded = evidence.grade(_evidence(metres=80, accuracy=120, clock_gap_minutes=45), LIMITS, T)
    assert graded.reason == "outside_fence"


def test_accuracy_that_varies_or_too_few_scans_is_not_constant():
    assert _codes(_evidence(recent_accuracies=(10.0, 12.5, 10.0, 10.0))) == []
    assert _codes(_evidence(recent_accuracies=(10.0, 10.0))) == []


def test_the_fastest_leg_leaves_out_gps_noise():
    near = Visit(*offset(POINT_LAT, POINT_LON, 100), AT - timedelta(seconds=10))
    far = Visit(*offset(POINT_LAT, POINT_LON, 1000), AT - timedelta(minutes=1, seconds=12))
    here = Position(POINT_LAT, POINT_LON, 10)
    assert evidence.top_speed_kmh([near], here, AT, T) is None
    assert evidence.top_speed_kmh([near, far], here, AT, T) == pytest.approx(50, rel=0.01)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "outside its 50 m circle"), ("zh", "在 50 米范围之外")],
)
def test_each_signal_reads_in_plain_words(app, lang, expected):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale(lang):
        text = evidence.text("outside_fence", {"distance": 80, "radius": 50, "accuracy": 40})
        assert expected in text
        for code in evidence.MESSAGES:
            figures = {
                "distance": 1,
                "radius": 1,
                "accuracy": 1,
                "people": 3,
                "minutes": 30,
                "clock_gap_minutes": 40,
                "speed": 55,
                "limit": 60,
                "scans": 5,
            }
            assert "%(" not in evidence.text(code, figures)
