"""Residents sign up from their police area's page (no invite code): name, mobile number and a
password, then book its officers. Sign-ups are limited per address, so nobody fills the table
with made-up numbers."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.edge import accepts, parse, submitted
from app.errors import DomainError, Invalid, wants_json
from app.extensions import db, limiter
from app.permissions import can
from app.roles import Role
from app.uow import UnitOfWork, unit_of_work
from app.web import form_error
from police_room import bp
from police_room.appointment_schemas import ResidentBody
from police_room.public import area_by_slug
from volunteers import services
from volunteers.models import User
from volunteers.routes import _start_login

SIGNUP_LIMIT = "10 per hour; 30 per day"  # per address; WANJIA_RESIDENT_SIGNUP_LIMIT overrides


def sign_up(
    uow: UnitOfWork,
    *,
    name: str,
    phone: str,
    password: str,
    agreed: bool,
    hash_method: str | None = None,
) -> User:
    """A resident's account: it books officers and rates meetings, nothing more."""
    if not agreed:
        raise Invalid("terms_not_agreed", _l("Please read and agree to how your details are used."))
    return services.create_user(
        uow, name=name, phone=phone, password=password, role=Role.RESIDENT, hash_method=hash_method
    )


def _limit() -> str:
    return str(current_app.config.get("RESIDENT_SIGNUP_LIMIT", SIGNUP_LIMIT))


@bp.route("/area/<slug>/join", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
@accepts(ResidentBody, answers={201: None}, inject=False)
def join(slug: str) -> Any:
    """Sign up as a resident of this police area's page and log in."""
    area = area_by_slug(db.session(), slug)
    book = url_for("police_room.book", slug=slug)
    if current_user.is_authenticated and can(current_user, "police_room.appointments.book"):
        return redirect(book)
    context = {"area": area, "login": url_for("volunteers.login", next=book)}
    if request.method == "GET":
        return render_template("police_room/appointment_join.html", form={}, **context)
    data = submitted()
    try:
        body = parse(ResidentBody, data)
        with unit_of_work() as uow:
            user = sign_up(
                uow,
                name=body.name,
                phone=body.phone,
                password=body.password,
                agreed=body.agree,
                hash_method=current_app.config.get("PASSWORD_HASH_METHOD"),
            )
            uow.commit()
    except DomainError as error:
        return form_error("police_room/appointment_join.html", error, form=data, **context)
    person = _start_login(user)
    if wants_json():
        return jsonify(user={"id": person.id, "name": person.name, "role": person.role}), 201
    return redirect(book)
