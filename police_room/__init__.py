"""The online police room (网上警务室): each police area's public page for residents, its tip
box, appointments with its officers and their ratings, and the safety barometer."""

from flask import Blueprint

bp = Blueprint("police_room", __name__, template_folder="templates")

from police_room import (  # noqa: E402, F401 - the views
    appointment_routes,
    barometer_routes,
    notices,
    profiles,
    public,
    residents,
    tip_routes,
)
