"""Pure check-in rules (no I/O): time, activity, role, accuracy, geofence, cooldown, cap, speed.

Each refusal is a ``Refused`` error with its own code and message; ``suspicious`` marks the ones
that look like fraud (forged, far away, too fast) so officers can review them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from geopy.distance import EARTH_RADIUS, geodesic

from app.errors import Conflict, Invalid

MESSAGES: dict[str, Any] = {
    "qr_invalid": _l("This QR code is not one of ours. Please scan the poster again."),
    "qr_stale": _l("This poster has been replaced. Please scan the new poster at this point."),
    "too_late": _l(
        "This check-in was made more than %(minutes)s minutes ago and can no longer count."
    ),
    "point_inactive": _l("This patrol point is not in use at the moment."),
    "role_not_allowed": _l("Your role does not check in at this point."),
    "location_missing": _l(
        "Your phone did not send a usable location. Allow location access and try again."
    ),
    "accuracy_poor": _l(
        "Your location is too rough (about %(accuracy)s m). Step into the open, "
        "wait a moment and try again."
    ),
    "too_far": _l(
        "You are about %(distance)s m from this patrol point. Please go within "
        "%(radius)s m of it and scan again."
    ),
    "cooldown": _l("You already checked in here. This point counts again in %(minutes)s minutes."),
    "daily_cap": _l("You have reached today's %(cap)s check-ins. Thank you! More count tomorrow."),
    "too_fast": _l(
        "You were at another patrol point too recently to be here now. If this is "
        "wrong, please tell your police room."
    ),
    "late_cap": _l(
        "Today's %(cap)s check-ins sent late from the phone's offline queue have already "
        "counted; more late ones count again tomorrow. Check in while you have network."
    ),
    # Not a refusal: why a check-in that counted is on the officers' list of suspicious ones.
    "clock_gap": _l(
        "The phone's time was %(clock_gap_minutes)s minutes away from the server's when "
        "this arrived."
    ),
}
SUSPICIOUS = frozenset({"qr_invalid", "too_far", "too_fast"})
TIMING = frozenset({"cooldown", "daily_cap", "late_cap"})


class Refused(Invalid):
    """A check-in that does not count. Stored with its reason; suspicious ones are flagged."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code, MESSAGES[code], **params)
        self.suspicious = code in SUSPICIOUS
        if code in TIMING:
            self.status = Conflict.status  # the request was fine; the moment is not


@dataclass(frozen=True)
class Thresholds:
    cooldown: timedelta
    daily_cap: int
    max_accuracy_m: float
    accuracy_allowance_m: float
    max_speed_kmh: float
    speed_min_distance_m: float
    late_max: timedelta
    late_daily_cap: int = 15
    clock_gap: timedelta = timedelta(minutes=30)
    refusals_stored_per_day: int = 50

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Thresholds:
        return cls(
            cooldown=timedelta(minutes=config["CHECKIN_COOLDOWN_MINUTES"]),
            daily_cap=int(config["CHECKIN_DAILY_CAP"]),
            max_accuracy_m=float(config["CHECKIN_MAX_ACCURACY_M"]),
            accuracy_allowance_m=float(config["CHECKIN_ACCURACY_ALLOWANCE_M"]),
            max_speed_kmh=float(config["CHECKIN_MAX_SPEED_KMH"]),
            speed_min_distance_m=float(config["CHECKIN_SPEED_MIN_DISTANCE_M"]),
            late_max=timedelta(minutes=config["CHECKIN_LATE_MAX_MINUTES"]),
            late_daily_cap=int(config["CHECKIN_LATE_DAILY_CAP"]),
            clock_gap=timedelta(minutes=config["CHECKIN_CLOCK_GAP_SUSPICIOUS_MINUTES"]),
            refusals_stored_per_day=int(config["CHECKIN_REFUSALS_STORED_PER_DAY"]),
        )


@dataclass(frozen=True)
class Position:
    lat: float
    lon: float
    accuracy_m: float


@dataclass(frozen=True)
class Visit:
    """A previous valid check-in, as the speed rule needs it."""

    lat: float
    lon: float
    observed_at: datetime


