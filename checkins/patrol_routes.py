"""HTTP edge for patrol routes: the officer's route page and API."""

from __future__ import annotations

from datetime import time
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

import checkins.permissions  # noqa: F401 - registers this package's permissions
from app.errors import Invalid
from app.extensions import db
from app.permissions import requires
from app.roles import FIELD_ROLES
from app.uow import unit_of_work
from app.web import request_data
from checkins import patrols
from checkins.models import PatrolPoint, PatrolRoute, RouteRun
from volunteers.models import User

bp = Blueprint("patrols", __name__, template_folder="templates")


def _time(value: Any) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError as exc:
        raise Invalid(
            "route_window_invalid", _l("Please give the window as hours and minutes, e.g. 21:00.")
        ) from exc


def _ids(value: Any) -> list[int]:
    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").split(",") if v.strip()]
    try:
        return [int(v) for v in value or []]
    except (TypeError, ValueError) as exc:
        raise Invalid("bad_number", _l("Please enter a whole number.")) from exc


@bp.get("/officer/routes")
@requires("checkins.points.manage")
def routes_page() -> Any:
    routes = db.session.scalars(select(PatrolRoute).order_by(PatrolRoute.starts_at)).all()
    runs = db.session.scalars(
        select(RouteRun).order_by(RouteRun.evaluated_at.desc()).limit(30)
    ).all()
    points = db.session.scalars(
        select(PatrolPoint)
        .where(PatrolPoint.retired_at.is_(None))
        .order_by(PatrolPoint.grid_id, PatrolPoint.id)
    ).all()
    people = db.session.scalars(
        select(User)
        .where(User.role.in_([r.value for r in FIELD_ROLES]), User.active.is_(True))
        .order_by(User.role, User.name)
    ).all()
    names = {p.id: p.name for p in people}
    return render_template(
        "checkins/patrol_routes.html",
        routes=routes,
        runs=runs,
        points=points,
        people=people,
        names=names,
    )


@bp.post("/api/routes")
@requires("checkins.points.manage")
def create_route() -> Any:
    data = request_data()
    try:
        raw = data.get("bonus_points")
        bonus = int(current_app.config["ROUTE_BONUS_POINTS"] if raw in (None, "") else raw)
    except (TypeError, ValueError) as exc:
        raise Invalid("bad_number", _l("Please enter a whole number.")) from exc
    fields = patrols.RouteFields(
        name=str(data.get("name", "")),
        starts_at=_time(data.get("starts_at")),
        ends_at=_time(data.get("ends_at")),
        point_ids=_ids(data.get("point_ids")),
        user_ids=_ids(data.get("user_ids")),
        bonus_points=bonus,
    )
    with unit_of_work() as uow:
        route = patrols.create_route(uow, current_user, fields)
        uow.commit()
    return jsonify(
        route={
            "id": route.id,
            "name": route.name,
            "stops": [s.point_id for s in route.stops],
            "people": [a.user_id for a in route.assignments],
        }
    ), 201
