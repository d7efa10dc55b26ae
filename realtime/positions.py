"""Live positions: shared only while on duty and with consent; only the latest one is kept."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from app.errors import Forbidden, Invalid, TooManyRequests
from app.roles import FIELD_ROLES
from app.validation import number_in_range
from realtime.presence import PresenceStore, Seen
from volunteers.duty import CONSENT_LOCATION, has_consent
from volunteers.person import Person

MAX_ACCURACY_M = 5000
INVALID = _l("That position is not valid.")


def share(
    session: Any,
    presence: PresenceStore,
    user: Person,
    data: Any,
    *,
    now: datetime,
    min_interval: timedelta,
) -> Seen:
    """Record where an on-duty person is now; refuse floods and anyone not on duty."""
    if not isinstance(data, dict):
        raise Invalid("position_invalid", _l("That position is not valid."))
    if user.role not in FIELD_ROLES or not user.on_duty:
        raise Forbidden("not_on_duty", _l("Your position is shared only while you are on duty."))
    if not has_consent(session, user.id, CONSENT_LOCATION):
        raise Forbidden(
            "location_consent_needed",
            _l("To go on duty, agree to share your position with the police room while on duty."),
        )
    seen = Seen(
        user_id=user.id,
        role=user.role,
        lat=number_in_range(data.get("lat"), -85, 85, "position_invalid", INVALID),
        lon=number_in_range(data.get("lon"), -180, 180, "position_invalid", INVALID),
        accuracy_m=number_in_range(
            data.get("accuracy", 0), 0, MAX_ACCURACY_M, "position_invalid", INVALID
        ),
        seen_at=now,
    )
    last = presence.get(user.id)
    if last is not None and now - last.seen_at < min_interval:
        raise TooManyRequests("position_flood", _l("Your phone is sending its position too often."))
    presence.update(seen)
    return seen


def seen_json(seen: Seen, name: str) -> dict[str, Any]:
    return {
        "user_id": seen.user_id,
        "name": name,
        "role": seen.role,
        "lat": seen.lat,
        "lon": seen.lon,
        "accuracy_m": seen.accuracy_m,
        "seen_at": seen.seen_at.isoformat(),
    }
