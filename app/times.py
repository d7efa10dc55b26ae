"""Times as people read them. Every instant a page (or a JSON answer meant for reading) shows
is formatted here, in the police room's time zone, so two pages never disagree about when
something happened: the points page once showed UTC while the check-in page showed local time.

Instants are stored in UTC (app/types.py); a time of day with no date (a patrol route's window)
is already wall-clock time and is only formatted. Templates use the ``localtime`` filter:
``{{ entry.created_at|localtime }}``, ``{{ order.collect_by|localtime('date') }}``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any, Literal
from zoneinfo import ZoneInfo

from flask import current_app

Style = Literal["datetime", "date", "time"]
FORMATS: dict[str, str] = {"datetime": "%Y-%m-%d %H:%M", "date": "%Y-%m-%d", "time": "%H:%M"}


def local_zone(area: Any = None) -> ZoneInfo:
    """The zone times are shown in: the ``LOCAL_TIMEZONE`` setting. ``area`` (the police area a
    time belongs to) is where a zone of each area's own will be looked up; it is unused today."""
    return ZoneInfo(current_app.config["LOCAL_TIMEZONE"])  # zoneinfo keeps its own instances


def to_local(value: datetime | str, area: Any = None) -> datetime:
    """An instant (aware, naive meaning UTC as our columns store it, or ISO 8601 text) as the
    local wall-clock date and time."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(local_zone(area))


def format_time(value: Any, style: Style = "datetime", area: Any = None) -> str:
    """``value`` as people read it: ``2026-03-02 03:14`` (``date``: ``2026-03-02``; ``time``:
    ``03:14``) in the local zone. Nothing (None, "") reads as nothing; text that is no time is
    shown as it is rather than failing the page."""
    if value is None or value == "":
        return ""
    fmt = FORMATS[style]
    if isinstance(value, time):
        return value.strftime(FORMATS["time"])  # a time of day is wall-clock time already
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime(FORMATS["date"])  # a calendar day has no zone to move into
    try:
        return to_local(value, area).strftime(fmt)
    except (TypeError, ValueError):
        return str(value)
