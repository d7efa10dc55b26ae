"""A check-in attempt as stored: the row filled in as the rules run, its insert (which claims
the phone's client id), the day's refusal allowance, and the counts the rules and pages read."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from app.sql import insert_ignoring_conflicts, per_dialect
from app.types import UTCDateTime
from checkins import rules
from checkins.models import REFUSED, VALID, CheckIn, RefusalDay
from checkins.rules import Thresholds
from volunteers.models import LoginSession

_checkins = CheckIn.__table__


@dataclass
class Attempt:
    """One check-in attempt's row, filled in as the rules run."""

    token: str
    client_id: str | None
    server_time: datetime
    observed_at: datetime
    device_time: datetime | None
    id: int | None = None
    point_id: int | None = None
    status: str = REFUSED
    reason: str | None = None
    suspicious: bool = False
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    distance_m: float | None = None
    points: int = 0
    detail: dict[str, Any] | None = None
    grade: str | None = None  # checkins/evidence.py; None for a refusal


STORED = tuple(f.name for f in fields(Attempt) if f.name != "id")


# The attempt's insert; its ``client_id`` claims it, so a retry inserts nothing.
_store = insert_ignoring_conflicts(_checkins, _checkins.c.id)


def store(session: Session, user_id: int, attempt: Attempt) -> int | None:
    """Insert the attempt and give its id; None when its ``client_id`` was already used (a
    retry)."""
    values = {name: getattr(attempt, name) for name in STORED}
    attempt.id = session.scalar(_store(session), {"user_id": user_id, **values})
    return attempt.id


def _build_count_refusal(dialect: ModuleType) -> Any:
    days = RefusalDay.__table__
    return (
        dialect.insert(days)
        .values(user_id=bindparam("user_id"), day=bindparam("day"), refused=1)
        .on_conflict_do_update(
            index_elements=[days.c.user_id, days.c.day], set_={"refused": days.c.refused + 1}
        )
        .returning(days.c.refused)
    )


_count_refusal = per_dialect(_build_count_refusal)


def keep_refusal(session: Session, user_id: int, day: date, allowance: int) -> bool:
    """Count a refusal on the person's day (server time); False once the day's stored ones
    reach ``allowance``: a script sending garbage all day fills no table."""
    refused = session.execute(
        _count_refusal(session), {"user_id": user_id, "day": day}
    ).scalar_one()
    return bool(refused <= allowance)


def flag_clock_gap(attempt: Attempt, t: Thresholds) -> bool:
    """Mark the attempt suspicious when the phone's clock was far from the server's."""
    minutes = rules.clock_gap_minutes(attempt.device_time, attempt.server_time, t)
    if minutes is None:
        return False
    attempt.suspicious = True
    attempt.detail = {**(attempt.detail or {}), "clock_gap_minutes": minutes}
    return True


_VALID_TOTAL = (
    select(func.count())
    .select_from(_checkins)
    .where(_checkins.c.user_id == bindparam("user_id"), _checkins.c.status == VALID)
)


def valid_total(session: Session, user_id: int) -> int:
    return session.execute(_VALID_TOTAL, {"user_id": user_id}).scalar_one()


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def valid_on_day(session: Any, user_id: int, at: datetime, tz: ZoneInfo) -> int:
    start, end = day_bounds(at.astimezone(tz).date(), tz)
    return session.scalar(
        select(func.count())
        .select_from(CheckIn)
        .where(
            CheckIn.user_id == user_id,
            CheckIn.status == VALID,
            CheckIn.observed_at >= start,
            CheckIn.observed_at < end,
        )
    )


def _build_people_on_device() -> Any:
    mine, others = aliased(LoginSession), aliased(LoginSession)
    since = bindparam("since", type_=UTCDateTime())
    return (
        select(func.count(func.distinct(others.user_id)))
        .select_from(mine)
        .join(
            others,
            and_(
                others.user_agent == mine.user_agent,
                others.address == mine.address,
                others.created_at >= since,
            ),
        )
        .where(mine.id == bindparam("login_id"), mine.created_at >= since)
    )


_PEOPLE_ON_DEVICE = _build_people_on_device()


def people_on_device(session: Session, login_id: str, now: datetime, window: timedelta) -> int:
    """How many people logged in on this login's device (same browser and address) within
    ``window`` of now, this login's person included; 1 when this login is older than that
    (then nothing else is read)."""
    found = session.execute(_PEOPLE_ON_DEVICE, {"login_id": login_id, "since": now - window})
    return max(1, found.scalar_one() or 0)
