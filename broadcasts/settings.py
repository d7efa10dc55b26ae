"""Broadcast pacing from the app's configuration: ``WANJIA_BROADCAST_QUIET_START`` and
``_QUIET_END`` (area-local ``HH:MM``) and ``_DAILY_LIMIT``; their defaults are in app/config.py."""

from __future__ import annotations

from datetime import time

from flask import current_app

from broadcasts.rules import Pacing


def pacing() -> Pacing:
    config = current_app.config
    return Pacing(
        quiet_start=time.fromisoformat(str(config["BROADCAST_QUIET_START"])),
        quiet_end=time.fromisoformat(str(config["BROADCAST_QUIET_END"])),
        daily_limit=int(config["BROADCAST_DAILY_LIMIT"]),
    )
