"""Officers' public profiles, notices, the tip box, appointments and their ratings."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from volunteers.models import User


class OfficerProfile(Model):
    """What residents see of an officer: photo, public phone, title and reception hours
    (weekly slots ``[{"weekday": 0-6, "start": "09:00", "end": "11:30"}]``)."""

    __tablename__ = "officer_profiles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    title: Mapped[str] = mapped_column(String(60), default="")
    public_phone: Mapped[str] = mapped_column(String(40), default="")
    photo_name: Mapped[str | None] = mapped_column(String(80))
    reception: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=30)
    shown: Mapped[bool] = mapped_column(default=True)
    user: Mapped[User] = relationship()


class Notice(Model):
    """A public notice on an area's page (a fraud warning, a road closure...)."""

    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    police_area_id: Mapped[int] = mapped_column(ForeignKey("police_areas.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="notice")
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class Tip(Model):
    """A resident's tip (线索): with an account, or without one and a code to read the reply.
    Target: a reply the same day, a complex one within 3 days."""

    __tablename__ = "tips"
    __table_args__ = (
        Index("ix_tips_area_status_created", "police_area_id", "status", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    police_area_id: Mapped[int] = mapped_column(ForeignKey("police_areas.id"))
    code: Mapped[str] = mapped_column(String(16), unique=True)  # read the reply with it
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[str] = mapped_column(String(12), default="new")  # new | replied | closed
    complex: Mapped[bool] = mapped_column(default=False)  # the officer needs up to 3 days
    reply: Mapped[str | None] = mapped_column(Text)
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


ACTIVE_APPOINTMENT = "status IN ('requested', 'confirmed', 'proposed')"


class Appointment(Model):
    """A resident's booking of an officer's reception slot: requested -> confirmed |
    proposed (another time; the resident accepts or cancels) | declined | cancelled; done
    after it, then the resident may rate it once."""

    __tablename__ = "appointments"
    __table_args__ = (
        # One active booking per officer and start: a second one for the same slot fails here.
        Index(
            "uq_appointments_officer_slot",
            "officer_id",
            "starts_at",
            unique=True,
            sqlite_where=text(ACTIVE_APPOINTMENT),
            postgresql_where=text(ACTIVE_APPOINTMENT),
        ),
        Index("ix_appointments_resident", "resident_id", "starts_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    police_area_id: Mapped[int] = mapped_column(ForeignKey("police_areas.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    topic: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(12), default="requested")
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # another time offered
    note: Mapped[str] = mapped_column(String(300), default="")  # the officer's word to the resident
    resident_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    officer_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    officer: Mapped[User] = relationship(foreign_keys=[officer_id])
    resident: Mapped[User] = relationship(foreign_keys=[resident_id])


class Rating(Model):
    """开门评警: a resident's 1-5 for a meeting that took place, once."""

    __tablename__ = "ratings"
    __table_args__ = (CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"), primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    stars: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
