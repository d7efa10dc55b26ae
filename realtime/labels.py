"""Translated words the live pages' scripts show (sent once with the page)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.web import role_label

KIND_LABELS = {
    "theft": _l("Theft"),
    "dispute": _l("Dispute"),
    "fire": _l("Fire"),
    "traffic": _l("Traffic"),
    "suspicious": _l("Suspicious"),
    "missing_person": _l("Missing person"),
    "other": _l("Other"),
}
STATUS_LABELS = {
    "offered": _l("Asked"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "expired": _l("No answer"),
    "withdrawn": _l("Withdrawn"),
    "en_route": _l("On the way"),
    "arrived": _l("Arrived"),
    "done": _l("Done"),
}


def console_labels() -> dict[str, Any]:
    return {
        "kinds": {k: str(v) for k, v in KIND_LABELS.items()},
        "statuses": {k: str(v) for k, v in STATUS_LABELS.items()},
        "roles": {r: role_label(r) for r in ("volunteer", "guard", "grid_worker")},
        "connected": str(_l("Live")),
        "disconnected": str(_l("Connection lost, reconnecting…")),
        "round": str(_l("round {n}")),
        "needed": str(_l("{a} of {n} going")),
        "exhausted": str(_l("Nobody accepted after every round: call people directly.")),
        "escalated": str(_l("No answer in time: asked more people further away.")),
        "ago": str(_l("{m} min ago")),
        "seen": str(_l("seen {s} s ago")),
        "none_found": str(_l("Nobody available nearby. Try more roles or wait.")),
        "priorities": {"1": str(_l("Urgent")), "2": str(_l("Normal")), "3": str(_l("Low"))},
        "widened": str(_l("Widened to {area}")),
        "widened_by": str(_l("Widened to {area} by {who} at {time}")),
        "include": str(_l("Include {area}")),
        "from_short": str(_l("From {area}")),
        "from_area": str(_l("From {area}: widened to your area; {area} dispatches it.")),
    }


def field_labels() -> dict[str, Any]:
    return {
        "kinds": {k: str(v) for k, v in KIND_LABELS.items()},
        "connected": str(_l("Live")),
        "disconnected": str(_l("Connection lost, reconnecting…")),
        "metres": str(_l("{m} m away")),
        "left": str(_l("{s} s left to answer")),
        "withdrawn": str(_l("Thank you, but enough people are already going.")),
        "expired": str(_l("This request has expired; the police room asked others.")),
        "accepted": str(_l("You accepted. Tap the next step as you go.")),
        "steps": {
            "en_route": str(_l("I'm on my way")),
            "arrived": str(_l("I've arrived")),
            "done": str(_l("Finished")),
        },
        "sharing": str(_l("Sharing your position with the police room")),
        "no_gps": str(_l("Your phone is not giving its position. Allow location for this page.")),
    }
