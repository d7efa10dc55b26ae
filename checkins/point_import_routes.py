"""HTTP edge for patrol points in bulk: the import page, the blank template, the preview of an
uploaded spreadsheet and its confirmation."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

import checkins.permissions  # noqa: F401 - registers this package's permissions
from app.edge import accepts, parse, submitted
from app.errors import DomainError, Invalid, wants_json
from app.extensions import db
from app.permissions import requires
from app.uow import unit_of_work
from app.uploads import UploadStore
from app.xlsx import XLSX, Sheet, workbook
from checkins import point_import
from checkins.point_import_schemas import (
    ConfirmBody,
    PointPreviewOut,
    PointProblemOut,
    PointsImportedOut,
    PreviewForm,
)
from volunteers.areas import callers_areas

bp = Blueprint("point_import", __name__, template_folder="templates")

PAGE = "checkins/points_import.html"
UPLOAD_FIELD = "file"
UPLOADS = UploadStore(folder="point_imports", kind="point_file")
COLUMN_LABELS: dict[str, Any] = {
    "name": _l("Point name"),
    "lat": _l("Latitude"),
    "lon": _l("Longitude"),
    "grid": _l("Grid"),
    "radius_m": _l("Radius (m)"),
    "points": _l("Points"),
    "hotspot": _l("Hotspot"),
}


def _page(status: int = 200, **context: Any) -> Any:
    return render_template(
        PAGE,
        column_labels=COLUMN_LABELS,
        max_rows=point_import.MAX_ROWS,
        max_mb=point_import.MAX_BYTES // (1024 * 1024),
        **context,
    ), status


def _refused(error: DomainError) -> Any:
    """The page again with the error above the form; API callers get the JSON error."""
    if wants_json():
        raise error
    return _page(error.status, error=error)


@bp.get("/officer/points/import")
@requires("checkins.points.manage")
def page() -> Any:
    """Upload a spreadsheet of patrol points."""
    return _page()


@bp.post("/officer/points/import")
@requires("checkins.points.manage")
@accepts(answers={200: PointPreviewOut}, upload=UPLOAD_FIELD)
def preview() -> Any:
    """Check a spreadsheet of patrol points (XLSX or CSV): every row's problems; nothing is
    written."""
    upload = request.files.get(UPLOAD_FIELD)
    try:
        form = parse(PreviewForm, request.form.to_dict())
        if upload is None:
            raise Invalid("point_file_missing", _l("Please choose a spreadsheet file first."))
        data = upload.stream.read(point_import.MAX_BYTES + 1)
        checked = point_import.check_points(
            db.session(), callers_areas(), point_import.read_points(data), form.datum
        )
    except DomainError as error:
        return _refused(error)
    token = UPLOADS.keep(current_user.id, data) if checked.ready else None
    if wants_json():
        return jsonify(
            PointPreviewOut(
                rows=len(checked.rows),
                ready=checked.ready,
                token=token,
                problems=[
                    PointProblemOut(line=p.line, field=p.field, code=p.code, message=str(p.message))
                    for p in checked.problems
                ],
            ).model_dump()
        )
    return _page(preview=checked, token=token, datum=form.datum, filename=upload.filename or "")


@bp.post("/officer/points/import/confirm")
@requires("checkins.points.manage")
@accepts(ConfirmBody, answers={201: PointsImportedOut}, inject=False)
def confirm() -> Any:
    """Import the checked spreadsheet: every point in it, or none."""
    try:
        body = parse(ConfirmBody, submitted())
        data = UPLOADS.read(current_user.id, body.token)
        with unit_of_work() as uow:
            rows = point_import.read_points(data)
            created = point_import.import_points(uow, current_user, rows, body.datum)
            uow.commit()
        UPLOADS.discard(current_user.id, body.token)
    except DomainError as error:
        return _refused(error)
    if wants_json():
        return jsonify(PointsImportedOut(imported=len(created)).model_dump()), 201
    return redirect(url_for("points.editor", imported=len(created)))


@bp.get("/officer/points/import/template.xlsx")
@requires("checkins.points.manage")
def template() -> Any:
    """A blank spreadsheet with the columns the import reads and one example row."""
    example = [point_import.TEMPLATE_EXAMPLE]
    data = workbook([Sheet("巡逻点", point_import.TEMPLATE_HEADERS, example)])
    return send_file(
        io.BytesIO(data),
        mimetype=XLSX,
        as_attachment=True,
        download_name="patrol-points-template.xlsx",
    )
