"""Hotspot runs and proposals as the page, the console and the API show them."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.times import format_time
from hotspots.models import HotspotProposal, HotspotRun

METHOD_LABELS = {
    "naive": _l("Count per grid cell"),
    "kde": _l("Kernel density"),
    "gistar": _l("Getis-Ord Gi*"),
    "hdbscan": _l("HDBSCAN clusters"),
    "none": _l("Too few events to judge"),
}
STATUS_LABELS = {
    "proposed": _l("Proposed"),
    "accepted": _l("Accepted as a patrol point"),
    "dismissed": _l("Dismissed"),
    "expired": _l("Expired"),
}


def run_json(run: HotspotRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "id": run.id,
        "ran_at": run.ran_at.isoformat(),
        "ran_at_text": format_time(run.ran_at),
        "events": run.events,
        "chosen": run.chosen,
        "chosen_label": str(METHOD_LABELS.get(run.chosen, run.chosen)),
        "scores": run.scores,
    }


def proposal_json(proposal: HotspotProposal) -> dict[str, Any]:
    return {
        "id": proposal.id,
        "lat": proposal.lat,
        "lon": proposal.lon,
        "radius_m": proposal.radius_m,
        "events": proposal.events,
        "stop_minutes": proposal.stop_minutes,
        "ends_on": proposal.ends_on.isoformat(),
        "status": proposal.status,
        "status_label": str(STATUS_LABELS[proposal.status]),
        "point_id": proposal.point_id,
        "poster_url": (
            url_for("points.poster", point_id=proposal.point_id, fmt="pdf")
            if proposal.point_id
            else None
        ),
    }


def page_labels() -> dict[str, Any]:
    """What hotspots.js puts on the screen."""
    return {
        "events": str(_l("{n} events here in 16 weeks")),
        "stop": str(_l("Suggested stop: {n} minutes")),
        "until": str(_l("Until {date}")),
        "accept": str(_l("Accept: make the patrol point")),
        "dismiss": str(_l("Do not accept")),
        "poster": str(_l("Print its poster (PDF)")),
        "none": str(_l("No proposals now.")),
        "never": str(_l("Not analysed yet. Press “Run now”.")),
        "ran": str(_l("Last analysed {time}: {events} events; chosen method: {method}.")),
        "running": str(_l("Analysing… this takes a few seconds.")),
        "offline": str(_l("Not sent: no connection. Please try again.")),
        "pai": str(_l("Forecast accuracy (PAI)")),
        "methods": {k: str(v) for k, v in METHOD_LABELS.items()},
    }
