"""HTTP edge for patrol routes: the officer's route page and API."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, render_template
from flask_login import current_user
from sqlalchemy import select

import checkins.permissions  # noqa: F401 - registers this package's permissions
from app.edge import accepts
from app.extensions import db
from app.permissions import requires
from app.roles import FIELD_ROLES
from app.uow import unit_of_work
from checkins import patrols
from checkins.models import PatrolPoint, PatrolRoute, RouteRun
from checkins.schemas import RouteBody
from volunteers.areas import callers_areas
from volunteers.models import Community, Grid, User

bp = Blueprint("patrols", __name__, template_folder="templates")


@bp.get("/officer/routes")
@requires("checkins.points.manage")
def routes_page() -> Any:
    mine = callers_areas().where(Community.police_area_id)
    routes = db.session.scalars(
        select(PatrolRoute)
        .join(Community, Community.id == PatrolRoute.community_id)
        .where(mine)
        .order_by(PatrolRoute.starts_at)
    ).all()
    runs = db.session.scalars(
        select(RouteRun)
        .where(RouteRun.route_id.in_([r.id for r in routes]))
        .order_by(RouteRun.evaluated_at.desc())
        .limit(30)
    ).all()
    points = db.session.scalars(
        select(PatrolPoint)
        .join(Grid, Grid.id == PatrolPoint.grid_id)
        .join(Community, Community.id == Grid.community_id)
        .where(PatrolPoint.retired_at.is_(None), mine)
        .order_by(PatrolPoint.grid_id, PatrolPoint.id)
    ).all()
    people = db.session.scalars(
        select(User)
        .join(Community, Community.id == User.community_id)
        .where(User.role.in_([r.value for r in FIELD_ROLES]), User.active.is_(True), mine)
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
@accepts(RouteBody, answers={201: None})
def create_route(body: RouteBody) -> Any:
    """A patrol route: points in order, a time window, the people who walk it."""
    fields = patrols.RouteFields(
        name=body.name,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        point_ids=list(body.point_ids),
        user_ids=list(body.user_ids),
        bonus_points=(
            current_app.config["ROUTE_BONUS_POINTS"]
            if body.bonus_points is None
            else body.bonus_points
        ),
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
