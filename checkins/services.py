"""The check-in use case: verify the poster, apply the rules in order, grade the evidence,
store it and pay the points through the ledger in the same transaction. A scan on doubtful
evidence (checkins/evidence.py) is stored as a held patrol: nothing is paid until an officer
approves it (checkins/held.py), which then counts it through ``counting.count_valid``, as a
live valid check-in is counted here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.roles import FIELD_ROLES, Role
from app.sql import lock_row
from app.types import utcnow
from app.uow import UnitOfWork
from checkins import attempts, counting, evidence, grading, rules, streaks, tokens
from checkins.attempts import Attempt
from checkins.models import HELD, REFUSED, VALID, CheckIn, PatrolPoint, allowed_roles
from checkins.recent import late_that_day
from checkins.recent import load as load_recent
from checkins.rules import Refused, Thresholds
from rewards import ledger
from volunteers.models import User
from volunteers.person import Person


@dataclass(frozen=True)
class CheckInRequest:
    token: str
    lat: Any
    lon: Any
    accuracy_m: Any
    device_time: datetime | None = None
    client_id: str | None = None
    queued_offline: bool = False  # the page kept it in its offline queue: may be dated late


@dataclass(frozen=True)
class Policy:
    """Everything the rules need from settings (checkins/policy.py builds it once per
    distinct settings and shares it)."""

    thresholds: Thresholds
    signing_key: bytes
    timezone: ZoneInfo
    streak_bonuses: Mapping[int, int] = field(default_factory=dict)
    doubt: evidence.Limits = field(default_factory=evidence.Limits)


@dataclass(frozen=True)
class CheckInOutcome:
    checkin_id: int | None  # None: a refusal beyond the day's stored ones, only counted
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
    held: bool = False  # recorded as a patrol; its points wait for an officer
    doubts: tuple[tuple[str, dict[str, Any]], ...] = ()  # why, for a held one: (code, figures)
    appealed: bool = False

    @property
    def valid(self) -> bool:
        return self.error is None and not self.held

    @property
    def kind(self) -> str:
        """replayed, refused, held or valid: what the metrics count it as."""
        if self.replayed:
            return "replayed"
        return "refused" if self.error is not None else ("held" if self.held else "valid")


def check_in(
    uow: UnitOfWork,
    user: Person,
    request: CheckInRequest,
    policy: Policy,
    now: datetime | None = None,
) -> CheckInOutcome:
    """Check ``user`` in; a refusal is stored (for officers) and returned, never raised, so the
    caller can commit the record before answering with the error.

    The same ``client_id`` again (a phone retrying) answers with the first attempt's outcome:
    the attempt's insert claims the id (``ON CONFLICT DO NOTHING``), so a retry, even one racing
    the first, is recognised without a lookup before every check-in.

    The phone's clock dates only an attempt the page queued offline; such a late attempt is
    judged at server time too, and few count a day. A phone clock far from the server's flags
    the attempt for officers, whatever its outcome. Refusals beyond the day's allowance
    (``refusals_stored_per_day``) are only counted, not stored."""
    session = uow.session
    server_time = now or utcnow()
    lock_row(session, User, user.id)  # one person's check-ins are decided one at a time
    attempt = Attempt(
        token=(request.token or "")[:64],
        client_id=request.client_id,
        server_time=server_time,
        observed_at=server_time,
        device_time=request.device_time,
    )
    try:
        passed = _apply_rules(session, user, request, policy, attempt, server_time)
    except Refused as refusal:
        attempt.status, attempt.reason, attempt.suspicious = (
            REFUSED,
            refusal.code,
            refusal.suspicious,
        )
        attempt.detail = refusal.params
        attempts.flag_clock_gap(attempt, policy.thresholds)
        if refusal.code == "too_far":  # the evidence officers look at first
            attempt.distance_m = refusal.params["distance"]
        day = server_time.astimezone(policy.timezone).date()
        allowance = policy.thresholds.refusals_stored_per_day
        if not attempts.keep_refusal(session, user.id, day, allowance):
            return _outcome(uow, user, attempt, policy, replayed=False)  # counted, not kept
        if attempts.store(session, user.id, attempt) is None:
            return _replay(uow, user, request.client_id, policy)
        return _outcome(uow, user, attempt, policy, replayed=False)
    point = passed.point
    graded = grading.grade_scan(session, user, request, policy, attempt, passed, server_time)
    attempt.grade = graded.level
    if graded.signals:  # counted or held, it is on the officers' list with why
        attempt.suspicious = True
        attempt.reason, attempt.detail = graded.reason, graded.detail()
    attempt.status = HELD if graded.held else VALID
    checkin_id = attempts.store(session, user.id, attempt)
    if checkin_id is None:
        return _replay(uow, user, request.client_id, policy)
    if graded.held:
        return _outcome(uow, user, attempt, policy, replayed=False)
    counted = counting.count_valid(
        uow,
        user.id,
        checkin_id,
        attempt.points,
        attempt.observed_at,
        policy,
        first_that_day=passed.valid_that_day == 0,
    )
    return CheckInOutcome(
        checkin_id=checkin_id,
        point_id=point.id,
        point_name=point.name,
        points=attempt.points,
        balance=counted.balance,
        streak_days=counted.streak_days,
        remaining_today=max(0, policy.thresholds.daily_cap - passed.count_that_day - 1),
        replayed=False,
        new_badges=counted.new_badges,
        streak_bonus=counted.streak_bonus,
    )


def _replay(uow: UnitOfWork, user: Person, client_id: str | None, policy: Policy) -> CheckInOutcome:
    earlier = uow.session.scalar(
        select(CheckIn).where(CheckIn.user_id == user.id, CheckIn.client_id == client_id)
    )
    attempt = Attempt(**{name: getattr(earlier, name) for name in ("id", *attempts.STORED)})
    return _outcome(uow, user, attempt, policy, replayed=True)


def _apply_rules(
    session: Session,
    user: Person,
    request: CheckInRequest,
    policy: Policy,
    attempt: Attempt,
    server_time: datetime,
) -> Passed:
    """The rules, in the order the issue fixes; each refusal has its own code. Returns what
    grading the evidence needs next: the point, the position, the person's day so far."""
    t = policy.thresholds
    token = tokens.verify(policy.signing_key, request.token)
    if token is None:
        raise Refused("qr_invalid")
    found = session.execute(_POINT_FACTS, {"point_id": token.point_id}).first()
    if found is None:
        raise Refused("qr_invalid")
    point = PointFacts(*found)
    attempt.point_id = point.id
    if token.version != point.poster_version:
        raise Refused("qr_stale")
    attempt.observed_at = at = rules.observed_at(
        request.device_time, server_time, t, queued_offline=request.queued_offline
    )
    if not rules.point_active(point.active_from, point.active_until, point.retired_at, at):
        raise Refused("point_inactive")
    allowed = allowed_roles(point.allowed_roles) or {r.value for r in FIELD_ROLES}
    if Role(user.role) not in FIELD_ROLES or user.role not in allowed:
        raise Refused("role_not_allowed")
    position = rules.check_position(request.lat, request.lon, request.accuracy_m, t)
    attempt.lat, attempt.lon, attempt.accuracy_m = position.lat, position.lon, position.accuracy_m
    attempt.distance_m = rules.check_geofence(point.lat, point.lon, point.radius_m, position, t)
    day = attempts.day_bounds(at.astimezone(policy.timezone).date(), policy.timezone)
    latest = policy.doubt.constant_accuracy_scans - 1
    recent = load_recent(session, user.id, point.id, at, day, t.cooldown, latest)
    rules.check_cooldown(recent.nearest_at_point(at), at, t)
    rules.check_daily_cap(recent.count_that_day, t)
    rules.check_speed(recent.neighbours(), position, at, t)
    if at < server_time:
        _check_late(session, user.id, point.id, position, server_time, policy)
    attempt.points = point.points
    return Passed(
        point,
        position,
        recent.neighbours(),
        recent.count_that_day,
        recent.valid_that_day,
        recent.accuracies,
    )


