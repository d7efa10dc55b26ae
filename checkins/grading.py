"""The facts a scan's evidence grade needs, read from the database for checkins/evidence.py
(which judges them, without I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from checkins import attempts, evidence, rules
from checkins.attempts import Attempt
from volunteers.person import Person

if TYPE_CHECKING:
    from checkins.services import CheckInRequest, Passed, Policy


def grade_scan(
    session: Session,
    user: Person,
    request: CheckInRequest,
    policy: Policy,
    attempt: Attempt,
    passed: Passed,
    server_time: datetime,
) -> evidence.Grade:
    """The evidence grade of a scan the rules let through (the facts read here, the judging
    in checkins/evidence.py)."""
    t, limits = policy.thresholds, policy.doubt
    people = 1
    if user.login_session_id is not None:
        people = attempts.people_on_device(
            session, user.login_session_id, server_time, limits.shared_phone_window
        )
    facts = evidence.Evidence(
        point_lat=passed.point.lat,
        point_lon=passed.point.lon,
        radius_m=passed.point.radius_m,
        position=passed.position,
        distance_m=attempt.distance_m or 0.0,
        clock_gap_minutes=rules.clock_gap_minutes(request.device_time, server_time, t),
        top_speed_kmh=evidence.top_speed_kmh(
            passed.neighbours, passed.position, attempt.observed_at, t
        ),
        people_on_device=people,
        recent_accuracies=passed.accuracies,
    )
    return evidence.grade(facts, limits, t)
