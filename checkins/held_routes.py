"""The officers' queue of held check-ins (on the points blueprint): the page, and approving or
rejecting one as JSON."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template
from flask_login import current_user

from app.edge import accepts
from app.extensions import db
from app.permissions import requires
from app.uow import unit_of_work
from checkins import held, queries
from checkins.officer import bp
from checkins.policy import current_policy
from checkins.schemas import DecisionBody, HeldAnswer, RejectBody
from volunteers.areas import callers_areas


def _row_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "person": row.person.name,
        "point": row.point.name if row.point else None,
        "points": row.points,
        "lat": row.lat,
        "lon": row.lon,
        "accuracy_m": row.accuracy_m,
        "distance_m": round(row.distance_m) if row.distance_m is not None else None,
        "point_lat": row.point.lat if row.point else None,
        "point_lon": row.point.lon if row.point else None,
        "radius_m": row.point.radius_m if row.point else None,
        "appealed": row.appealed_at is not None,
        "appeal_note": row.appeal_note,
        "doubts": queries.doubts_json(row.detail),
    }


@bp.get("/officer/held")
@requires("checkins.held.decide")
def held_queue() -> Any:
    """Held check-ins waiting for a decision, appealed ones first, with why and where."""
    rows = held.queue(db.session(), callers_areas())
    return render_template("checkins/held.html", rows=[(r, _row_json(r)) for r in rows])


@bp.post("/api/officer/held/<id:checkin_id>/approve")
@requires("checkins.held.decide")
@accepts(DecisionBody, answers={200: HeldAnswer})
def approve_held(checkin_id: int, body: DecisionBody) -> Any:
    """Approve a held check-in: it counts and pays its points once (409 if already decided)."""
    with unit_of_work() as uow:
        officer = current_user._get_current_object()
        decided = held.approve(uow, officer, checkin_id, current_policy(), body.note)
        uow.commit()
    return jsonify(HeldAnswer.model_validate(held.answer(decided)).model_dump(mode="json"))


@bp.post("/api/officer/held/<id:checkin_id>/reject")
@requires("checkins.held.decide")
@accepts(RejectBody, answers={200: HeldAnswer})
def reject_held(checkin_id: int, body: RejectBody) -> Any:
    """Reject a held check-in with a reason the person reads (409 if already decided)."""
    with unit_of_work() as uow:
        officer = current_user._get_current_object()
        decided = held.reject(uow, officer, checkin_id, body.reason)
        uow.commit()
    return jsonify(HeldAnswer.model_validate(held.answer(decided)).model_dump(mode="json"))
