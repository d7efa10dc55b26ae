"""Incidents and the dispatch offers made for them. Timers live here (deadlines in rows), so an
escalation survives a restart: a periodic sweep acts on whatever is due."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from volunteers.models import PoliceArea, User


class Incident(Model):
    """A 警情 on the console map; ``needed`` responders are wanted, offers go out in rounds."""

    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint("priority BETWEEN 1 AND 3", name="priority_known"),
        Index("ix_incidents_status_deadline", "status", "offer_deadline"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    priority: Mapped[int] = mapped_column(Integer, default=2)
    description: Mapped[str] = mapped_column(Text, default="")
    lat: Mapped[float]
    lon: Mapped[float]
    status: Mapped[str] = mapped_column(String(12), default="open")
    needed: Mapped[int] = mapped_column(Integer, default=1)
    roles: Mapped[str] = mapped_column(String(80), default="")  # comma-separated, empty = all
    radius_m: Mapped[int] = mapped_column(Integer, default=1000)
    batch: Mapped[int] = mapped_column(Integer, default=5)  # people asked per round
    offer_seconds: Mapped[int] = mapped_column(Integer, default=60)
    round: Mapped[int] = mapped_column(Integer, default=0)
    offer_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    exhausted: Mapped[bool] = mapped_column(default=False)  # rounds used up, nobody came
    sighting_id: Mapped[int | None] = mapped_column(Integer)  # seam: made from a sighting
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    police_area_id: Mapped[int] = mapped_column(ForeignKey("police_areas.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offers: Mapped[list[Offer]] = relationship(back_populates="incident", order_by="Offer.id")
    area: Mapped[PoliceArea] = relationship()
    widened: Mapped[list[WidenedArea]] = relationship(
        back_populates="incident", order_by="WidenedArea.widened_at"
    )

    @property
    def reach(self) -> frozenset[int]:
        """The areas whose people may be asked to go and whose consoles see it: its own and
        those a dispatcher widened it to."""
        return frozenset({self.police_area_id, *(w.police_area_id for w in self.widened)})

    @property
    def neighbours(self) -> list[PoliceArea]:
        """The other areas of its station it could still be widened to (never another
        station's)."""
        return [a for a in self.area.station.areas if a.id not in self.reach]


class WidenedArea(Model):
    """A neighbouring police area of the same station that a dispatcher chose, explicitly, to
    ask people from for this incident; its console then sees the incident too."""

    __tablename__ = "incident_widened_areas"
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    police_area_id: Mapped[int] = mapped_column(
        ForeignKey("police_areas.id"), primary_key=True, index=True
    )
    widened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    widened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    incident: Mapped[Incident] = relationship(back_populates="widened")
    area: Mapped[PoliceArea] = relationship()
    widened_by: Mapped[User] = relationship()


class Offer(Model):
    """One person asked to go: offered -> accepted | declined | expired | withdrawn;
    accepted -> en_route -> arrived -> done."""

    __tablename__ = "offers"
    __table_args__ = (
        UniqueConstraint("incident_id", "user_id", name="uq_offers_incident_user"),
        Index("ix_offers_user_status", "user_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(12), default="offered")
    round: Mapped[int] = mapped_column(Integer, default=1)
    distance_m: Mapped[float | None]
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    en_route_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    incident: Mapped[Incident] = relationship(back_populates="offers")
    person: Mapped[User] = relationship()


class LastPosition(Model):
    """The latest position an on-duty person shared, saved at most every few seconds
    (realtime.last_positions), so that a restarted server's live map and its first dispatch round
    find them before their phone shares again. Only while on duty: going off duty deletes it
    (DESIGN.md, "Privacy"). The role is the person's own, read at restore."""

    __tablename__ = "last_positions"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    lat: Mapped[float]
    lon: Mapped[float]
    accuracy_m: Mapped[float]
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
