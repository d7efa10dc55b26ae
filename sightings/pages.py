"""The phone's pages: report what you see, and my reports with their outcomes."""

from __future__ import annotations

from typing import Any

from flask import render_template

import sightings.permissions  # noqa: F401 - registers this package's permissions
from app.permissions import requires
from sightings import bp


@bp.get("/report")
@requires("sightings.report")
def report_page() -> Any:
    return render_template("sightings/report.html")


@bp.get("/reports/mine")
@requires("sightings.report")
def my_reports_page() -> Any:
    return render_template("sightings/mine.html")
