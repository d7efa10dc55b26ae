"""HTTP edge for community and grid boundaries: the page with its map, a GeoJSON file's preview
and import, and a boundary drawn on the map (saved to a community, a grid or a new grid)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import Session

import volunteers.permissions  # noqa: F401 - registers this package's permissions
from app.edge import MAX_ID, accepts, parse, submitted
from app.errors import DomainError, Invalid, wants_json
from app.extensions import db
from app.permissions import requires
from app.uow import unit_of_work
from app.uploads import UploadStore
from volunteers import boundary_page, boundary_service
from volunteers.areas import callers_areas
from volunteers.boundary_import import MAX_BYTES, read_features, too_large
from volunteers.boundary_schemas import (
    AreaQuery,
    BoundaryBody,
    BoundaryImportedOut,
    BoundaryPreviewOut,
    BoundaryProblemOut,
    BoundarySavedOut,
    ConfirmBody,
    NewGridBody,
    PreviewForm,
)
from volunteers.models import Community, Grid

bp = Blueprint("boundaries", __name__, template_folder="templates")

PAGE = "volunteers/officer_boundaries.html"
UPLOAD_FIELD = "file"
UPLOADS = UploadStore(folder="boundaries", kind="boundary")
PERMISSION = "volunteers.boundaries.edit"
# Patrol points live in checkins, above this package: create_app hands over a function that
# reads an area's points (lat, lon) for the datum warning.
PointsOfArea = Callable[[Session, int], Sequence[tuple[float, float]]]
_POINTS_KEY = "wanjia.patrol_points_of_area"


def use_patrol_points(app: Flask, points_of_area: PointsOfArea) -> None:
    app.extensions[_POINTS_KEY] = points_of_area


def _patrol_points(area_id: int) -> Sequence[tuple[float, float]]:
    points_of_area = current_app.extensions.get(_POINTS_KEY)
    return points_of_area(db.session(), area_id) if points_of_area else ()


def _context(area_id: int | None, **extra: Any) -> dict[str, Any]:
    session, areas = db.session(), callers_areas()
    area = boundary_page.chosen_area(session, areas, area_id)
    communities = boundary_page.area_communities(session, area.id)
    return {
        "area": area,
        "area_choices": boundary_page.areas_to_choose(session, areas),
        "communities": communities,
        "map_data": boundary_page.map_features(area, communities),
        **extra,
    }


@bp.get("/officer/boundaries")
@requires(PERMISSION)
@accepts(query=AreaQuery, described=False)
def page(query: AreaQuery) -> Any:
    """The boundaries page: import a file, draw on the map, what each community has."""
    return render_template(PAGE, **_context(query.area_id))


def _problem_out(check: boundary_service.ImportCheck) -> list[BoundaryProblemOut]:
    return [
        BoundaryProblemOut(index=f.index, name=f.name, code=f.code, message=p.text())
        for f, p in check.problems
    ]


@bp.post("/officer/boundaries/import")
@requires(PERMISSION)
@accepts(answers={200: BoundaryPreviewOut}, upload=UPLOAD_FIELD)
def preview() -> Any:
    """Check a GeoJSON file of boundaries: every bad feature and why; nothing is written."""
    area_id = _requested_area()
    try:
        form = parse(PreviewForm, submitted())
        upload = request.files.get(UPLOAD_FIELD)
        if upload is None:
            raise Invalid("boundary_file_missing", _l("Please choose a GeoJSON file first."))
        data = upload.stream.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise too_large()
        features = read_features(data, form.datum)
        check = boundary_service.check_import(
            db.session(),
            current_user,
            form.area_id,
            features,
            _patrol_points(form.area_id),
            form.datum,
        )
    except DomainError as error:
        if wants_json() or error.status == 404:
            raise
        return render_template(PAGE, **_context(area_id, error=error)), error.status
    token = UPLOADS.keep(current_user.id, data) if check.ready else None
    if wants_json():
        return jsonify(
            BoundaryPreviewOut(
                features=len(check.features),
                ready=check.ready,
                token=token,
                problems=_problem_out(check),
                warning=check.warning.text() if check.warning else None,
            ).model_dump()
        )
    return render_template(
        PAGE,
        **_context(form.area_id, check=check, token=token, datum=form.datum),
        filename=upload.filename or "",
    )


def _requested_area() -> int | None:
    """The area a failed form shows again: the one asked for if it is a plain id."""
    value = request.form.get("area_id", "")
    return int(value) if value.isdigit() and 0 < int(value) <= MAX_ID else None


@bp.post("/officer/boundaries/import/confirm")
@requires(PERMISSION)
@accepts(ConfirmBody, answers={201: BoundaryImportedOut}, inject=False)
def confirm() -> Any:
    """Import the checked file: every boundary in it, or none."""
    area_id = _requested_area()
    try:
        body = parse(ConfirmBody, submitted())
        data = UPLOADS.read(current_user.id, body.token)
        with unit_of_work() as uow:
            features = read_features(data, body.datum)
            imported = boundary_service.import_boundaries(
                uow, current_user, body.area_id, features, body.datum
            )
            uow.commit()
        UPLOADS.discard(current_user.id, body.token)
    except DomainError as error:
        if wants_json() or error.status == 404:
            raise
        return render_template(PAGE, **_context(area_id, error=error)), error.status
    if wants_json():
        return jsonify(BoundaryImportedOut(imported=imported).model_dump()), 201
    return redirect(url_for("boundaries.page", area_id=body.area_id, imported=imported))


def _saved(kind: str, row: Community | Grid, status: int = 200) -> Any:
    return jsonify(BoundarySavedOut(kind=kind, id=row.id, name=row.name).model_dump()), status


@bp.put("/officer/boundaries/communities/<id:community_id>")
@requires(PERMISSION)
@accepts(BoundaryBody, answers={200: BoundarySavedOut})
def save_community(community_id: int, body: BoundaryBody) -> Any:
    """Set a community's boundary as drawn on the map."""
    with unit_of_work() as uow:
        community = boundary_service.save_community(uow, current_user, community_id, body.geometry)
        uow.commit()
        return _saved("community", community)


@bp.put("/officer/boundaries/grids/<id:grid_id>")
@requires(PERMISSION)
@accepts(BoundaryBody, answers={200: BoundarySavedOut})
def save_grid(grid_id: int, body: BoundaryBody) -> Any:
    """Set a grid's boundary as drawn on the map."""
    with unit_of_work() as uow:
        grid = boundary_service.save_grid(uow, current_user, grid_id, body.geometry)
        uow.commit()
        return _saved("grid", grid)


@bp.post("/officer/boundaries/communities/<id:community_id>/grids")
@requires(PERMISSION)
@accepts(NewGridBody, answers={201: BoundarySavedOut})
def add_grid(community_id: int, body: NewGridBody) -> Any:
    """A new grid of a community, drawn on the map."""
    with unit_of_work() as uow:
        grid = boundary_service.add_grid(
            uow, current_user, community_id, body.code, body.name, body.geometry
        )
        uow.commit()
        return _saved("grid", grid, 201)
