"""HTTP edge for check-ins: the page a poster opens, the check-in API, the person's history."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user

import checkins.permissions  # noqa: F401 - registers this package's permissions
from app import metrics
from app.edge import accepts
from app.errors import Forbidden, TooManyRequests, wants_json
from app.extensions import db, limiter, per_person
from app.permissions import requires
from app.uow import unit_of_work
from checkins import held, queries, services, tokens
from checkins.models import PatrolPoint
from checkins.policy import current_policy, signing_key
from checkins.schemas import AppealBody, CheckInAnswer, CheckInBody, HeldAnswer

bp = Blueprint("checkins", __name__, template_folder="templates")
TOO_MANY_CHECKINS = _l(
    "Too many check-ins sent from your login in a short time. Please wait a minute and try again."
)
QUEUED_BY_SOMEONE_ELSE = _l(
    "This check-in was saved on this phone while someone else was logged in. It stays with "
    "them and is not sent under your name."
)


@bp.get("/c/<token>")
def scan(token: str) -> Any:
    """What a poster's QR code opens: the light check-in page (login first if needed)."""
    if not current_user.is_authenticated:
        return redirect(url_for("volunteers.login", next=request.path))
    named = tokens.verify(signing_key(), token)
    point = db.session.get(PatrolPoint, named.point_id) if named else None
    page = make_response(
        render_template(
            "checkins/scan.html",
            token=token,
            point=point,
            stale=bool(point and named and named.version != point.poster_version),
        )
    )
    if point:
        # The check-in needs only this script: asked for with the answer's head, before the
        # page's body is parsed and ahead of the stylesheet (the page runs it async).
        script = url_for("static", filename="js/checkin.js")
        page.headers["Link"] = f"<{script}>; rel=preload; as=script; fetchpriority=high"
    return page


def _checkin_limit() -> str:
    return str(current_app.config["CHECKIN_RATE_LIMIT"])


def _too_many_checkins(_limit: Any) -> None:
    raise TooManyRequests("too_many_checkins", TOO_MANY_CHECKINS)


@bp.post("/api/checkins")
@limiter.limit(_checkin_limit, key_func=per_person, on_breach=_too_many_checkins)
@requires("checkins.checkin")
@accepts(CheckInBody, answers={201: CheckInAnswer, 202: CheckInAnswer, 200: CheckInAnswer})
def create_checkin(body: CheckInBody) -> Any:
    """Check in at a patrol point (201; 202 when held on doubtful evidence for an officer; 200
    when the same client_id was already answered)."""
    if body.person_id not in (None, current_user.id):
        raise Forbidden("queued_by_someone_else", QUEUED_BY_SOMEONE_ELSE)
    check = services.CheckInRequest(
        token=body.token,
        lat=body.lat,
        lon=body.lon,
        accuracy_m=body.accuracy,
        device_time=body.device_time,
        client_id=body.client_id or None,
        queued_offline=body.queued_offline,
    )
    with unit_of_work() as uow:
        person = current_user._get_current_object()
        outcome = services.check_in(uow, person, check, current_policy())
        uow.commit()  # a refusal is kept for officers before it is answered
    metrics.checkin(outcome.kind)
    if outcome.error is not None:
        raise outcome.error
    answer = CheckInAnswer.model_validate(queries.outcome_json(outcome))
    status = 200 if outcome.replayed else (202 if outcome.held else 201)
    return jsonify(answer.model_dump(mode="json")), status


@bp.post("/api/checkins/<id:checkin_id>/appeal")
@requires("checkins.appeal")
@accepts(AppealBody, answers={200: HeldAnswer})
def appeal(checkin_id: int, body: AppealBody) -> Any:
    """Ask an officer to look again at one's held check-in (once; again changes nothing)."""
    with unit_of_work() as uow:
        row = held.appeal(uow, current_user._get_current_object(), checkin_id, body.note)
        uow.commit()
    answer = HeldAnswer.model_validate(held.answer(held.Decided(row)))
    return jsonify(answer.model_dump(mode="json"))


@bp.get("/me/checkins")
@requires("checkins.history.view")
def history() -> Any:
    summary = queries.history(current_user, current_policy())
    if wants_json():
        return jsonify(summary)
    return render_template("checkins/history.html", summary=summary)
