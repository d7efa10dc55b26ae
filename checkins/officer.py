"""The officer's side of patrol points: the point editor with its map, posters, attempts."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, jsonify, render_template, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

import checkins.permissions  # noqa: F401 - registers this package's permissions
from app import public_url
from app.edge import accepts
from app.errors import NotFound
from app.extensions import db
from app.permissions import requires
from app.uow import unit_of_work
from app.web import local_datetime
from checkins import held, points, posters, queries, tokens
from checkins.models import CheckIn, PatrolPoint
from checkins.policy import signing_key
from checkins.schemas import PointBody
from volunteers.areas import area_of_grid, callers_areas
from volunteers.models import Community, Grid

bp = Blueprint("points", __name__, template_folder="templates")
LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}  # noqa: S104 - names, not a bind


def public_base_warning() -> str | None:
    parts = urlsplit(public_url.base())
    if parts.hostname in LOOPBACK:
        return str(
            _l(
                "Posters point to this computer's own address; phones cannot reach it. "
                "Set WANJIA_PUBLIC_URL to the address phones use."
            )
        )
    if parts.scheme != "https":
        return str(
            _l(
                "Posters use plain HTTP; phones will refuse to share their location. "
                "Serve over HTTPS and set WANJIA_PUBLIC_URL."
            )
        )
    return None


def poster_url(point: PatrolPoint) -> str:
    return public_url.base() + tokens.check_in_path(
        tokens.sign(signing_key(), point.id, point.poster_version)
    )


def _fields(body: PointBody) -> points.PointFields:
    return points.PointFields(
        name=body.name,
        lat=body.lat,
        lon=body.lon,
        radius_m=body.radius_m,
        points=body.points,
        grid_id=body.grid_id,
        hotspot=body.hotspot,
        active_from=local_datetime(body.active_from),
        active_until=local_datetime(body.active_until),
        allowed_roles=list(body.allowed_roles) if body.allowed_roles is not None else None,
    )


def _utc_iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def point_json(point: PatrolPoint) -> dict[str, Any]:
    return {
        "id": point.id,
        "name": point.name,
        "lat": point.lat,
        "lon": point.lon,
        "radius_m": point.radius_m,
        "points": point.points,
        "grid_id": point.grid_id,
        "hotspot": point.hotspot,
        "poster_version": point.poster_version,
        "active_from": _utc_iso(point.active_from),
        "active_until": _utc_iso(point.active_until),
        "retired": point.retired_at is not None,
        "url": poster_url(point),
    }


def _in_my_areas(statement: Any) -> Any:
    """Rows with a grid (points, or check-ins joined to them) limited to the caller's areas."""
    return (
        statement.join(Grid, Grid.id == PatrolPoint.grid_id)
        .join(Community, Community.id == Grid.community_id)
        .where(callers_areas().where(Community.police_area_id))
    )


@bp.app_template_global("refusal_text")
def _refusal_text(code: str | None, detail: dict[str, Any] | None) -> str | None:
    return queries.refusal_text(code, detail)


@bp.get("/officer/setup")
@requires("checkins.points.manage")
def setup() -> Any:
    """What an officer needs to get phones working: the poster address, and the instance's
    certificate authority to install on each phone (a link, its QR code, its fingerprint)."""
    authority_url = qr = None
    if current_app.config.get("TLS_AUTHORITY"):
        authority_url = public_url.base() + url_for("web.certificate")
        png = posters.qr_png(authority_url, box_size=5)
        qr = "data:image/png;base64," + base64.b64encode(png).decode()
    return render_template(
        "setup.html",
        public_url=public_url.base(),
        warning=public_base_warning(),
        fingerprint=current_app.config.get("TLS_FINGERPRINT"),
        authority_url=authority_url,
        authority_qr=qr,
    )


@bp.get("/officer/points")
@requires("checkins.points.manage")
def editor() -> Any:
    rows = db.session.scalars(
        _in_my_areas(select(PatrolPoint)).order_by(PatrolPoint.grid_id, PatrolPoint.name)
    ).all()
    grids = db.session.scalars(
        select(Grid)
        .join(Community, Community.id == Grid.community_id)
        .where(callers_areas().where(Community.police_area_id))
        .order_by(Grid.code)
    ).all()
    suspicious = db.session.scalars(
        _in_my_areas(select(CheckIn).join(PatrolPoint, PatrolPoint.id == CheckIn.point_id))
        .where(CheckIn.suspicious.is_(True))
        .order_by(CheckIn.server_time.desc())
        .limit(20)
    ).all()
    return render_template(
        "checkins/points.html",
        points=rows,
        grids=grids,
        suspicious=suspicious,
        held_waiting=held.waiting(db.session(), callers_areas()),
        warning=public_base_warning(),
    )


