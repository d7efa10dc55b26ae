"""Broadcast pacing from the app's configuration: ``WANJIA_BROADCAST_QUIET_START`` and
``_QUIET_END`` (area-local ``HH:MM``, default 22:00 and 07:00) and ``_DAILY_LIMIT`` (3)."""

from __future__ import annotations

from datetime import time

from flask import current_app

from broadcasts.rules import Pacing


def pacing() -> Pacing:
    config = current_app.config
    return Pacing(
        quiet_start=time.fromisoformat(str(config.get("BROADCAST_QUIET_START", "22:00"))),
        quiet_end=time.fromisoformat(str(config.get("BROADCAST_QUIET_END", "07:00"))),
        daily_limit=int(config.get("BROADCAST_DAILY_LIMIT", 3)),
    )
