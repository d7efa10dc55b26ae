"""HTTP edge for check-ins: the page a poster opens, the check-in API, the person's history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

import checkins.permissions  # noqa: F401 - registers this package's permissions
from app.errors import Invalid, wants_json
from app.extensions import db
from app.permissions import requires
from app.uow import unit_of_work
from app.web import request_data
from checkins import queries, services, tokens
from checkins.models import PatrolPoint
from checkins.policy import current_policy, signing_key

bp = Blueprint("checkins", __name__, template_folder="templates")


def _device_time(value: Any) -> datetime | None:
    """The phone's clock as ISO 8601 or epoch milliseconds; absent is fine, garbage is not."""
    if value in (None, ""):
        return None
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError) as exc:
        raise Invalid("device_time_invalid", _l("The phone's time could not be read.")) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@bp.get("/c/<token>")
def scan(token: str) -> Any:
    """What a poster's QR code opens: the light check-in page (login first if needed)."""
    if not current_user.is_authenticated:
        return redirect(url_for("volunteers.login", next=request.path))
    named = tokens.verify(signing_key(), token)
    point = db.session.get(PatrolPoint, named.point_id) if named else None
    return render_template(
        "checkins/scan.html",
        token=token,
        point=point,
        stale=bool(point and named and named.version != point.poster_version),
    )


@bp.post("/api/checkins")
@requires("checkins.checkin")
def create_checkin() -> Any:
    data = request_data()
    client_id = data.get("client_id")
    check = services.CheckInRequest(
        token=str(data.get("token", "")),
        lat=data.get("lat"),
        lon=data.get("lon"),
        accuracy_m=data.get("accuracy"),
        device_time=_device_time(data.get("device_time")),
        client_id=str(client_id)[:64] if client_id else None,
    )
    with unit_of_work() as uow:
        person = current_user._get_current_object()
        outcome = services.check_in(uow, person, check, current_policy())
        uow.commit()  # a refusal is kept for officers before it is answered
    if outcome.error is not None:
        raise outcome.error
    return jsonify(queries.outcome_json(outcome)), 200 if outcome.replayed else 201


@bp.get("/me/checkins")
@requires("checkins.history.view")
def history() -> Any:
    summary = queries.history(current_user, current_policy())
    if wants_json():
        return jsonify(summary)
    return render_template("checkins/history.html", summary=summary)
