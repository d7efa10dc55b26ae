"""HTTP edge for people: parse, check the permission, call one service, shape the answer."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user, login_required, login_user
from sqlalchemy import select

import volunteers.permissions  # noqa: F401 - registers this package's permissions
from app.edge import accepts, parse, submitted
from app.errors import DomainError, wants_json
from app.extensions import db, limiter
from app.i18n import LANG_SESSION_KEY
from app.permissions import requires
from app.roles import FIELD_ROLES, Role
from app.uow import unit_of_work
from app.web import form_error, safe_next
from volunteers import login_limits, logins, queries, services
from volunteers.auth import end_browser_login
from volunteers.duty import set_duty
from volunteers.models import InviteCode, User
from volunteers.people_page import officer_community_id, people_context
from volunteers.person import Person
from volunteers.schemas import (
    ActiveBody,
    DutyBody,
    InviteBody,
    LoginBody,
    LogoutBody,
    RegisterBody,
    StaffBody,
)

bp = Blueprint("volunteers", __name__, template_folder="templates", cli_group=None)
bp.register_error_handler(RateLimitExceeded, login_limits.refused)


def _failed(response: Any) -> bool:
    return response.status_code >= 400


def _per_address() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def _start_login(user: User) -> Person:
    """A fresh Flask session for every login (no fixation); only the language choice survives."""
    lang = session.get(LANG_SESSION_KEY)
    session.clear()
    if lang:
        session[LANG_SESSION_KEY] = lang
    with unit_of_work() as uow:
        login = logins.open_login_session(
            uow,
            user,
            days=current_app.config["LOGIN_SESSION_DAYS"],
            user_agent=request.user_agent.string,
            address=request.remote_addr or "",
        )
        person = Person.of(user, login.id)
        uow.commit()
    login_user(person, remember=True, duration=current_app.config["REMEMBER_COOKIE_DURATION"])
    return person


def _me(user: Person) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "phone": user.phone,
        "role": user.role,
        "on_duty": user.on_duty,
    }


@bp.route("/login", methods=["GET", "POST"])
@login_limits.per_address
@login_limits.per_account
def login() -> Any:
    next_url = safe_next(request.values.get("next"), url_for("web.home"))
    if request.method == "GET":
        return render_template("volunteers/login.html", next=next_url, form={})
    data = submitted()
    try:
        body = parse(LoginBody, data)
        with unit_of_work(write=False) as uow:
            user = logins.authenticate(uow, body.phone, body.password)
    except DomainError as error:
        return form_error("volunteers/login.html", error, next=next_url, form=data)
    person = _start_login(user)
    response = jsonify(user=_me(person)) if wants_json() else redirect(next_url)
    return login_limits.remember_device(response, user.phone)


@bp.post("/logout")
@login_required
@accepts(LogoutBody, described=False)  # fuzzing it would end the fuzzer's own login
def logout(body: LogoutBody) -> Any:
    with unit_of_work() as uow:
        if body.everywhere:
            logins.revoke_all_login_sessions(uow, current_user.id)
        else:
            logins.revoke_login_session(uow, current_user.login_session_id)
        uow.commit()
    response = jsonify(ok=True) if wants_json() else redirect(url_for("volunteers.login"))
    return end_browser_login(response)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_per_address, methods=["POST"], deduct_when=_failed)
def register() -> Any:
    if request.method == "GET":
        return render_template(
            "volunteers/register.html", form={"invite_code": request.args.get("code", "")}
        )
    data = submitted()
    try:
        body = parse(RegisterBody, data)
        with unit_of_work() as uow:
            user = services.register_volunteer(
                uow,
                invite_code=body.invite_code,
                name=body.name,
                phone=body.phone,
                password=body.password,
                agreed_to_terms=body.agree,
                hash_method=current_app.config.get("PASSWORD_HASH_METHOD"),
            )
            uow.commit()
    except DomainError as error:
        return form_error("volunteers/register.html", error, form=data)
    person = _start_login(user)
    if wants_json():
        return jsonify(user=_me(person)), 201
    return redirect(url_for("volunteers.profile", welcome=1))


def _profile_context() -> dict[str, Any]:
    user = db.session.get_one(User, current_user.id)  # the page names their grid, team, community
    field = Role(user.role) in FIELD_ROLES
    return {"user": user, "state": queries.field_state(Person.of(user)) if field else None}


@bp.get("/profile")
@requires("volunteers.profile.view")
def profile() -> Any:
    return render_template(
        "volunteers/profile.html", welcome=request.args.get("welcome"), **_profile_context()
    )


@bp.get("/api/me")
@requires("volunteers.profile.view")
@accepts(answers={200: None})
def api_me() -> Any:
    """Who is logged in: name, role, groups, on duty or not."""
    return jsonify(user=_me(current_user))


def _switch_duty(body: DutyBody) -> User:
    with unit_of_work() as uow:
        user = set_duty(uow, current_user, body.on_duty, share_location=body.share_location)
        uow.commit()
    return user


@bp.post("/duty")
@requires("volunteers.duty.switch")
def duty() -> Any:
    """The profile page's switch: a refusal is shown on the page itself."""
    try:
        _switch_duty(parse(DutyBody, submitted()))
    except DomainError as error:
        return form_error("volunteers/profile.html", error, **_profile_context())
    return redirect(url_for("volunteers.profile"))


