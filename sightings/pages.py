"""The phone's pages: report what you see, and my reports with their outcomes."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_login import current_user
from sqlalchemy import select

import sightings.permissions  # noqa: F401 - registers this package's permissions
from app.extensions import db
from app.permissions import requires
from sightings import bp
from sightings.labels import APPEARANCE_LABELS, CATEGORY_LABELS, phone_labels
from volunteers.areas import callers_areas
from volunteers.models import PoliceArea


def _area_centre() -> list[float] | None:
    """Where the report map starts before the phone gives its position: the person's area."""
    areas = callers_areas()
    query = select(PoliceArea.center_lat, PoliceArea.center_lon).order_by(PoliceArea.id)
    if not areas.everywhere:
        query = query.where(PoliceArea.id.in_(areas.ids))
    row = db.session.execute(query.limit(1)).first()
    return [row[0], row[1]] if row else None


@bp.get("/report")
@requires("sightings.report")
def report_page() -> Any:
    return render_template(
        "sightings/report.html",
        labels=phone_labels(),
        categories=list(CATEGORY_LABELS.items()),
        appearance=list(APPEARANCE_LABELS.items()),
        centre=_area_centre(),
        person=current_user.id,
    )


@bp.get("/reports/mine")
@requires("sightings.report")
def my_reports_page() -> Any:
    return render_template("sightings/mine.html", labels=phone_labels(), person=current_user.id)
