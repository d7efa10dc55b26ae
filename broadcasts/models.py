"""Area broadcasts from the police room, who they were delivered to, and the "seen it" answers
people send back with their position."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
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

OPEN, FOUND, CANCELLED = "open", "found", "cancelled"
PENDING, DELIVERED, DROPPED = "pending", "delivered", "dropped"  # dropped: closed before due


class Broadcast(Model):
    """One message to the people of a police area: what to look for and what to do, sent to
    chosen grids or a circle whose radius widens at set times (``stages``)."""

    __tablename__ = "broadcasts"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'found', 'cancelled')", name="status_known"),
        Index("ix_broadcasts_area_status", "police_area_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    police_area_id: Mapped[int] = mapped_column(ForeignKey("police_areas.id"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120))
    look_for: Mapped[str] = mapped_column(Text)
    what_to_do: Mapped[str] = mapped_column(Text)
    urgent: Mapped[bool] = mapped_column(default=False)
    # Also shown, while open, on the area's online police room page (no photo there).
    public: Mapped[bool] = mapped_column(default=False, server_default=false())
    audience: Mapped[str] = mapped_column(String(12), default="on_duty")  # on_duty | everyone
    grid_ids: Mapped[list[int] | None] = mapped_column(JSON(none_as_null=True))  # or a circle:
    center_lat: Mapped[float | None]
    center_lon: Mapped[float | None]
    # [{"after_min": 0, "radius_m": 500}, {"after_min": 30, "radius_m": None}]: None is the area
    stages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    stage_reached: Mapped[int] = mapped_column(Integer, default=0)
    photo_name: Mapped[str | None] = mapped_column(String(80))
    thumb_name: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(12), default=OPEN)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answers: Mapped[list[SeenAnswer]] = relationship(order_by="SeenAnswer.id")


class Delivery(Model):
    """A broadcast owed to one person: pending until it is due (after quiet hours or the daily
    limit), then delivered once, or dropped when the broadcast is closed first. The unique key
    makes a sweep that runs twice harmless."""

    __tablename__ = "broadcast_deliveries"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "user_id", name="uq_broadcast_deliveries_person"),
        Index("ix_broadcast_deliveries_status_due", "status", "due_at"),
        Index("ix_broadcast_deliveries_user_delivered", "user_id", "delivered_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SeenAnswer(Model):
    """ "我看到了": where a recipient saw what the broadcast asked about, with an optional photo."""

    __tablename__ = "broadcast_seen"
    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    lat: Mapped[float]
    lon: Mapped[float]
    accuracy_m: Mapped[float | None]
    note: Mapped[str] = mapped_column(Text, default="")
    photo_name: Mapped[str | None] = mapped_column(String(80))
    thumb_name: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
