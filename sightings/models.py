"""Sightings people relay to the police room, their photos and voice notes, the officers'
questions about them, muted reporters and what a confirmed sighting pays, by category."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from volunteers.models import User


class Sighting(Model):
    """One report: what is happening first, then how it looks; under review until an officer
    confirms, dismisses, links it to an earlier one or raises an incident from it."""

    __tablename__ = "sightings"
    __table_args__ = (
        # The phone makes the id, so a report resent after a lost answer is stored once.
        UniqueConstraint("reporter_id", "client_id", name="uq_sightings_reporter_client"),
        Index("ix_sightings_area_status_created", "police_area_id", "status", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    police_area_id: Mapped[int] = mapped_column(ForeignKey("police_areas.id"))
    category: Mapped[str] = mapped_column(String(24))
    behaviour: Mapped[str] = mapped_column(Text)
    appearance: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    lat: Mapped[float]
    lon: Mapped[float]
    accuracy_m: Mapped[float | None]
    position_source: Mapped[str] = mapped_column(String(8), default="gps")  # gps | map
    name_hidden: Mapped[bool] = mapped_column(default=False)
    photos_expected: Mapped[int] = mapped_column(Integer, default=0)
    voice_expected: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="review")
    reason: Mapped[str] = mapped_column(Text, default="")  # why dismissed
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("sightings.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])
    media: Mapped[list[SightingMedia]] = relationship(
        back_populates="sighting", order_by="SightingMedia.id"
    )
    questions: Mapped[list[SightingQuestion]] = relationship(
        back_populates="sighting", order_by="SightingQuestion.id"
    )


class SightingMedia(Model):
    """A photo or a voice note, checked and re-encoded, kept under a server-made name outside
    ``static/`` and served only to the area's police and the reporter."""

    __tablename__ = "sighting_media"
    __table_args__ = (
        # The phone numbers its photos (0-2; the voice note 0), so an upload resent after a
        # lost answer is stored once.
        UniqueConstraint("sighting_id", "kind", "part", name="uq_sighting_media_part"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    sighting_id: Mapped[int] = mapped_column(ForeignKey("sightings.id"))
    kind: Mapped[str] = mapped_column(String(8))  # photo | voice
    part: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(40))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    thumb_name: Mapped[str | None] = mapped_column(String(80))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    duration_s: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sighting: Mapped[Sighting] = relationship(back_populates="media")


class SightingQuestion(Model):
    """An officer's question to the reporter, with answers to tap (``choices``)."""

    __tablename__ = "sighting_questions"
    id: Mapped[int] = mapped_column(primary_key=True)
    sighting_id: Mapped[int] = mapped_column(ForeignKey("sightings.id"), index=True)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sighting: Mapped[Sighting] = relationship(back_populates="questions")
    asked_by: Mapped[User] = relationship()


class MutedReporter(Model):
    """A person whose reports an area's officers no longer want in their queue."""

    __tablename__ = "muted_reporters"
    police_area_id: Mapped[int] = mapped_column(ForeignKey("police_areas.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    muted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    muted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SightingReward(Model):
    """What a confirmed sighting of a category pays in an area (一事一奖), set by its officers."""

    __tablename__ = "sighting_rewards"
    police_area_id: Mapped[int] = mapped_column(ForeignKey("police_areas.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(24), primary_key=True)
    points: Mapped[int] = mapped_column(Integer)
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
