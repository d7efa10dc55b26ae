"""HTTP edge for the admin's areas page: police areas, communities, officers and dispatchers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

import volunteers.permissions  # noqa: F401 - registers this package's permissions
from app.edge import accepts, parse, submitted
from app.errors import DomainError, wants_json
from app.extensions import db
from app.permissions import requires
from app.uow import UnitOfWork, unit_of_work
from app.web import form_error
from volunteers import admin_areas
from volunteers.admin_areas import MANAGE, AreaDetails
from volunteers.admin_rules import TIMEZONE_CHOICES
from volunteers.admin_schemas import AreaBody, CommunityBody, NewAreaBody, PoliceAccountBody

bp = Blueprint("admin", __name__, template_folder="templates")

# Built by another part of the project: where officers draw or import community boundaries.
BOUNDARIES_PAGE = "/officer/boundaries"


def _page(failed: str | None = None, **context: Any) -> dict[str, Any]:
    """The page's data; ``failed`` names the form to show an error beside (none of them, so
    the error shows at the top, when that form is not on the page: a station that is gone)."""
    stations = admin_areas.stations(db.session())
    forms = {f"area-{area.id}" for station in stations for area in station.areas} | {
        f"add-{kind}-{station.id}"
        for station in stations
        for kind in ("area", "community", "account")
    }
    return {
        "stations": stations,
        "failed": failed if failed in forms else None,
        "accounts": admin_areas.police_accounts(db.session()),
        "timezones": TIMEZONE_CHOICES,
        "account_roles": [role.value for role in admin_areas.POLICE_ACCOUNT_ROLES],
        "boundaries_page": BOUNDARIES_PAGE,
        "done": request.args.get("done"),
        "form": {},
    } | context


def _act(
    form_key: str,
    change: Callable[[UnitOfWork, Any], Any],
    done: str,
    anchor: Callable[[Any], str],
    status: int = 201,
) -> Any:
    """Run one change in a unit of work: JSON callers get the row's id; a browser goes back to
    the page at ``anchor(row)``, or sees it again with the error beside the form it sent
    (``form_key``, which names the form and the station it belongs to)."""
    data = submitted()
    try:
        with unit_of_work() as uow:
            row = change(uow, data)
            uow.commit()
    except DomainError as error:
        form = {k: v for k, v in data.items() if k != "password"} if isinstance(data, dict) else {}
        return form_error("volunteers/admin_areas.html", error, **_page(form=form, failed=form_key))
    if wants_json():
        return jsonify(id=row.id), status
    return redirect(url_for("admin.areas", done=done) + "#" + anchor(row))


def _station_form(name: str) -> str:
    """Which station's copy of a form was sent (each station's section has its own)."""
    data = request.get_json(silent=True) if request.is_json else request.form
    station = data.get("station_id") if isinstance(data, dict) else None
    return f"{name}-{station}"


def _area_anchor(row: Any) -> str:
    return f"area-{row.id}"


def _details(body: AreaBody) -> AreaDetails:
    return AreaDetails(body.name, body.police_room, body.phone, body.timezone)


@bp.get("/admin/areas")
@requires(MANAGE)
def areas() -> Any:
    return render_template(
        "volunteers/admin_areas.html", **_page(welcome=request.args.get("welcome"))
    )


@bp.post("/admin/areas")
@requires(MANAGE)
@accepts(NewAreaBody, answers={201: None}, inject=False)
def add_area() -> Any:
    """Add a police area to a station."""

    def change(uow: UnitOfWork, data: Any) -> Any:
        body = parse(NewAreaBody, data)
        return admin_areas.add_area(uow, current_user, body.station_id, _details(body))

    return _act(_station_form("add-area"), change, "area_added", _area_anchor)


@bp.post("/admin/areas/<id:area_id>")
@requires(MANAGE)
@accepts(AreaBody, answers={200: None}, inject=False)
def edit_area(area_id: int) -> Any:
    """Change a police area's name, police room, duty number or time zone."""

    def change(uow: UnitOfWork, data: Any) -> Any:
        body = parse(AreaBody, data)
        return admin_areas.edit_area(uow, current_user, area_id, _details(body))

    return _act(f"area-{area_id}", change, "area_saved", _area_anchor, status=200)


@bp.post("/admin/communities")
@requires(MANAGE)
@accepts(CommunityBody, answers={201: None}, inject=False)
def add_community() -> Any:
    """Add a community (its boundary is drawn or imported later) to a police area."""

    def change(uow: UnitOfWork, data: Any) -> Any:
        body = parse(CommunityBody, data)
        return admin_areas.add_community(uow, current_user, body.area_id, body.name)

    return _act(
        _station_form("add-community"),
        change,
        "community_added",
        lambda community: f"area-{community.police_area_id}",
    )


@bp.post("/admin/police-accounts")
@requires(MANAGE)
@accepts(PoliceAccountBody, answers={201: None}, inject=False)
def add_police_account() -> Any:
    """Create an officer's or dispatcher's account, in one police area or the whole station."""

    def change(uow: UnitOfWork, data: Any) -> Any:
        body = parse(PoliceAccountBody, data)
        return admin_areas.create_police_account(
            uow,
            current_user,
            name=body.name,
            phone=body.phone,
            password=body.password,
            role=body.role,
            station_id=body.station_id,
            area_id=body.area_id,
            hash_method=current_app.config.get("PASSWORD_HASH_METHOD"),
        )

    return _act(_station_form("add-account"), change, "account_added", _account_anchor)


def _account_anchor(user: Any) -> str:
    """The new account is listed in its area's card, or under its station's name."""
    if user.police_area_id is not None:
        return f"area-{user.police_area_id}"
    return f"station-{user.station_id}"