@bp.post("/api/me/duty")
@requires("volunteers.duty.switch")
@accepts(DutyBody, answers={200: None})
def api_duty(body: DutyBody) -> Any:
    """Go on or off duty (going on needs consent to share the position while on duty)."""
    return jsonify(queries.field_state(Person.of(_switch_duty(body))))


@bp.route("/officer/people", methods=["GET", "POST"])
@requires("volunteers.people.manage")
def officer_people() -> Any:
    community_id = officer_community_id()
    if request.method == "GET":
        return render_template("volunteers/officer_people.html", **people_context(community_id))
    context = people_context(community_id)
    data = submitted()
    try:
        body = parse(StaffBody, data)
        with unit_of_work() as uow:
            person = services.create_staff(
                uow,
                current_user,
                name=body.name,
                phone=body.phone,
                password=body.password,
                role=body.role,
                placement=services.Placement(community_id, body.grid_id, body.team_id),
                hash_method=current_app.config.get("PASSWORD_HASH_METHOD"),
            )
            uow.commit()
    except DomainError as error:
        context["form"] = data
        return form_error("volunteers/officer_people.html", error, **context)
    if wants_json():
        return jsonify(user=_me(Person.of(person))), 201
    return redirect(url_for("volunteers.officer_people", created=person.id, q=person.phone))


@bp.post("/officer/people/<id:user_id>/active")
@requires("volunteers.people.manage")
@accepts(ActiveBody, answers={200: None})
def officer_set_active(user_id: int, body: ActiveBody) -> Any:
    """Disable or re-enable a field person's account (disabling ends their logins)."""
    with unit_of_work() as uow:
        person = services.set_active(uow, current_user, user_id, body.active)
        uow.commit()
    if wants_json():
        return jsonify(user=_me(Person.of(person)), active=person.active)
    return redirect(url_for("volunteers.officer_people"))


@bp.route("/officer/invites", methods=["GET", "POST"])
@requires("volunteers.invite.issue")
def officer_invites() -> Any:
    community_id = officer_community_id()
    context = queries.officer_people_context(community_id)
    invites = db.session.scalars(
        select(InviteCode)
        .where(InviteCode.community_id == community_id)
        .order_by(InviteCode.created_at.desc())
        .limit(20)
    ).all()
    if request.method == "GET":
        return render_template(
            "volunteers/officer_invites.html", invites=invites, form={}, **context
        )
    data = submitted()
    try:
        body = parse(InviteBody, data)
        with unit_of_work() as uow:
            invite = services.issue_invite(
                uow,
                current_user,
                community_id=community_id,
                grid_id=body.grid_id,
                team_id=body.team_id,
                max_uses=body.max_uses or 50,
                days=body.days or current_app.config["INVITE_DAYS"],
                note=body.note,
            )
            uow.commit()
    except DomainError as error:
        return form_error(
            "volunteers/officer_invites.html", error, invites=invites, form=data, **context
        )
    if wants_json():
        return jsonify(
            code=invite.code, expires_at=invite.expires_at.isoformat(), max_uses=invite.max_uses
        ), 201
    return redirect(url_for("volunteers.officer_invites", issued=invite.code))
