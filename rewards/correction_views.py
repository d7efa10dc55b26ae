"""HTTP edge for points corrections (rewards/corrections.py): the officers' list with its form
(/officer/corrections), the JSON calls to ask for one, approve it and reject it."""

from __future__ import annotations

import secrets
from typing import Any

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app.edge import accepts, parse, submitted
from app.errors import DomainError, wants_json
from app.extensions import db
from app.permissions import requires
from app.times import local_zone
from app.types import utcnow
from app.uow import unit_of_work
from app.web import form_error
from rewards import corrections
from rewards.routes import bp
from rewards.schemas import (
    ApproveBody,
    CorrectionAnswer,
    CorrectionBody,
    CorrectionForm,
    CorrectionOut,
    RejectBody,
)
from volunteers.areas import callers_areas


def _rules() -> corrections.Rules:
    return corrections.Rules.from_config(current_app.config, local_zone())


def _out(row: corrections.CorrectionRow) -> dict[str, Any]:
    return CorrectionOut.model_validate(row, from_attributes=True).model_dump(mode="json")


def _answer(outcome: corrections.Outcome) -> dict[str, Any]:
    row = corrections.row_of(db.session(), outcome.correction.id)
    answer = CorrectionAnswer(
        correction=CorrectionOut.model_validate(row, from_attributes=True),
        balance=outcome.balance,
        replayed=outcome.replayed,
    )
    return answer.model_dump(mode="json")


def _page(**context: Any) -> dict[str, Any]:
    session = db.session()
    done = request.args.get("done", type=int)
    mine = callers_areas()
    return {
        "pending": corrections.list_corrections(session, status=corrections.PENDING, areas=mine),
        "recent": corrections.list_corrections(session, limit=200, areas=mine),
        "rules": _rules(),
        "moved_today": corrections.moved_on_day(session, current_user.id, utcnow(), local_zone()),
        "done": corrections.row_of(session, done) if done and 0 < done < 2**31 else None,
        "form": {},
        "form_key": secrets.token_urlsafe(16),
    } | context


@bp.get("/officer/corrections")
@requires("rewards.corrections.view")
def corrections_page() -> Any:
    """Every correction, those waiting first, with who asked, who decided, when and why."""
    if wants_json():
        listed = corrections.list_corrections(db.session(), limit=200, areas=callers_areas())
        return jsonify(corrections=[_out(row) for row in listed])
    return render_template("rewards/officer_corrections.html", **_page())


@bp.post("/officer/corrections")
@requires("rewards.points.correct")
@accepts(CorrectionForm, described=False, inject=False)
def correction_form() -> Any:
    """The page's form: the person by mobile number; back to the list, or the form and why."""
    data = submitted()
    try:
        body = parse(CorrectionForm, data)
        with unit_of_work() as uow:
            outcome = corrections.request(
                uow,
                current_user,
                user_id=corrections.person_by_phone(uow.session, body.phone),
                delta=body.delta,
                reason=body.note,
                key=body.key,
                rules=_rules(),
            )
            uow.commit()
    except DomainError as error:
        return form_error("rewards/officer_corrections.html", error, **_page(form=data))
    return redirect(url_for("rewards.corrections_page", done=outcome.correction.id))


@bp.post("/api/corrections")
@requires("rewards.points.correct")
@accepts(CorrectionBody, answers=dict.fromkeys((201, 202, 200), CorrectionAnswer))
def correct(body: CorrectionBody) -> Any:
    """Correct a person's points with a reason: 201 paid, 202 waiting for a second officer."""
    with unit_of_work() as uow:
        outcome = corrections.request(
            uow,
            current_user,
            user_id=body.user_id,
            delta=body.delta,
            reason=body.note,
            key=body.key or secrets.token_hex(8),
            rules=_rules(),
        )
        uow.commit()
    if outcome.replayed:
        return jsonify(_answer(outcome)), 200
    waiting = outcome.correction.status == corrections.PENDING
    return jsonify(_answer(outcome)), 202 if waiting else 201


@bp.post("/api/corrections/<id:correction_id>/approve")
@requires("rewards.corrections.decide")
@accepts(ApproveBody, answers={200: CorrectionAnswer})
def approve_correction(correction_id: int, body: ApproveBody) -> Any:
    """Approve another officer's pending correction: its points are paid now, once."""
    with unit_of_work() as uow:
        outcome = corrections.approve(uow, current_user, correction_id)
        uow.commit()
    return jsonify(_answer(outcome))


@bp.post("/api/corrections/<id:correction_id>/reject")
@requires("rewards.corrections.decide")
@accepts(RejectBody, answers={200: CorrectionAnswer})
def reject_correction(correction_id: int, body: RejectBody) -> Any:
    """Reject another officer's pending correction, with the reason; nothing is paid."""
    with unit_of_work() as uow:
        outcome = corrections.reject(uow, current_user, correction_id, body.reason)
        uow.commit()
    return jsonify(_answer(outcome))
