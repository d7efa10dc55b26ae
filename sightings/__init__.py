"""Sightings: what people on patrol see, relayed to the police room with photos, a voice note
and a position, triaged live on the console, and the reporter told the outcome.

A package of its own rather than part of ``realtime/``: it has its own media pipeline and pays
through the ledger, and it uses realtime only to publish and to raise an incident."""

from flask import Blueprint

bp = Blueprint("sightings", __name__, template_folder="templates")

from sightings import console_labels, console_routes, pages, reward_page, routes  # noqa: E402, F401 - the views
