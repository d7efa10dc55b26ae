"""Appointments as the resident's and the officer's pages read them: times in the area's zone,
the state in words, what each side may do next, and today's reminder."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from police_room import appointments as svc
from police_room.appointment_reminders import local_day_start, reminded_today
from police_room.appointment_slots import Slot
from police_room.models import Appointment, OfficerProfile
from police_room.ratings import can_rate, rated
from volunteers.areas import Areas
from volunteers.models import PoliceArea, User

STATES: dict[str, Any] = {
    svc.REQUESTED: _l("Waiting for the officer"),
    svc.CONFIRMED: _l("Confirmed"),
    svc.PROPOSED: _l("The officer proposes another time"),
    svc.DECLINED: _l("Declined"),
    svc.CANCELLED: _l("Cancelled"),
    svc.DONE: _l("Met"),
}
WEEKDAYS = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))


def when(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%Y-%m-%d} {WEEKDAYS[local.weekday()]} {local:%H:%M}"


def _names(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    rows = session.execute(select(User.id, User.name, User.phone).where(User.id.in_(ids)))
    return {row.id: (row.name, row.phone) for row in rows}


def _zones(session: Session, area_ids: set[int]) -> dict[int, ZoneInfo]:
    rows = session.execute(
        select(PoliceArea.id, PoliceArea.timezone).where(PoliceArea.id.in_(area_ids))
    )
    return {row.id: ZoneInfo(row.timezone) for row in rows}


def _reminder(a: Appointment, stamp: datetime | None, now: datetime, zone: ZoneInfo) -> str:
    if a.status != svc.CONFIRMED or a.starts_at <= now or not reminded_today(stamp, now, zone):
        return ""
    today = a.starts_at.astimezone(zone).date() == now.astimezone(zone).date()
    return str(_l("Reminder: today") if today else _l("Reminder: tomorrow"))


def shown(
    session: Session, found: list[Appointment], now: datetime, *, officer_side: bool
) -> list[dict[str, Any]]:
    """Each appointment as a page shows it, to the resident or to the police room."""
    names = _names(session, {a.officer_id for a in found} | {a.resident_id for a in found})
    zones = _zones(session, {a.police_area_id for a in found})
    ratings = rated(session, [a.id for a in found])
    titles = dict(
        session.execute(
            select(OfficerProfile.user_id, OfficerProfile.title).where(
                OfficerProfile.user_id.in_({a.officer_id for a in found})
            )
        ).all()
    )
    answer = []
    for a in found:
        zone = zones[a.police_area_id]
        rating = ratings.get(a.id)
        stamp = a.officer_reminded_at if officer_side else a.resident_reminded_at
        answer.append(
            {
                "id": a.id,
                "status": a.status,
                "state": str(STATES[a.status]),
                "starts_at": a.starts_at.isoformat(),
                "when": when(a.starts_at, zone),
                "until": f"{a.ends_at.astimezone(zone):%H:%M}",
                "officer": names[a.officer_id][0],
                "officer_title": titles.get(a.officer_id, ""),
                "resident": names[a.resident_id][0] if officer_side else "",
                "resident_phone": names[a.resident_id][1] if officer_side else "",
                "topic": a.topic,
                "note": a.note,
                "reminder": _reminder(a, stamp, now, zone),
                "can_accept": a.status == svc.PROPOSED and a.starts_at > now,
                "can_cancel": a.status in svc.ACTIVE and a.starts_at > now,
                "can_rate": rating is None and can_rate(a, now),
                "stars": rating.stars if rating else None,
                "comment": rating.comment if rating and officer_side else "",
                "can_confirm": a.status == svc.REQUESTED and a.starts_at > now,
                "can_done": a.status == svc.CONFIRMED and a.starts_at <= now,
                "can_change": a.status in svc.ACTIVE,
                "past": a.ends_at <= now,
            }
        )
    return answer


def days_of(slots: list[Slot], zone: ZoneInfo) -> list[dict[str, Any]]:
    """Free slots grouped by local day, for the booking page's buttons."""
    days: dict[str, dict[str, Any]] = {}
    for slot in slots:
        local = slot.starts_at.astimezone(zone)
        day = days.setdefault(
            f"{local:%Y-%m-%d}",
            {"label": f"{local:%m-%d} {WEEKDAYS[local.weekday()]}", "slots": []},
        )
        day["slots"].append({"value": local.isoformat(), "label": f"{local:%H:%M}"})
    return list(days.values())


def day_panel(session: Session, area_id: int, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    """The officer's day's share: requests to answer and today's reminders in one area."""
    found = svc.of_areas(session, Areas(frozenset({area_id})), local_day_start(now, zone))
    listed = shown(session, found, now, officer_side=True)
    return {
        "requests": [a for a in listed if a["can_confirm"]],
        "reminders": [a for a in listed if a["reminder"]],
    }
