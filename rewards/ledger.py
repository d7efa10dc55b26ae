"""The points ledger: append-only entries, a cached balance, idempotent awards.

Points buy physical gifts, so they are treated like money:
- every change is an entry with a reason, a source and an idempotency key;
- ``award`` claims its key with a unique insert (``ON CONFLICT DO NOTHING``), never
  select-then-insert, so a retry or a concurrent duplicate pays once;
- the same key with a different request is a conflict, not a silent replay;
- the balance moves by a conditional ``UPDATE ... WHERE balance + delta >= 0`` in the same
  transaction, so it can never go negative, even with concurrent spends (a person with no
  balance row has nothing to spend; earning creates the row).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from app.errors import Conflict, Invalid
from app.sql import insert_ignoring_conflicts, per_dialect
from app.types import utcnow
from app.uow import UnitOfWork
from rewards import leaderboard
from rewards.models import LedgerEntry, PointBalance


@dataclass(frozen=True)
class AwardResult:
    entry_id: int
    delta: int
    balance: int
    replayed: bool


def _fingerprint(user_id: int, delta: int, reason: str, source_type: str, source_id: str) -> str:
    raw = f"{user_id}|{delta}|{reason}|{source_type}|{source_id}"
    return hashlib.sha256(raw.encode()).hexdigest()


def award(
    uow: UnitOfWork,
    *,
    user_id: int,
    delta: int,
    reason: str,
    source_type: str,
    source_id: str | int,
    key: str | None = None,
    note: str = "",
    actor_id: int | None = None,
    at: datetime | None = None,
) -> AwardResult:
    """Add ``delta`` points (negative to spend). Idempotent on ``key``; raises ``Conflict``."""
    if delta == 0:
        raise Invalid("zero_points", _l("A points change cannot be zero."))
    session = uow.session
    source_id = str(source_id)
    key = key or f"{source_type}:{source_id}:{reason}"
    fingerprint = _fingerprint(user_id, delta, reason, source_type, source_id)
    now = at or utcnow()  # ``at``: when the deed happened (imports and the demo's history)
    claimed = session.scalar(
        _claim_entry(session),
        {
            "user_id": user_id,
            "delta": delta,
            "reason": reason,
            "source_type": source_type,
            "source_id": source_id,
            "idempotency_key": key,
            "fingerprint": fingerprint,
            "note": note[:500],
            "actor_id": actor_id,
            "created_at": now,
        },
    )
    if claimed is None:
        return _replay(session, key, fingerprint, user_id)
    moved_to = _move_balance(session, user_id, delta, now)
    if moved_to is None:
        # The caller's unit of work rolls back, taking the claimed entry with it.
        raise Conflict("insufficient_points", _l("Not enough points for this."))
    if leaderboard.counts_on_leaderboard(reason):
        leaderboard.queue(session, user_id, delta, now)
    return AwardResult(claimed, delta, moved_to, replayed=False)


def _move_balance(session: Session, user_id: int, delta: int, now: datetime) -> int | None:
    """The cached balance after adding ``delta``, or None (and nothing moved) if it would go
    below zero. Earning is one upsert; spending is a conditional update of an existing row."""
    values = {"b_user": user_id, "b_delta": delta, "b_now": now}
    return session.scalar(_earn(session) if delta > 0 else _SPEND, values)


# Statements every award runs, built once (per dialect where they use ON CONFLICT).
_entries, _balances = LedgerEntry.__table__, PointBalance.__table__
_claim_entry = insert_ignoring_conflicts(_entries, _entries.c.id)


@per_dialect
def _earn(dialect: ModuleType) -> Any:
    upsert = dialect.insert(_balances).values(
        user_id=bindparam("b_user"),
        balance=bindparam("b_delta"),
        earned_total=bindparam("b_delta"),
        updated_at=bindparam("b_now"),
    )
    return upsert.on_conflict_do_update(
        index_elements=[_balances.c.user_id],
        set_={
            "balance": _balances.c.balance + upsert.excluded.balance,
            "earned_total": _balances.c.earned_total + upsert.excluded.earned_total,
            "updated_at": upsert.excluded.updated_at,
        },
    ).returning(_balances.c.balance)


_SPEND = (
    update(_balances)
    .where(_balances.c.user_id == bindparam("b_user"))
    .where(_balances.c.balance + bindparam("b_delta") >= 0)
    .values(balance=_balances.c.balance + bindparam("b_delta"), updated_at=bindparam("b_now"))
    .returning(_balances.c.balance)
)


def _replay(session: Session, key: str, fingerprint: str, user_id: int) -> AwardResult:
    existing = session.scalar(select(LedgerEntry).where(LedgerEntry.idempotency_key == key))
    if existing is None or existing.fingerprint != fingerprint:
        raise Conflict(
            "idempotency_mismatch",
            _l("This request was already made with different details; nothing was changed."),
        )
    return AwardResult(existing.id, existing.delta, balance(session, user_id), replayed=True)


def balance(session: Session, user_id: int) -> int:
    """The person's current balance (the cache kept in step by ``award``)."""
    return session.scalar(select(_balances.c.balance).where(_balances.c.user_id == user_id)) or 0


def ledger_sum(session: Session, user_id: int) -> int:
    """The balance recomputed from the entries: what the cache must always equal."""
    return session.execute(
        select(func.coalesce(func.sum(LedgerEntry.delta), 0)).where(LedgerEntry.user_id == user_id)
    ).scalar_one()