def observed_at(
    device_time: datetime | None,
    server_time: datetime,
    t: Thresholds,
    *,
    queued_offline: bool = False,
) -> datetime:
    """When the scan happened. The server's clock, unless the page says the attempt waited in
    its offline queue: then the phone's clock, within the allowed delay (older is refused; a
    clock ahead is ignored). A phone's clock is the attacker's to set, so a live attempt never
    moves its own time, and a late one is also judged at server time (``services``)."""
    if not queued_offline or device_time is None or device_time > server_time:
        return server_time
    if server_time - device_time > t.late_max:
        raise Refused("too_late", minutes=int(t.late_max.total_seconds() // 60))
    return device_time


def clock_gap_minutes(
    device_time: datetime | None, server_time: datetime, t: Thresholds
) -> int | None:
    """How far the phone's clock was from the server's, in minutes, when that is beyond what
    officers should look at (a long offline wait or a clock set by hand); None otherwise."""
    if device_time is None:
        return None
    gap = abs(server_time - device_time)
    return int(gap.total_seconds() // 60) if gap > t.clock_gap else None


def check_late_cap(late_today: int, t: Thresholds) -> None:
    """Only so many check-ins a day may be dated by the phone (sent from its offline queue)."""
    if late_today >= t.late_daily_cap:
        raise Refused("late_cap", cap=t.late_daily_cap)


def point_active(
    active_from: datetime | None,
    active_until: datetime | None,
    retired_at: datetime | None,
    at: datetime,
) -> bool:
    if retired_at is not None and retired_at <= at:
        return False
    if active_from is not None and at < active_from:
        return False
    return not (active_until is not None and at >= active_until)


def check_position(lat: Any, lon: Any, accuracy: Any, t: Thresholds) -> Position:
    """Parse what the phone reported; missing, impossible or rough fixes are refused."""
    try:
        position = Position(float(lat), float(lon), float(accuracy))
    except (TypeError, ValueError) as exc:
        raise Refused("location_missing") from exc
    finite = all(math.isfinite(v) for v in (position.lat, position.lon, position.accuracy_m))
    in_range = -90 <= position.lat <= 90 and -180 <= position.lon <= 180
    if not finite or not in_range or position.accuracy_m < 0:
        raise Refused("location_missing")
    if position.accuracy_m > t.max_accuracy_m:
        raise Refused("accuracy_poor", accuracy=round(position.accuracy_m))
    return position


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return geodesic((lat1, lon1), (lat2, lon2)).meters


def great_circle_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """geopy's ``great_circle`` (same sphere) as plain arithmetic: building geopy's point and
    distance objects cost twenty times the formula, twice or three times per check-in."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi, half_dlambda = (phi2 - phi1) / 2, math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS * 1000 * math.asin(min(1.0, math.sqrt(a)))


# A great circle is within 0.56% of the WGS-84 geodesic at any distance (a tenth of the cost).
GREAT_CIRCLE_MARGIN = 1.01


def check_geofence(
    point_lat: float, point_lon: float, radius_m: float, position: Position, t: Thresholds
) -> float:
    """Return the distance; refuse beyond the radius plus part of the reported accuracy.
    Clearly inside, the great circle answers; near or past the edge, the ellipsoid decides."""
    allowed = radius_m + min(position.accuracy_m, t.accuracy_allowance_m)
    rough = great_circle_m(point_lat, point_lon, position.lat, position.lon)
    if rough * GREAT_CIRCLE_MARGIN < allowed:
        return rough
    distance = distance_m(point_lat, point_lon, position.lat, position.lon)
    if distance > allowed:
        raise Refused("too_far", distance=round(distance), radius=round(radius_m))
    return distance


def check_cooldown(nearest_here: datetime | None, at: datetime, t: Thresholds) -> None:
    """Refuse when another valid check-in at this point lies within the cooldown of ``at``
    (before or after it: offline check-ins can arrive out of order)."""
    if nearest_here is None:
        return
    wait = t.cooldown - abs(at - nearest_here)
    if wait > timedelta(0):
        raise Refused("cooldown", minutes=max(1, math.ceil(wait.total_seconds() / 60)))


def check_daily_cap(valid_today: int, t: Thresholds) -> None:
    if valid_today >= t.daily_cap:
        raise Refused("daily_cap", cap=t.daily_cap)


def travel_m(visit: Visit, position: Position) -> float:
    """How far apart two check-ins are, for the speed rule. A great circle is a tenth of the
    cost of the ellipsoid and off by under 0.5%: nothing next to a 60 km/h threshold."""
    return great_circle_m(visit.lat, visit.lon, position.lat, position.lon)


def travel_speed_kmh(distance: float, visit: Visit, at: datetime) -> float | None:
    """Speed needed to cover ``distance`` since (or until) ``visit``; None when both coincide."""
    seconds = abs((at - visit.observed_at).total_seconds())
    if seconds == 0:
        return math.inf if distance > 0 else None
    return distance / seconds * 3.6


def check_speed(neighbours: list[Visit], position: Position, at: datetime, t: Thresholds) -> None:
    """Refuse when reaching here from the previous (or the next) valid check-in is impossible."""
    for visit in neighbours:
        distance = travel_m(visit, position)
        if distance < t.speed_min_distance_m:
            continue
        speed = travel_speed_kmh(distance, visit, at)
        if speed is not None and speed > t.max_speed_kmh:
            raise Refused("too_fast")
