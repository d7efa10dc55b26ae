"""Points and what they buy: the ledger, balances, the gift catalog, orders, badges and the
leaderboard aggregates."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from volunteers.models import User


class Gift(Model):
    __tablename__ = "gifts"
    __table_args__ = (
        CheckConstraint("price > 0", name="price_positive"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # The area whose people see and order the gift and whose police room hands it over.
    police_area_id: Mapped[int] = mapped_column(ForeignKey("police_areas.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    per_person_limit: Mapped[int] = mapped_column(Integer, default=1)
    pickup_place: Mapped[str] = mapped_column(String(200), default="")
    active_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    picture: Mapped[str | None] = mapped_column(String(80))  # file name under instance/gifts
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Order(Model):
    """A gift ordered with points; collected at the police room with its pickup code."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("user_id", "client_key", name="uq_orders_user_client_key"),
        Index("ix_orders_status_created", "status", "created_at"),
        Index("ix_orders_user_gift", "user_id", "gift_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    gift_id: Mapped[int] = mapped_column(ForeignKey("gifts.id"))
    price: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    pickup_code: Mapped[str] = mapped_column(String(12), unique=True)
    client_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    collect_by: Mapped[datetime] = mapped_column(UTCDateTime())
    collected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    collected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    gift: Mapped[Gift] = relationship()
    person: Mapped[User] = relationship(foreign_keys=[user_id])


class BadgeAward(Model):
    """A badge a person earned, once, with the date."""

    __tablename__ = "badge_awards"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    badge: Mapped[str] = mapped_column(String(40), primary_key=True)
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ScoreBucket(Model):
    """Points earned by one person in one scope (grid, team, community, area) and period
    (all time, an ISO week, a month), kept up to date by the ledger: leaderboards read these
    rows instead of summing the ledger."""

    __tablename__ = "score_buckets"
    __table_args__ = (Index("ix_score_rank", "scope", "scope_id", "period", "points", "user_id"),)
    scope: Mapped[str] = mapped_column(String(12), primary_key=True)
    scope_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(12), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    points: Mapped[int] = mapped_column(Integer, default=0)


class ScoreEvent(Model):
    """An earning (or its reversal) not yet added to the score buckets: the ledger queues one
    with each entry that counts, in the same transaction, and ``leaderboard.fold`` moves them
    into the buckets in batches (see rewards/leaderboard.py)."""

    __tablename__ = "score_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    delta: Mapped[int] = mapped_column(Integer)
    earned_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LedgerEntry(Model):
    """One change of a person's points. Never updated or deleted: corrections are new entries."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("delta <> 0", name="delta_nonzero"),
        UniqueConstraint("source_type", "source_id", "reason", name="uq_ledger_source_reason"),
        Index("ix_ledger_user_created", "user_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(40))
    source_type: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PointBalance(Model):
    """The cached sum of a person's ledger entries, changed only by ``rewards.ledger``."""

    __tablename__ = "point_balances"
    __table_args__ = (CheckConstraint("balance >= 0", name="balance_not_negative"),)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    balance: Mapped[int] = mapped_column(Integer, default=0)
    earned_total: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PointCorrection(Model):
    """An officer's request to move a person's points, with its reason. Small ones are paid at
    once (``applied``); above the approval threshold they wait (``pending``) for a second
    officer, who approves (paid: ``approved``) or rejects them. The row is the audit record;
    the points themselves move only through the ledger, ``ledger_entry_id`` naming the entry."""

    __tablename__ = "point_corrections"
    __table_args__ = (
        CheckConstraint("delta <> 0", name="delta_nonzero"),
        UniqueConstraint("requested_by_id", "client_key", name="uq_point_corrections_client_key"),
        Index("ix_point_corrections_requester_created", "requested_by_id", "created_at"),
        Index("ix_point_corrections_status_created", "status", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(12))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    client_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
