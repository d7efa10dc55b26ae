"""Hotspots that move patrols: where incidents and confirmed sightings concentrate, found by the
method that forecasts best, each proposing a temporary patrol point."""

from flask import Blueprint

bp = Blueprint("hotspots", __name__, template_folder="templates")

from hotspots import routes  # noqa: E402, F401 - the views
