"""The check-in use case: verify the poster, apply the rules in order, store the evidence and
pay the points through the ledger in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.errors import DomainError
from app.roles import FIELD_ROLES, Role
from app.sql import insert_ignoring_conflicts, lock_row
from app.types import utcnow
from app.uow import UnitOfWork
from checkins import rules, tokens
from checkins.models import CheckIn, PatrolDay, PatrolPoint
from checkins.rules import Refused, Thresholds, Visit
from rewards import ledger, progress, reasons
from volunteers.models import User

VALID = "valid"
REFUSED = "refused"


@dataclass(frozen=True)
class CheckInRequest:
    token: str
    lat: Any
    lon: Any
    accuracy_m: Any
    device_time: datetime | None = None
    client_id: str | None = None


@dataclass(frozen=True)
class Policy:
    """Everything the rules need from settings, built once per request."""

    thresholds: Thresholds
    signing_key: bytes
    timezone: ZoneInfo
    streak_bonuses: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckInOutcome:
    checkin_id: int
    point_id: int | None
    point_name: str | None
    points: int
    balance: int
    streak_days: int
    remaining_today: int
    replayed: bool
    error: DomainError | None = None
    new_badges: tuple[str, ...] = ()
    streak_bonus: int = 0

    @property
    def valid(self) -> bool:
        return self.error is None


def check_in(
    uow: UnitOfWork,
    user: User,
    request: CheckInRequest,
    policy: Policy,
    now: datetime | None = None,
) -> CheckInOutcome:
    """Check ``user`` in; a refusal is stored (for officers) and returned, never raised, so the
    caller can commit the record before answering with the error."""
    session = uow.session
    server_time = now or utcnow()
    lock_row(session, User, user.id)  # one person's check-ins are decided one at a time
    if request.client_id:
        earlier = session.scalar(
            select(CheckIn).where(
                CheckIn.user_id == user.id, CheckIn.client_id == request.client_id
            )
        )
        if earlier is not None:
            return _outcome(uow, user, earlier, policy, replayed=True)
    attempt = CheckIn(
        user_id=user.id,
        token=(request.token or "")[:64],
        client_id=request.client_id,
        server_time=server_time,
        observed_at=server_time,
        device_time=request.device_time,
    )
    try:
        _apply_rules(uow, user, request, policy, attempt, server_time)
    except Refused as refusal:
        attempt.status, attempt.reason, attempt.suspicious = (
            REFUSED,
            refusal.code,
            refusal.suspicious,
        )
        attempt.detail = refusal.params
        if refusal.code == "too_far":  # the evidence officers look at first
            attempt.distance_m = refusal.params["distance"]
        session.add(attempt)
        session.flush()
        return _outcome(uow, user, attempt, policy, replayed=False)
    attempt.status = VALID
    session.add(attempt)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # the same client_id raced past the lookup: answer as a replay
        earlier = session.scalar(
            select(CheckIn).where(
                CheckIn.user_id == user.id, CheckIn.client_id == request.client_id
            )
        )
        return _outcome(uow, user, earlier, policy, replayed=True)
    ledger.award(
        uow,
        user_id=user.id,
        delta=attempt.points,
        reason=reasons.CHECKIN,
        source_type="checkin",
        source_id=attempt.id,
    )
    local_time = attempt.observed_at.astimezone(policy.timezone)
    session.execute(
        insert_ignoring_conflicts(session, PatrolDay).values(user_id=user.id, day=local_time.date())
    )
    session.flush()
    gained = progress.after_checkin(
        uow,
        user_id=user.id,
        local_time=local_time,
        streak_days=streak_days(session, user.id, local_time.date()),
        valid_total=_valid_total(session, user.id),
        streak_bonuses=policy.streak_bonuses,
    )
    return replace(
        _outcome(uow, user, attempt, policy, replayed=False),
        new_badges=gained.new_badges,
        streak_bonus=gained.streak_bonus,
    )


def _valid_total(session: Any, user_id: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(CheckIn)
        .where(CheckIn.user_id == user_id, CheckIn.status == VALID)
    )


def _apply_rules(
    uow: UnitOfWork,
    user: User,
    request: CheckInRequest,
    policy: Policy,
    attempt: CheckIn,
    server_time: datetime,
) -> None:
    """The rules, in the order the issue fixes; each refusal has its own code."""
    session, t = uow.session, policy.thresholds
    token = tokens.verify(policy.signing_key, request.token)
    if token is None:
        raise Refused("qr_invalid")
    point = session.get(PatrolPoint, token.point_id)
    if point is None:
        raise Refused("qr_invalid")
    attempt.point_id = point.id
    if token.version != point.poster_version:
        raise Refused("qr_stale")
    attempt.observed_at = at = rules.observed_at(request.device_time, server_time, t)
    if not rules.point_active(point.active_from, point.active_until, point.retired_at, at):
        raise Refused("point_inactive")
    allowed = point.roles() or {r.value for r in FIELD_ROLES}
    if Role(user.role) not in FIELD_ROLES or user.role not in allowed:
        raise Refused("role_not_allowed")
    position = rules.check_position(request.lat, request.lon, request.accuracy_m, t)
    attempt.lat, attempt.lon, attempt.accuracy_m = position.lat, position.lon, position.accuracy_m
    attempt.distance_m = rules.check_geofence(point.lat, point.lon, point.radius_m, position, t)
    rules.check_cooldown(_nearest_here(session, user.id, point.id, at, t.cooldown), at, t)
    rules.check_daily_cap(valid_on_day(session, user.id, at, policy.timezone), t)
    rules.check_speed(_neighbours(session, user.id, at), position, at, t)
    attempt.points = point.points


def _nearest_here(
    session: Any, user_id: int, point_id: int, at: datetime, window: timedelta
) -> datetime | None:
    times = session.scalars(
        select(CheckIn.observed_at).where(
            CheckIn.user_id == user_id,
            CheckIn.point_id == point_id,
            CheckIn.status == VALID,
            CheckIn.observed_at > at - window,
            CheckIn.observed_at < at + window,
        )
    ).all()
    return min(times, key=lambda t: abs(t - at)) if times else None


def _day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def valid_on_day(session: Any, user_id: int, at: datetime, tz: ZoneInfo) -> int:
    start, end = _day_bounds(at.astimezone(tz).date(), tz)
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


def _neighbours(session: Any, user_id: int, at: datetime) -> list[Visit]:
    """The valid check-ins just before and just after ``at`` (offline ones arrive late)."""
    base = select(CheckIn.lat, CheckIn.lon, CheckIn.observed_at).where(
        CheckIn.user_id == user_id, CheckIn.status == VALID
    )
    before = session.execute(
        base.where(CheckIn.observed_at <= at).order_by(CheckIn.observed_at.desc()).limit(1)
    ).first()
    after = session.execute(
        base.where(CheckIn.observed_at > at).order_by(CheckIn.observed_at).limit(1)
    ).first()
    return [Visit(*row) for row in (before, after) if row is not None]


def streak_days(session: Any, user_id: int, today: date) -> int:
    """Consecutive days with at least one valid patrol, ending today (or yesterday)."""
    days = session.scalars(
        select(PatrolDay.day)
        .where(PatrolDay.user_id == user_id)
        .order_by(PatrolDay.day.desc())
        .limit(400)
    ).all()
    if not days or days[0] < today - timedelta(days=1):
        return 0
    streak, expected = 0, days[0]
    for day in days:
        if day != expected:
            break
        streak, expected = streak + 1, day - timedelta(days=1)
    return streak


def _outcome(
    uow: UnitOfWork, user: User, attempt: CheckIn, policy: Policy, *, replayed: bool
) -> CheckInOutcome:
    session = uow.session
    today = attempt.observed_at.astimezone(policy.timezone).date()
    point = session.get(PatrolPoint, attempt.point_id) if attempt.point_id else None
    error = None if attempt.status == VALID else Refused(attempt.reason, **(attempt.detail or {}))
    used = valid_on_day(session, user.id, attempt.observed_at, policy.timezone)
    return CheckInOutcome(
        checkin_id=attempt.id,
        point_id=attempt.point_id,
        point_name=point.name if point else None,
        points=attempt.points,
        balance=ledger.balance(session, user.id),
        streak_days=streak_days(session, user.id, today),
        remaining_today=max(0, policy.thresholds.daily_cap - used),
        replayed=replayed,
        error=error,
    )
