"""Patrol points: where people check in. Positions are WGS-84, as phones report them."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from volunteers.models import Grid, User


class PatrolPoint(Model):
    __tablename__ = "patrol_points"
    __table_args__ = (
        CheckConstraint(
            "lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="position_valid"
        ),
        CheckConstraint("radius_m > 0", name="radius_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    lat: Mapped[float]
    lon: Mapped[float]
    radius_m: Mapped[int] = mapped_column(Integer, default=50)
    points: Mapped[int] = mapped_column(Integer, default=10)
    hotspot: Mapped[bool] = mapped_column(Boolean, default=False)
    active_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    poster_version: Mapped[int] = mapped_column(Integer, default=1)
    # Which field roles may check in here, comma-separated; empty means every field role.
    allowed_roles: Mapped[str] = mapped_column(String(80), default="", server_default="")
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    grid: Mapped[Grid] = relationship()


def allowed_roles(stored: str) -> frozenset[str]:
    """The roles a point's ``allowed_roles`` text names; empty means every field role."""
    return frozenset(r for r in stored.split(",") if r)


VALID = "valid"  # a check-in's status: it counted and paid
REFUSED = "refused"  # kept with its reason for officers
HELD = "held"  # a patrol on doubtful evidence: its points wait for an officer's decision
REJECTED = "rejected"  # a held one an officer turned down, with the reason


class CheckIn(Model):
    """One attempt to check in, with its raw evidence. Only ``status == "valid"`` rows count;
    refused attempts are kept with their reason so officers can review the suspicious ones;
    held ones (doubtful evidence, checkins/evidence.py) wait for an officer, who approves
    (they become valid and pay) or rejects them."""

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("user_id", "client_id", name="uq_checkins_user_client"),
        Index("ix_checkins_user_observed", "user_id", "status", "observed_at"),
        Index("ix_checkins_point_observed", "point_id", "observed_at"),
        # The officers' queue: only held rows are in it, so it costs other check-ins nothing.
        Index(
            "ix_checkins_held",
            "server_time",
            postgresql_where=text("status = 'held'"),
            sqlite_where=text("status = 'held'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    point_id: Mapped[int | None] = mapped_column(ForeignKey("patrol_points.id"))
    token: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(String(40))
    suspicious: Mapped[bool] = mapped_column(Boolean, default=False)
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    accuracy_m: Mapped[float | None]
    distance_m: Mapped[float | None]
    device_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    server_time: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    points: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # a refusal's message parameters
    grade: Mapped[str | None] = mapped_column(String(12))  # evidence: good, noted or doubtful
    appealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    appeal_note: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str | None] = mapped_column(String(200))
    point: Mapped[PatrolPoint | None] = relationship()
    person: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class PatrolDay(Model):
    """A local day on which a person made at least one valid check-in, with the length of the
    run of consecutive such days that ends on it (checkins/streaks.py keeps it)."""

    __tablename__ = "patrol_days"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    streak: Mapped[int] = mapped_column(Integer, server_default=text("1"))


class RefusalDay(Model):
    """How many check-in attempts a person had refused on a (local, server-time) day. Only the
    first ``CHECKIN_REFUSALS_STORED_PER_DAY`` are kept as rows for officers; the rest are only
    counted here, so a script sending garbage all day cannot fill the table."""

    __tablename__ = "checkin_refusal_days"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    refused: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class PatrolRoute(Model):
    """An ordered round of points to walk in a daily time window (it may cross midnight)."""

    __tablename__ = "patrol_routes"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    bonus_points: Mapped[int] = mapped_column(Integer, default=30)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    stops: Mapped[list[RouteStop]] = relationship(
        order_by="RouteStop.position", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[RouteAssignment]] = relationship(cascade="all, delete-orphan")


class RouteStop(Model):
    __tablename__ = "route_stops"
    route_id: Mapped[int] = mapped_column(ForeignKey("patrol_routes.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("patrol_points.id"))
    point: Mapped[PatrolPoint] = relationship()


class RouteAssignment(Model):
    __tablename__ = "route_assignments"
    route_id: Mapped[int] = mapped_column(ForeignKey("patrol_routes.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class RouteRun(Model):
    """How one person's round went on one day, decided once when its window closed."""

    __tablename__ = "route_runs"
    __table_args__ = (UniqueConstraint("route_id", "user_id", "day", name="uq_route_runs_once"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("patrol_routes.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    visited: Mapped[int] = mapped_column(Integer, default=0)
    missed_point_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    bonus_points: Mapped[int] = mapped_column(Integer, default=0)
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
