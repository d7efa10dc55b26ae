"""The officers' page for what a confirmed sighting pays, by category (一事一奖). It shows the
amounts the console's API reads and sets (sightings/console_routes.py) for the same area."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import lazy_gettext as _l

import sightings.permissions  # noqa: F401 - registers this package's permissions
from app.extensions import db
from app.permissions import requires
from sightings import bp, triage
from sightings.console_routes import _own_area, _settings
from sightings.labels import CATEGORY_LABELS
from volunteers.models import PoliceArea


def _page_labels() -> dict[str, str]:
    """What sighting_rewards.js puts on the screen."""
    return {
        "saving": str(_l("Saving…")),
        "saved": str(_l("Saved: {n} points.")),
        "offline": str(_l("Not saved: no connection. Please try again.")),
        "whole": str(_l("Enter a whole number from 0 to 1000.")),
    }


@bp.get("/officer/sighting-rewards")
@requires("sightings.manage")
def rewards_page() -> Any:
    """Six rows, one per category: what a confirmed report pays, each saved on its own."""
    area_id = _own_area()
    session = db.session()
    default = _settings().default_points
    paid = triage.rewards(session, area_id, default)
    rows = [(category, label, paid[category]) for category, label in CATEGORY_LABELS.items()]
    return render_template(
        "sightings/rewards.html",
        rows=rows,
        area=session.get_one(PoliceArea, area_id),
        default=default,
        labels=_page_labels(),
    )