def _check_late(
    session: Session,
    user_id: int,
    point_id: int,
    position: rules.Position,
    server_time: datetime,
    policy: Policy,
) -> None:
    """A check-in dated by the phone is judged at server time too: the page sends its queue in
    the order it was scanned, before any new scan, so an honest late scan is also possible
    after everything the person already did (no same point within the cooldown, a reachable
    journey from the latest one). Only so many late ones count a day."""
    t = policy.thresholds
    day = attempts.day_bounds(server_time.astimezone(policy.timezone).date(), policy.timezone)
    now = load_recent(session, user_id, point_id, server_time, day, t.cooldown, latest=0)
    rules.check_cooldown(now.nearest_at_point(server_time), server_time, t)
    rules.check_speed(now.neighbours(), position, server_time, t)
    rules.check_late_cap(late_that_day(session, user_id, day, t.late_max), t)


_points = PatrolPoint.__table__


class PointFacts(NamedTuple):
    """The point's facts the rules read: a row, not an entity (loading one costs as much as the
    rest of the check-in)."""

    id: int
    name: str
    lat: float
    lon: float
    radius_m: float
    points: int
    poster_version: int
    allowed_roles: str
    active_from: datetime | None
    active_until: datetime | None
    retired_at: datetime | None


_POINT_FACTS = select(*(_points.c[name] for name in PointFacts._fields)).where(
    _points.c.id == bindparam("point_id")
)


class Passed(NamedTuple):
    """What the rules found on the way, for the grading and the answer."""

    point: PointFacts
    position: rules.Position
    neighbours: list[rules.Visit]
    count_that_day: int  # valid and held check-ins already on the check-in's local day
    valid_that_day: int
    accuracies: tuple[float, ...]


def _outcome(
    uow: UnitOfWork, user: Person, attempt: Attempt, policy: Policy, *, replayed: bool
) -> CheckInOutcome:
    """An attempt's outcome as the person sees it now (refusals, stored or only counted, held
    ones, and replays)."""
    session = uow.session
    today = attempt.observed_at.astimezone(policy.timezone).date()
    point = session.get(PatrolPoint, attempt.point_id) if attempt.point_id else None
    used = attempts.valid_on_day(session, user.id, attempt.observed_at, policy.timezone)
    return CheckInOutcome(
        checkin_id=attempt.id,
        point_id=attempt.point_id,
        point_name=point.name if point else None,
        points=attempt.points,
        balance=ledger.balance(session, user.id),
        streak_days=streaks.current(session, user.id, today),
        remaining_today=max(0, policy.thresholds.daily_cap - used),
        replayed=replayed,
        error=_refusal(attempt),
        held=attempt.status == HELD,
        doubts=doubts(attempt.detail) if attempt.status == HELD else (),
    )


def doubts(detail: Mapping[str, Any] | None) -> tuple[tuple[str, dict[str, Any]], ...]:
    """A held check-in's signals with their figures, as stored in its ``detail``."""
    figures = {k: v for k, v in (detail or {}).items() if k != "signals"}
    return tuple((code, figures) for code in (detail or {}).get("signals", ()))


def _refusal(attempt: Attempt) -> Refused | None:
    """A stored attempt's refusal, rebuilt from its reason; None when it counted."""
    if attempt.status in (VALID, HELD):
        return None
    if attempt.reason is None:
        raise ValueError("a refused attempt is stored with its reason")
    return Refused(attempt.reason, **(attempt.detail or {}))