@bp.get("/api/points")
@requires("checkins.points.manage")
@accepts(answers={200: None})
def list_points() -> Any:
    """Every patrol point of the caller's areas, retired ones included."""
    rows = db.session.scalars(_in_my_areas(select(PatrolPoint)).order_by(PatrolPoint.id)).all()
    return jsonify(points=[point_json(p) for p in rows])


@bp.post("/api/points")
@requires("checkins.points.manage")
@accepts(PointBody, answers={201: None})
def create(body: PointBody) -> Any:
    """Place a new patrol point."""
    with unit_of_work() as uow:
        point = points.create_point(uow, _fields(body), callers_areas())
        uow.commit()
    return jsonify(point=point_json(point)), 201


@bp.route("/api/points/<id:point_id>", methods=["PATCH"])
@requires("checkins.points.manage")
@accepts(PointBody, answers={200: None})
def update(point_id: int, body: PointBody) -> Any:
    """Change a patrol point's fields."""
    with unit_of_work() as uow:
        point = points.update_point(uow, point_id, _fields(body), callers_areas())
        uow.commit()
    return jsonify(point=point_json(point))


@bp.post("/api/points/<id:point_id>/retire")
@requires("checkins.points.manage")
@accepts(answers={200: None})
def retire(point_id: int) -> Any:
    """Retire a point: its posters stop working, its history stays."""
    with unit_of_work() as uow:
        point = points.retire_point(uow, point_id, callers_areas())
        uow.commit()
    return jsonify(point=point_json(point))


@bp.post("/api/points/<id:point_id>/reprint")
@requires("checkins.points.manage")
@accepts(answers={200: None})
def reprint(point_id: int) -> Any:
    """A new poster version: the old printed posters become stale."""
    with unit_of_work() as uow:
        point = points.reprint_point(uow, point_id, callers_areas())
        uow.commit()
    return jsonify(point=point_json(point))


@bp.get("/officer/points/<id:point_id>")
@requires("checkins.points.manage")
def detail(point_id: int) -> Any:
    point = points.get_point(db.session(), point_id, callers_areas())
    attempts = db.session.scalars(
        select(CheckIn)
        .where(CheckIn.point_id == point_id)
        .order_by(CheckIn.server_time.desc())
        .limit(100)
    ).all()
    return render_template(
        "checkins/point_detail.html",
        point=point,
        attempts=attempts,
        url=poster_url(point),
        warning=public_base_warning(),
    )


@bp.get("/officer/points/<id:point_id>/poster.<fmt>")
@requires("checkins.points.manage")
def poster(point_id: int, fmt: str) -> Any:
    point = points.get_point(db.session(), point_id, callers_areas())
    url = poster_url(point)
    if fmt == "png":
        return Response(posters.qr_png(url), mimetype="image/png")
    if fmt == "svg":
        return Response(posters.qr_svg(url), mimetype="image/svg+xml")
    if fmt == "pdf":
        item = posters.PosterItem(point.name, url, point.points, point.hotspot)
        return Response(
            posters.single_poster_pdf(item, title=point.grid.name), mimetype="application/pdf"
        )
    raise NotFound("not_found", _l("This page or item does not exist."))


@bp.get("/officer/grids/<id:grid_id>/posters.pdf")
@requires("checkins.points.manage")
def grid_sheet(grid_id: int) -> Any:
    grid = db.session.get(Grid, grid_id)
    if grid is None or not callers_areas().allows(area_of_grid(db.session(), grid_id)):
        raise NotFound("grid_unknown", _l("That grid does not exist in this community."))
    rows = db.session.scalars(
        select(PatrolPoint)
        .where(PatrolPoint.grid_id == grid_id, PatrolPoint.retired_at.is_(None))
        .order_by(PatrolPoint.name)
    ).all()
    if not rows:
        raise NotFound("grid_has_no_points", _l("This grid has no patrol points to print yet."))
    items = [posters.PosterItem(p.name, poster_url(p), p.points, p.hotspot) for p in rows]
    pdf = posters.grid_sheet_pdf(
        f"{grid.community.name} · {grid.name}", items, subtitle=str(_l("Patrol check-in posters"))
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="posters-{grid.code}.pdf"'},
    )


import checkins.held_routes  # noqa: E402, F401 - the held check-ins' routes are on this blueprint
