"""HTTP edge for points and gifts: my points, the store, my orders, leaderboards, teams, and the
officer's desk; the corrections' views are in rewards/correction_views.py, on the same blueprint."""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user

import rewards.permissions  # noqa: F401 - registers this package's permissions
from app import public_url
from app.edge import accepts, parse, submitted
from app.errors import DomainError, NotFound, wants_json
from app.extensions import db
from app.permissions import requires
from app.qr import qr_svg
from app.types import utcnow
from app.uow import unit_of_work
from app.web import form_error
from rewards import leaderboard, queries, store
from rewards.models import Order
from rewards.schemas import DeskBody, LeaderboardQuery, MyOrdersQuery, OrderBody
from volunteers.areas import callers_areas

bp = Blueprint("rewards", __name__, template_folder="templates")


def pickup_url(order: Order) -> str:
    return f"{public_url.base()}{url_for('rewards.desk')}?code={order.pickup_code}"


@bp.get("/me/points")
@requires("rewards.shop")
def my_points() -> Any:
    summary = queries.my_points(current_user)
    if wants_json():
        return jsonify(summary)
    return render_template("rewards/my_points.html", summary=summary)


@bp.get("/store")
@requires("rewards.shop")
def catalog() -> Any:
    gifts = queries.catalog(utcnow(), callers_areas())
    if wants_json():
        return jsonify(gifts=[queries.gift_json(g) for g in gifts])
    return render_template(
        "rewards/store.html",
        gifts=gifts,
        balance=queries.my_points(current_user)["balance"],
        order_key=secrets.token_urlsafe(16),
    )


@bp.post("/store/order")
@bp.post("/api/orders", endpoint="api_order")
@requires("rewards.shop")
@accepts(OrderBody, answers={201: None, 200: None}, inject=False)
def order() -> Any:
    """Order a gift with points (201; 200 when the same client_key was already ordered)."""
    try:
        body = parse(OrderBody, submitted())
        with unit_of_work() as uow:
            result = store.place_order(
                uow,
                current_user,
                body.gift_id,
                body.client_key,
                pickup_days=current_app.config["PICKUP_DAYS"],
            )
            uow.commit()
    except DomainError as error:
        return form_error(
            "rewards/store.html",
            error,
            gifts=queries.catalog(utcnow(), callers_areas()),
            balance=queries.my_points(current_user)["balance"],
            order_key=secrets.token_urlsafe(16),
        )
    if wants_json():
        placed = queries.order_json(result.order) | {
            "balance": result.balance,
            "pickup_url": pickup_url(result.order),
        }
        return jsonify(order=placed), 200 if result.replayed else 201
    return redirect(url_for("rewards.my_orders", placed=result.order.id))


@bp.get("/me/orders")
@requires("rewards.shop")
@accepts(query=MyOrdersQuery, described=False)
def my_orders(query: MyOrdersQuery) -> Any:
    orders = queries.my_orders(current_user)
    if wants_json():
        return jsonify(orders=[queries.order_json(o) for o in orders])
    return render_template(
        "rewards/my_orders.html",
        orders=orders,
        labels=queries.STATUS_LABELS,
        placed=query.placed,
    )


@bp.get("/me/orders/<id:order_id>/qr.svg")
@requires("rewards.shop")
def order_qr(order_id: int) -> Any:
    order = db.session.get(Order, order_id)
    if order is None or order.user_id != current_user.id:
        raise NotFound("order_unknown", _l("That order does not exist."))
    return Response(qr_svg(pickup_url(order)), mimetype="image/svg+xml")


@bp.post("/me/orders/<id:order_id>/cancel")
@requires("rewards.shop")
def cancel_order(order_id: int) -> Any:
    with unit_of_work() as uow:
        store.cancel_own(uow, current_user, order_id)
        uow.commit()
    if wants_json():
        return jsonify(ok=True)
    return redirect(url_for("rewards.my_orders"))


@bp.get("/leaderboards")
@requires("rewards.leaderboards.view")
@accepts(query=LeaderboardQuery, answers={200: None})
def leaderboards(query: LeaderboardQuery) -> Any:
    """A leaderboard's top and the caller's place (JSON with Accept: application/json)."""
    scope, period = query.scope, query.period
    mine = leaderboard.scopes_of(db.session(), current_user.id)
    scope_id = queries.board_group(current_user, scope, query.id, mine)
    leaderboard.catch_up()
    result = leaderboard.board(db.session(), scope, scope_id, period, current_user.id, utcnow())
    if wants_json():
        return jsonify(
            top=[s.__dict__ for s in result["top"]],
            me=result["me"].__dict__ if result["me"] else None,
            scope=scope,
            period=period,
        )
    return render_template("rewards/leaderboards.html", board=result, mine=mine)


@bp.get("/teams/<id:team_id>")
@requires("rewards.leaderboards.view")
def team(team_id: int) -> Any:
    page = queries.team_page(current_user, team_id, utcnow())
    if page is None:
        raise NotFound("team_unknown", _l("That team does not exist in this community."))
    return render_template("rewards/team.html", page=page)


@bp.route("/officer/desk", methods=["GET", "POST"])
@requires("rewards.desk")
def desk() -> Any:
    if request.method == "GET":
        return render_template("rewards/desk.html", code=request.args.get("code", ""), handed=None)
    data = submitted()
    try:
        body = parse(DeskBody, data)
        with unit_of_work() as uow:
            handed = store.hand_over(uow, current_user, body.code)
            uow.commit()
    except DomainError as error:
        code = data.get("code", "") if isinstance(data, dict) else ""
        return form_error("rewards/desk.html", error, code=code, handed=None)
    if wants_json():
        return jsonify(order=queries.order_json(handed), person=handed.person.name)
    return render_template("rewards/desk.html", code="", handed=handed)


from rewards import correction_views  # noqa: E402, F401 - the corrections views, on this bp
