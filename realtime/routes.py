"""The dispatcher's console page and the map data it draws."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template

import realtime.permissions  # noqa: F401 - registers this package's permissions
from app.permissions import requires
from realtime.map_data import area_map

bp = Blueprint("realtime", __name__, template_folder="templates")


@bp.get("/console")
@requires("realtime.console.connect")
def console() -> Any:
    return render_template("realtime/console.html")


@bp.get("/api/map")
@requires("realtime.console.connect")
def map_data() -> Any:
    return jsonify(area_map())
