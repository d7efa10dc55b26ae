"""Translated words the console's sightings panel shows (sent once with the console page).

The console page belongs to ``realtime``, which may not import this package; the page includes
the panel's templates, and this context processor hands them the words and whether the person
may mute reporters."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user

import sightings.permissions  # noqa: F401 - registers "sightings.manage" before can() reads it
from app.permissions import can
from app.web import role_label
from sightings import bp
from sightings.labels import APPEARANCE_LABELS
from sightings.rules import STATUS_LABELS

# Reasons a dispatcher picks with one click; any other can be typed.
DISMISS_REASONS = (
    _l("Not enough detail"),
    _l("Checked: nothing found"),
    _l("Not a police matter"),
    _l("Already handled"),
)
QUICK_ANSWERS = (_l("Yes"), _l("No"), _l("Not sure"))


def console_labels() -> dict[str, Any]:
    return {
        # Pairs, not an object: the page's JSON sorts keys, and the order is the report form's.
        "appearance": [[k, str(v)] for k, v in APPEARANCE_LABELS.items()],
        "statuses": {k: str(v) for k, v in STATUS_LABELS.items()},
        "roles": {r: role_label(r) for r in ("volunteer", "guard", "grid_worker")},
        "priorities": {"1": str(_l("Urgent")), "2": str(_l("Normal")), "3": str(_l("Low"))},
        "reasons": [str(r) for r in DISMISS_REASONS],
        "quick_answers": [str(a) for a in QUICK_ANSWERS],
        "ago": str(_l("{m} min ago")),
        "just_now": str(_l("just now")),
        "new": str(_l("new")),
        "empty": str(_l("Nothing waiting for review.")),
        "name_hidden": str(_l("name hidden from volunteers")),
        "muted": str(_l("reporter muted")),
        "photos": str(_l("{n} photos")),
        "photos_coming": str(_l("{a} of {n} photos arrived, more on the way")),
        "voice": str(_l("voice note")),
        "questions": str(_l("{n} questions")),
        "open_question": str(_l("question unanswered")),
        "voice_coming": str(_l("voice note on its way")),
        "from_gps": str(_l("position from the phone")),
        "from_map": str(_l("position tapped on the map")),
        "asked_at": str(_l("asked {time}")),
        "waiting": str(_l("waiting for an answer…")),
        "no_questions": str(_l("No questions yet.")),
        "sound_off": str(_l("🔔 Turn on alert sound")),
        "sound_on": str(_l("🔔 Alert sound on")),
        "confirmed": str(_l("Confirmed: {n} points paid to {name}.")),
        "confirmed_no_points": str(_l("Confirmed.")),
        "reason_needed": str(_l("Pick or type a reason first.")),
        "no_duplicates": str(_l("No open report like this one nearby.")),
        "duplicate_line": str(_l("{m} m away · {time}")),
        "link": str(_l("This is the same")),
        "duplicate_of": str(_l("Same as report #{id}")),
        "escalated": str(_l("Incident #{id} raised: it is in the incident queue.")),
        "mute_ask": str(_l("Mute {name}? Their reports, earlier ones too, leave this queue.")),
        "unmute": str(_l("Unmute reporter")),
        "mute": str(_l("Mute reporter")),
        "pays": str(_l("Confirming pays the reporter {n} points, once.")),
        "failed": str(_l("Could not save. Check the connection and try again.")),
    }


@bp.app_context_processor
def _console_panel() -> dict[str, Any]:
    return {
        "sighting_console_labels": console_labels,
        "may_manage_sightings": lambda: can(current_user, "sightings.manage"),
    }
