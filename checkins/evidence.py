"""The evidence grade of a scan that passed the plain rules: what the server sees that makes it
doubtful. Pure functions (no I/O); checkins/services.py gathers the facts and decides.

Each signal is one function that returns a ``Signal`` or None. A strong signal holds the scan
alone (recorded as a patrol, its points waiting for an officer); a weak one only notes it on
the officers' list, unless a second one agrees. Plain failures (a forged poster, far outside
the fence, too fast) are refused by checkins/rules.py before any grading.

The signals, one line each:
- ``outside_fence`` (strong): outside the point's radius, but within what the reported accuracy
  forgives (indoors, a phone is often 30 m off).
- ``on_point_exactly`` (strong): the position is the point's own coordinates to a decimetre;
  real fixes scatter, a typed-in fake location does not.
- ``shared_phone`` (weak): several people logged in on this device within a short time (one
  phone checking a team in); the server knows a device only by its browser and address, which
  identical phones on one Wi-Fi share, so this alone does not hold a scan.
- ``accuracy_rough`` (weak): the reported accuracy is rough, though within what is accepted.
- ``clock_gap`` (weak): the phone's clock was far from the server's.
- ``speed_near_limit`` (weak): getting here from the last scan needed a speed near the limit.
- ``accuracy_constant`` (weak): the same reported accuracy, to the centimetre, on every one of
  the last scans; real phones vary, location-faking apps often do not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from checkins.rules import Position, Thresholds, Visit, travel_m, travel_speed_kmh

GOOD, NOTED, DOUBTFUL = "good", "noted", "doubtful"

# What the person and the officer read for each signal, with the signal's own figures.
MESSAGES: dict[str, Any] = {
    "outside_fence": _l(
        "Your phone placed you about %(distance)s m from the point, outside its %(radius)s m "
        "circle (your location was only accurate to about %(accuracy)s m, as is common indoors)."
    ),
    "on_point_exactly": _l(
        "The location sent is exactly the point's own map position, which a real phone almost "
        "never reports."
    ),
    "shared_phone": _l(
        "%(people)s different people logged in on this phone within %(minutes)s minutes."
    ),
    "accuracy_rough": _l("Your location was rough (about %(accuracy)s m)."),
    "clock_gap": _l(
        "The phone's time was %(clock_gap_minutes)s minutes away from the server's when "
        "this arrived."
    ),
    "speed_near_limit": _l(
        "You reached this point from your last one at about %(speed)s km/h, close to the "
        "%(limit)s km/h limit."
    ),
    "accuracy_constant": _l(
        "The phone reported exactly the same accuracy (%(accuracy)s m) on its last %(scans)s "
        "scans, which happens with location-faking apps."
    ),
}


@dataclass(frozen=True)
class Limits:
    """The grading's own settings (app/config.py names them)."""

    rough_accuracy_m: float = 100
    speed_share: float = 0.8
    shared_phone_people: int = 3
    shared_phone_window: timedelta = timedelta(minutes=30)
    constant_accuracy_scans: int = 5

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        return cls(
            rough_accuracy_m=float(config["CHECKIN_DOUBT_ACCURACY_M"]),
            speed_share=float(config["CHECKIN_DOUBT_SPEED_SHARE"]),
            shared_phone_people=int(config["CHECKIN_DOUBT_SHARED_PHONE_PEOPLE"]),
            shared_phone_window=timedelta(minutes=config["CHECKIN_DOUBT_SHARED_PHONE_MINUTES"]),
            constant_accuracy_scans=int(config["CHECKIN_DOUBT_CONSTANT_ACCURACY_SCANS"]),
        )


@dataclass(frozen=True)
class Evidence:
    """What the server saw of one scan that passed the plain rules."""

    point_lat: float
    point_lon: float
    radius_m: float
    position: Position
    distance_m: float
    clock_gap_minutes: int | None = None
    top_speed_kmh: float | None = None  # the fastest leg to a neighbouring scan, if any
    people_on_device: int = 1  # distinct people logged in on this device lately
    recent_accuracies: tuple[float, ...] = ()  # the person's previous scans', newest first


