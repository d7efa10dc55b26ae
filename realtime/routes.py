"""The dispatcher's console page and the map data it draws."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template
from flask_login import current_user

import realtime.permissions  # noqa: F401 - registers this package's permissions
from app.edge import accepts
from app.permissions import requires
from realtime import labels
from realtime.map_data import area_map
from volunteers import queries
from volunteers.areas import callers_areas

bp = Blueprint("realtime", __name__, template_folder="templates")


@bp.get("/console")
@requires("realtime.console.connect")
def console() -> Any:
    kinds = [(k, str(v)) for k, v in labels.KIND_LABELS.items()]
    return render_template("realtime/console.html", labels=labels.console_labels(), kinds=kinds)


@bp.get("/field")
@requires("realtime.field.connect")
def field() -> Any:
    return render_template(
        "realtime/field.html", labels=labels.field_labels(), state=queries.field_state(current_user)
    )


@bp.get("/api/map")
@requires("realtime.console.connect")
@accepts(answers={200: None})
def map_data() -> Any:
    """The police area's grids, patrol points and communities for the maps."""
    return jsonify(area_map(callers_areas()))
