"""Translated words the phone's sighting pages and their scripts show (sent once with the page)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from sightings.rules import CATEGORY_LABELS  # the report page's buttons, in this order

# How each appearance detail is asked for on the report page.
APPEARANCE_LABELS = {
    "clothing": _l("Clothing"),
    "height": _l("Height"),
    "build": _l("Build"),
    "hair": _l("Hair"),
    "carrying": _l("Carrying"),
    "vehicle": _l("Vehicle / number plate"),
}


def phone_labels() -> dict[str, Any]:
    """What report.js, report_queue.js and my_reports.js put on the screen."""
    return {
        "categories": {k: str(v) for k, v in CATEGORY_LABELS.items()},
        "locating": str(_l("Finding your position…")),
        "located": str(_l("Your position (about {m} m). Tap the map if it is somewhere else.")),
        "moved": str(_l("You chose this spot on the map. Tap again to move it.")),
        "rough": str(_l("Your position is only rough (about {m} m). Tap the map where it is.")),
        "no_gps": str(_l("Your phone did not give its position. Tap the map where it is.")),
        "need_category": str(_l("Choose what kind of thing you saw.")),
        "need_behaviour": str(_l("Say what is happening.")),
        "need_position": str(_l("Tap the map where it is.")),
        "sending": str(_l("Sending…")),
        "sent": str(_l("Delivered. The police are checking it.")),
        "waiting": str(_l("Waiting to send. It will go by itself when you are online.")),
        "all_sent": str(_l("Everything is sent. Thank you.")),
        "photo": str(_l("Photo {n}")),
        "voice": str(_l("Voice note")),
        "photo_big": str(_l("This photo is too large to send. Take it again.")),
        "media_refused": str(_l("Could not send this: {why}")),
        "photo_failed": str(_l("This photo could not be read. Choose another.")),
        "record": str(_l("Record a voice note")),
        "stop": str(_l("Stop ({s} s left)")),
        "listen": str(_l("Listen")),
        "again": str(_l("Record again")),
        "no_mic": str(_l("The microphone is not available. Type what you see instead.")),
        "recorded": str(_l("Voice note: {s} s")),
        "no_playback": str(_l("This phone cannot play it back here, but it will be sent.")),
        "pending": str(_l("Not sent yet: it will go when you are online.")),
        "left_to_send": str(_l("{n} photo or voice files still to send")),
        "answer": str(_l("Send answer")),
        "answered": str(_l("Your answer: {a}")),
        "points": str(_l("+{n} points")),
        "duplicate_of": str(
            _l("Someone reported this already (report {id}); you are counted too.")
        ),
        "none": str(_l("You have not reported anything yet.")),
        "fix": str(_l("Correct it and send again")),
        "unreachable": str(
            _l("Cannot reach the police room now. Your reports show when you are online.")
        ),
        "connected": str(_l("Live")),
        "disconnected": str(_l("Connection lost, reconnecting…")),
        "error": str(_l("Something went wrong. Try again.")),
    }