@dataclass(frozen=True)
class Signal:
    code: str
    strong: bool
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Grade:
    signals: tuple[Signal, ...] = ()

    @property
    def level(self) -> str:
        if any(s.strong for s in self.signals) or len(self.signals) >= 2:
            return DOUBTFUL
        return NOTED if self.signals else GOOD

    @property
    def held(self) -> bool:
        return self.level == DOUBTFUL

    @property
    def reason(self) -> str | None:
        """The signal named first: a strong one if any."""
        ordered = sorted(self.signals, key=lambda s: not s.strong)
        return ordered[0].code if ordered else None

    def detail(self) -> dict[str, Any] | None:
        """What is stored with the check-in: every signal's code and figures."""
        if not self.signals:
            return None
        params: dict[str, Any] = {}
        for signal in self.signals:
            params.update(signal.params)
        return {**params, "signals": [s.code for s in self.signals]}


def outside_fence(e: Evidence, _limits: Limits) -> Signal | None:
    if e.distance_m <= e.radius_m:
        return None
    figures = {
        "distance": round(e.distance_m),
        "radius": round(e.radius_m),
        "accuracy": round(e.position.accuracy_m),
    }
    return Signal("outside_fence", True, figures)


def on_point_exactly(e: Evidence, _limits: Limits) -> Signal | None:
    lat_same = round(e.position.lat, 6) == round(e.point_lat, 6)
    lon_same = round(e.position.lon, 6) == round(e.point_lon, 6)
    return Signal("on_point_exactly", True) if lat_same and lon_same else None


def shared_phone(e: Evidence, limits: Limits) -> Signal | None:
    if e.people_on_device < limits.shared_phone_people:
        return None
    minutes = int(limits.shared_phone_window.total_seconds() // 60)
    return Signal("shared_phone", False, {"people": e.people_on_device, "minutes": minutes})


def accuracy_rough(e: Evidence, limits: Limits) -> Signal | None:
    if e.position.accuracy_m <= limits.rough_accuracy_m:
        return None
    return Signal("accuracy_rough", False, {"accuracy": round(e.position.accuracy_m)})


def clock_gap(e: Evidence, _limits: Limits) -> Signal | None:
    if e.clock_gap_minutes is None:
        return None
    return Signal("clock_gap", False, {"clock_gap_minutes": e.clock_gap_minutes})


def speed_near_limit_for(max_speed_kmh: float) -> Callable[[Evidence, Limits], Signal | None]:
    def speed_near_limit(e: Evidence, limits: Limits) -> Signal | None:
        if e.top_speed_kmh is None or e.top_speed_kmh < limits.speed_share * max_speed_kmh:
            return None
        figures = {"speed": round(e.top_speed_kmh), "limit": round(max_speed_kmh)}
        return Signal("speed_near_limit", False, figures)

    return speed_near_limit


def accuracy_constant(e: Evidence, limits: Limits) -> Signal | None:
    earlier = limits.constant_accuracy_scans - 1
    if earlier < 1 or len(e.recent_accuracies) < earlier:
        return None
    here = round(e.position.accuracy_m, 2)
    if any(round(a, 2) != here for a in e.recent_accuracies[:earlier]):
        return None
    figures = {"accuracy": round(e.position.accuracy_m), "scans": limits.constant_accuracy_scans}
    return Signal("accuracy_constant", False, figures)


def grade(e: Evidence, limits: Limits, t: Thresholds) -> Grade:
    """Every signal the scan shows, strong ones first."""
    checks = (
        outside_fence,
        on_point_exactly,
        shared_phone,
        accuracy_rough,
        clock_gap,
        speed_near_limit_for(t.max_speed_kmh),
        accuracy_constant,
    )
    found = (check(e, limits) for check in checks)
    return Grade(tuple(s for s in found if s is not None))


def top_speed_kmh(
    neighbours: list[Visit], position: Position, at: datetime, t: Thresholds
) -> float | None:
    """The fastest leg between this scan and its neighbours (legs shorter than GPS noise are
    left out, as the speed rule does)."""
    speeds = []
    for visit in neighbours:
        distance = travel_m(visit, position)
        if distance < t.speed_min_distance_m:
            continue
        speed = travel_speed_kmh(distance, visit, at)
        if speed is not None:
            speeds.append(speed)
    return max(speeds, default=None)


def text(code: str, params: Mapping[str, Any] | None) -> str:
    """A signal in the reader's language, with its figures."""
    message = MESSAGES.get(code)
    if message is None:
        return code
    try:
        return str(message) % dict(params or {})
    except (KeyError, TypeError, ValueError):
        return str(message)
