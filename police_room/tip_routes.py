"""The tip box's pages and API. Residents (no login needed): the form on an area's page, the
code and where to read the reply, the reply by code. Officers: the area's tips with their age,
the reply form, marking a tip complex. Sending and reading codes are limited per address."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

import police_room.tip_permissions  # noqa: F401 - registers this package's permissions
from app.edge import accepts, parse, submitted
from app.errors import DomainError, TooManyRequests, wants_json
from app.extensions import db, limiter
from app.permissions import requires
from app.times import local_zone
from app.types import utcnow
from app.uow import unit_of_work
from app.web import form_error, safe_next
from police_room import bp, tip_rules, tips
from police_room.public import area_by_slug
from police_room.tip_schemas import (
    CodeQuery,
    ComplexBody,
    OfficerTips,
    ReplyBody,
    TipBody,
    TipSent,
    TipStatus,
)
from volunteers.areas import Areas, callers_areas
from volunteers.models import PoliceArea

SEND_LIMIT = "5 per hour;20 per day"
READ_LIMIT = "30 per hour"


def _send_limit() -> str:
    return str(current_app.config.get("TIP_RATE_LIMIT", SEND_LIMIT))


def _read_limit() -> str:
    return str(current_app.config.get("TIP_READ_RATE_LIMIT", READ_LIMIT))


def _address() -> str:
    return request.remote_addr or ""


def _too_many_tips(_limit: Any) -> None:
    raise TooManyRequests(
        "too_many_tips",
        _l("Many tips came from your network in a short time. Please try again later."),
    )


def _too_many_lookups(_limit: Any) -> None:
    raise TooManyRequests(
        "too_many_tip_lookups",
        _l("Too many tip codes were tried from your network. Please try again later."),
    )


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


@bp.get("/area/<slug>/tip")
def tip_form(slug: str) -> Any:
    """The tip form of an area's police room."""
    return render_template("police_room/tip_form.html", area=area_by_slug(db.session(), slug))


@bp.post("/area/<slug>/tip")
@bp.post("/api/areas/<slug>/tips", endpoint="api_send_tip")
@limiter.limit(_send_limit, key_func=_address, on_breach=_too_many_tips)
@accepts(TipBody, answers={201: TipSent}, inject=False)
def send_tip(slug: str) -> Any:
    """Leave a tip for an area's police room (no account needed): answers its code."""
    area = area_by_slug(db.session(), slug)
    data = submitted()
    try:
        body = parse(TipBody, data)
        with unit_of_work() as uow:
            tip = tips.send(uow, area, _user_id(), body.text, body.contact)
            uow.commit()
    except DomainError as error:
        return form_error("police_room/tip_form.html", error, area=area, typed=data)
    code = tip_rules.shown_code(tip.code)
    url = url_for("police_room.tip_by_code", code=code)
    if wants_json():
        return jsonify(TipSent(code=code, url=url).model_dump()), 201
    return render_template("police_room/tip_sent.html", area=area, code=code, url=url), 201


@bp.get("/tips")
@limiter.limit(_read_limit, key_func=_address, on_breach=_too_many_lookups)
@accepts(query=CodeQuery, described=False)
def tip_lookup(query: CodeQuery) -> Any:
    """Type a tip code to read the reply."""
    if not query.code:
        return render_template("police_room/tip_lookup.html")
    try:
        tip = tips.by_code(db.session(), query.code)
    except DomainError as error:
        return form_error("police_room/tip_lookup.html", error, typed=query.code)
    return redirect(url_for("police_room.tip_by_code", code=tip_rules.shown_code(tip.code)))


@bp.get("/tips/<code>")
@bp.get("/api/tips/<code>", endpoint="api_tip_by_code")
@limiter.limit(_read_limit, key_func=_address, on_breach=_too_many_lookups)
@accepts(answers={200: TipStatus})
def tip_by_code(code: str) -> Any:
    """A tip and the police room's reply, for whoever holds its code."""
    tip = tips.by_code(db.session(), code)
    if wants_json():
        status = TipStatus(
            code=tip_rules.shown_code(tip.code),
            status=tip.status,
            created_at=tip.created_at,
            reply=tip.reply,
            replied_at=tip.replied_at,
        )
        return jsonify(status.model_dump(mode="json"))
    area = db.session.get(PoliceArea, tip.police_area_id)
    return render_template(
        "police_room/tip_status.html", tip=tip, code=tip_rules.shown_code(tip.code), area=area
    )


def officer_tips(area_id: int | None = None, *, open_only: bool = False) -> list[tips.TipView]:
    """The tips of the caller's areas, or of one of them (``area_id``, already checked), as
    the officer's day and the tips page list them."""
    areas = callers_areas() if area_id is None else Areas(frozenset({area_id}))
    return tips.for_officers(db.session(), areas, local_zone(), utcnow(), open_only=open_only)


@bp.get("/officer/tips")
@bp.get("/api/officer/tips", endpoint="api_officer_tips")
@requires("police_room.tips")
@accepts(answers={200: OfficerTips})
def officer_tips_page() -> Any:
    """The tips of the officer's areas: unanswered first, overdue ones marked."""
    listed = officer_tips()
    if wants_json():
        out = OfficerTips.model_validate({"tips": [vars(tip) for tip in listed]})
        return jsonify(out.model_dump(mode="json"))
    return render_template("police_room/officer_tips.html", tips=listed)


def _back() -> Any:
    target = safe_next(request.args.get("next"), url_for("police_room.officer_tips_page"))
    return redirect(target), 303


@bp.post("/officer/tips/<id:tip_id>/reply")
@bp.post("/api/officer/tips/<id:tip_id>/reply", endpoint="api_reply_tip")
@requires("police_room.tips")
@accepts(ReplyBody, answers={200: None})
def reply_tip(tip_id: int, body: ReplyBody) -> Any:
    """Reply to a tip; the resident reads it with the tip's code."""
    with unit_of_work() as uow:
        tip = tips.reply(uow, current_user._get_current_object(), tip_id, body.reply, utcnow())
        uow.commit()
    if wants_json():
        return jsonify(id=tip.id, status=tip.status)
    return _back()


@bp.post("/officer/tips/<id:tip_id>/complex")
@requires("police_room.tips")
@accepts(ComplexBody, answers={200: None})
def mark_tip(tip_id: int, body: ComplexBody) -> Any:
    """Mark a tip complex (a reply within 3 days) or simple (the same day)."""
    with unit_of_work() as uow:
        tip = tips.mark(uow, current_user._get_current_object(), tip_id, is_complex=body.complex)
        uow.commit()
    if wants_json():
        return jsonify(id=tip.id, complex=tip.complex)
    return _back()
