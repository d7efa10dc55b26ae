"""Points corrections with a second pair of eyes.

An officer corrects a person's points with a reason. Every correction is a row in
``point_corrections``, the audit record; the points move only through the ledger (a new entry,
the correction's id as its source, so one correction pays once):
- up to ``approval_above`` points either way it is paid at once (``applied``);
- above that it waits (``pending``) until another officer or an admin approves it (paid:
  ``approved``) or rejects it with a reason (``rejected``); the requester never decides their own;
- an officer moves at most ``daily_cap`` points a day (the sum of their requests of that local
  day, either sign; rejected ones give their share back). The requester's row is locked first,
  so two requests at once cannot both slip under the cap, nor pay one key twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.roles import FIELD_ROLES
from app.sql import lock_row
from app.types import utcnow
from app.uow import UnitOfWork
from rewards import ledger, reasons
from rewards.models import PointCorrection
from rewards.schemas import MIN_REASON
from volunteers.areas import EVERYWHERE, Areas, area_of_community, areas_of
from volunteers.models import Community, User
from volunteers.person import Person

PENDING, APPLIED, APPROVED, REJECTED = "pending", "applied", "approved", "rejected"
MAX_CHANGE = 10_000  # one correction moves at most this many points either way
SOURCE = "correction"  # the ledger entries' source_type; source_id is the correction's id


@dataclass(frozen=True)
class Rules:
    daily_cap: int
    approval_above: int
    tz: ZoneInfo

    @classmethod
    def from_config(cls, config: Mapping[str, Any], tz: ZoneInfo) -> Rules:
        return cls(
            daily_cap=int(config["CORRECTION_DAILY_CAP"]),
            approval_above=int(config["CORRECTION_APPROVAL_ABOVE"]),
            tz=tz,
        )


@dataclass(frozen=True)
class Outcome:
    correction: PointCorrection
    balance: int  # the person's balance now (unchanged while the correction is pending)
    replayed: bool = False


@dataclass(frozen=True)
class CorrectionRow:
    """A correction as the audit list shows it, with the names of the people involved."""

    id: int
    user_id: int
    person: str
    delta: int
    reason: str
    status: str
    requested_by_id: int
    requested_by: str
    created_at: datetime
    decided_by_id: int | None
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    ledger_entry_id: int | None


def clean_reason(text: str | None) -> str:
    """The reason with its spaces trimmed and runs of spaces made one; too short is refused."""
    reason = " ".join((text or "").split())
    if len(reason) < MIN_REASON:
        raise Invalid(
            "reason_missing",
            _l("Please write why the points change (at least %(min)d characters)."),
            min=MIN_REASON,
        )
    return reason


def person_by_phone(session: Session, phone: str) -> int:
    """The id of the field person with this mobile number (spaces and dashes ignored)."""
    digits = "".join(ch for ch in phone if ch not in " -")
    user_id = session.scalar(
        select(User.id).where(User.phone == digits, User.role.in_([str(r) for r in FIELD_ROLES]))
    )
    if user_id is None:
        raise NotFound("person_unknown", _l("That person does not exist."))
    return user_id


def request(
    uow: UnitOfWork,
    officer: Person,
    *,
    user_id: int,
    delta: int,
    reason: str,
    key: str,
    rules: Rules,
    now: datetime | None = None,
) -> Outcome:
    """An officer's correction of a person's points: paid at once if small, else pending.
    The same ``key`` again with the same details is a replay, with different ones a conflict."""
    session, now = uow.session, now or utcnow()
    reason = clean_reason(reason)
    if not -MAX_CHANGE <= delta <= MAX_CHANGE or delta == 0:
        raise Invalid(
            "correction_range",
            _l("The change must be between %(low)d and %(high)d points, and not zero."),
            low=-MAX_CHANGE,
            high=MAX_CHANGE,
        )
    person = session.get(User, user_id)
    if (
        person is None
        or person.role not in FIELD_ROLES
        or not areas_of(session, officer).allows(area_of_community(session, person.community_id))
    ):
        raise NotFound("person_unknown", _l("That person does not exist."))
    lock_row(session, User, officer.id)  # this officer's requests one at a time: cap and key
    earlier = session.scalar(
        select(PointCorrection).where(
            PointCorrection.requested_by_id == officer.id, PointCorrection.client_key == key
        )
    )
    if earlier is not None:
        if (earlier.user_id, earlier.delta, earlier.reason) != (user_id, delta, reason):
            raise Conflict(
                "idempotency_mismatch",
                _l("This request was already made with different details; nothing was changed."),
            )
        return Outcome(earlier, ledger.balance(session, user_id), replayed=True)
    used = moved_on_day(session, officer.id, now, rules.tz)
    if used + abs(delta) > rules.daily_cap:
        raise Conflict(
            "correction_daily_cap",
            _l("You may move at most %(cap)d points a day; %(left)d are left for today."),
            cap=rules.daily_cap,
            left=max(rules.daily_cap - used, 0),
        )
    correction = PointCorrection(
        user_id=user_id,
        delta=delta,
        reason=reason,
        status=PENDING,
        requested_by_id=officer.id,
        client_key=key,
        created_at=now,
        decision_note="",
    )
    session.add(correction)
    session.flush()
    balance = ledger.balance(session, user_id)
    if abs(delta) > rules.approval_above:
        if balance + delta < 0:
            raise Conflict("insufficient_points", _l("Not enough points for this."))
        return Outcome(correction, balance)
    return Outcome(correction, _pay(uow, correction, APPLIED, None, now))


def approve(
    uow: UnitOfWork, officer: Person, correction_id: int, now: datetime | None = None
) -> Outcome:
    """A second officer (or an admin) approves a pending correction: it is paid now, once."""
    correction = _pending(uow.session, officer, correction_id)
    return Outcome(correction, _pay(uow, correction, APPROVED, officer.id, now or utcnow()))


def reject(
    uow: UnitOfWork,
    officer: Person,
    correction_id: int,
    reason: str,
    now: datetime | None = None,
) -> Outcome:
    """A second officer (or an admin) rejects a pending correction with a reason; nothing is
    paid, and its points no longer count against the requester's day."""
    reason = clean_reason(reason)
    correction = _pending(uow.session, officer, correction_id)
    correction.status = REJECTED
    correction.decided_by_id, correction.decided_at = officer.id, now or utcnow()
    correction.decision_note = reason
    uow.session.flush()
    return Outcome(correction, ledger.balance(uow.session, correction.user_id))


