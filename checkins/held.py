"""Held check-ins: patrols on doubtful evidence (checkins/evidence.py) whose points wait. The
person appeals with one tap; an officer approves (the check-in becomes valid and counts
exactly as a live one would, through ``counting.count_valid``: paid once, its day for streaks,
badges) or rejects it with a reason the person reads.

Each decision holds the person's lock, as a check-in does, so an approval and a new scan of the
same person never interleave; a check-in decided already is a conflict, never paid twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.errors import Conflict, NotFound
from app.sql import lock_row
from app.types import utcnow
from app.uow import UnitOfWork
from checkins import counting, services
from checkins.models import HELD, REJECTED, VALID, CheckIn, PatrolPoint
from rewards import ledger
from volunteers.areas import Areas, area_of_grid, areas_of
from volunteers.models import Community, Grid, User
from volunteers.person import Person

UNKNOWN = _l("That check-in does not exist.")
NOT_HELD = _l("Only a check-in waiting for a decision can be appealed.")
DECIDED = _l("This check-in has already been decided.")


@dataclass(frozen=True)
class Decided:
    checkin: CheckIn
    balance: int | None = None
    paid: bool = False


def _locked(session: Session, checkin_id: int, owner_id: int | None = None) -> CheckIn:
    """The check-in, read again under its person's lock; 404 if missing (or not ``owner_id``'s:
    another person's check-in is as unknown as one that does not exist)."""
    user_id = session.scalar(select(CheckIn.user_id).where(CheckIn.id == checkin_id))
    if user_id is None or (owner_id is not None and user_id != owner_id):
        raise NotFound("checkin_unknown", UNKNOWN)
    lock_row(session, User, user_id)
    return session.execute(
        select(CheckIn).where(CheckIn.id == checkin_id).execution_options(populate_existing=True)
    ).scalar_one()


def appeal(
    uow: UnitOfWork, person: Person, checkin_id: int, note: str | None, now: datetime | None = None
) -> CheckIn:
    """Ask an officer to look again at one's held check-in. Idempotent: appealing again
    changes nothing (the first note stays) and answers the same."""
    row = _locked(uow.session, checkin_id, owner_id=person.id)
    if row.appealed_at is not None:
        return row
    if row.status != HELD:
        raise Conflict("checkin_not_held", NOT_HELD)
    row.appealed_at = now or utcnow()
    row.appeal_note = (note or "").strip()[:200] or None
    uow.session.flush()
    return row


def approve(
    uow: UnitOfWork,
    officer: Person,
    checkin_id: int,
    policy: services.Policy,
    note: str | None = None,
    now: datetime | None = None,
) -> Decided:
    """Count a held check-in: it becomes valid and pays its points once (the ledger's source is
    the check-in), then counts for streaks and badges as a live one would."""
    session = uow.session
    row = _locked(session, checkin_id)
    _check_area(session, officer, row)
    if row.status != HELD:
        raise Conflict("checkin_decided", DECIDED)
    row.status, row.decided_at, row.decided_by_id = VALID, now or utcnow(), officer.id
    row.decision_note = (note or "").strip()[:200] or None
    session.flush()  # valid before counting: the badge count reads it
    counted = counting.count_valid(
        uow,
        row.user_id,
        row.id,
        row.points,
        row.observed_at,
        policy,
        actor_id=officer.id,
    )
    return Decided(row, balance=counted.balance, paid=True)


def reject(
    uow: UnitOfWork, officer: Person, checkin_id: int, reason: str, now: datetime | None = None
) -> Decided:
    """Turn a held check-in down with a reason the person reads; nothing is paid."""
    session = uow.session
    row = _locked(session, checkin_id)
    _check_area(session, officer, row)
    if row.status != HELD:
        raise Conflict("checkin_decided", DECIDED)
    row.status, row.decided_at, row.decided_by_id = REJECTED, now or utcnow(), officer.id
    row.decision_note = reason.strip()[:200]
    session.flush()
    return Decided(row, balance=ledger.balance(session, row.user_id))


def _check_area(session: Session, officer: Person, row: CheckIn) -> None:
    """Another police area's check-in is as unknown to an officer as a missing one."""
    point = session.get(PatrolPoint, row.point_id) if row.point_id else None
    area = area_of_grid(session, point.grid_id) if point else None
    if not areas_of(session, officer).allows(area):
        raise NotFound("checkin_unknown", UNKNOWN)


def _held_in(areas: Areas) -> Any:
    return (
        select(CheckIn)
        .join(PatrolPoint, PatrolPoint.id == CheckIn.point_id)
        .join(Grid, Grid.id == PatrolPoint.grid_id)
        .join(Community, Community.id == Grid.community_id)
        .where(CheckIn.status == HELD, areas.where(Community.police_area_id))
    )


def queue(session: Session, areas: Areas, limit: int = 200) -> list[CheckIn]:
    """Held check-ins of ``areas`` waiting for an officer: appealed ones first, then the
    oldest."""
    return list(
        session.scalars(
            _held_in(areas)
            .options(joinedload(CheckIn.person), joinedload(CheckIn.point))
            .order_by(CheckIn.appealed_at.is_(None), CheckIn.server_time)
            .limit(limit)
        ).all()
    )


def waiting(session: Session, areas: Areas) -> int:
    """How many held check-ins of ``areas`` wait for an officer."""
    return session.scalar(select(func.count()).select_from(_held_in(areas).subquery())) or 0


def answer(decided: Decided) -> dict[str, Any]:
    row = decided.checkin
    return {
        "checkin_id": row.id,
        "status": row.status,
        "appealed": row.appealed_at is not None,
        "points": row.points,
        "balance": decided.balance,
        "paid": decided.paid,
    }