def _pending(session: Session, officer: Person, correction_id: int) -> PointCorrection:
    lock_row(session, PointCorrection, correction_id)  # two deciders at once: one wins
    correction = session.get(PointCorrection, correction_id, populate_existing=True)
    person = session.get(User, correction.user_id) if correction else None
    if (
        correction is None
        or person is None
        or not areas_of(session, officer).allows(area_of_community(session, person.community_id))
    ):
        raise NotFound("correction_unknown", _l("That correction does not exist."))
    if correction.requested_by_id == officer.id:
        raise Forbidden(
            "correction_own", _l("Another officer must decide on a correction you asked for.")
        )
    if correction.status != PENDING:
        raise Conflict("correction_decided", _l("This correction has already been decided."))
    return correction


def _pay(
    uow: UnitOfWork,
    correction: PointCorrection,
    status: str,
    decided_by: int | None,
    now: datetime,
) -> int:
    """Pay the correction through the ledger (its id the source: it pays once) and mark it."""
    paid = ledger.award(
        uow,
        user_id=correction.user_id,
        delta=correction.delta,
        reason=reasons.OFFICER_AWARD if correction.delta > 0 else reasons.CORRECTION,
        source_type=SOURCE,
        source_id=correction.id,
        note=correction.reason,
        actor_id=decided_by or correction.requested_by_id,
        at=now,
    )
    correction.status, correction.ledger_entry_id = status, paid.entry_id
    correction.decided_by_id, correction.decided_at = decided_by, now if decided_by else None
    uow.session.flush()
    return paid.balance


def moved_on_day(session: Session, officer_id: int, at: datetime, tz: ZoneInfo) -> int:
    """Points the officer asked to move on ``at``'s local day, either sign, not rejected."""
    start = datetime.combine(at.astimezone(tz).date(), time.min, tzinfo=tz)
    return session.execute(
        select(func.coalesce(func.sum(func.abs(PointCorrection.delta)), 0)).where(
            PointCorrection.requested_by_id == officer_id,
            PointCorrection.status != REJECTED,
            PointCorrection.created_at >= start,
            PointCorrection.created_at < start + timedelta(days=1),
        )
    ).scalar_one()


def listed(
    *, status: str | None = None, ids: list[int] | None = None, areas: Areas = EVERYWHERE
) -> Select[PointCorrection, str, str, str]:
    """The one query behind every list of corrections, newest first: a later filter (by police
    area, by person) is one more ``where`` here."""
    person, requester, decider = aliased(User), aliased(User), aliased(User)
    query = (
        select(
            PointCorrection,
            person.name.label("person"),
            requester.name.label("requested_by"),
            decider.name.label("decided_by"),
        )
        .join(person, person.id == PointCorrection.user_id)
        .outerjoin(Community, Community.id == person.community_id)
        .where(areas.where(Community.police_area_id))
        .join(requester, requester.id == PointCorrection.requested_by_id)
        .outerjoin(decider, decider.id == PointCorrection.decided_by_id)
        .order_by(PointCorrection.created_at.desc(), PointCorrection.id.desc())
    )
    if status is not None:
        query = query.where(PointCorrection.status == status)
    if ids is not None:
        query = query.where(PointCorrection.id.in_(ids))
    return query


def list_corrections(
    session: Session,
    *,
    status: str | None = None,
    ids: list[int] | None = None,
    limit: int = 200,
    areas: Areas = EVERYWHERE,
) -> list[CorrectionRow]:
    """Corrections newest first, with the names of the person, the requester and the decider;
    ``areas``: only those of people in these police areas."""
    rows = session.execute(listed(status=status, ids=ids, areas=areas).limit(limit)).all()
    return [
        CorrectionRow(
            id=c.id,
            user_id=c.user_id,
            person=person,
            delta=c.delta,
            reason=c.reason,
            status=c.status,
            requested_by_id=c.requested_by_id,
            requested_by=requested_by,
            created_at=c.created_at,
            decided_by_id=c.decided_by_id,
            decided_by=decided_by,
            decided_at=c.decided_at,
            decision_note=c.decision_note,
            ledger_entry_id=c.ledger_entry_id,
        )
        for c, person, requested_by, decided_by in rows
    ]


def row_of(session: Session, correction_id: int) -> CorrectionRow:
    return list_corrections(session, ids=[correction_id], limit=1)[0]
