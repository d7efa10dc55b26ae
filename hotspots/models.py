"""Hotspot runs (which method won, by how much) and the temporary patrol points they propose."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.types import UTCDateTime, utcnow


class HotspotRun(Model):
    """One analysis of an area: the methods compared by forecast accuracy (PAI) and the one
    chosen, with the density grid the heat layer draws."""

    __tablename__ = "hotspot_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    police_area_id: Mapped[int] = mapped_column(ForeignKey("police_areas.id"), index=True)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    events: Mapped[int] = mapped_column(Integer, default=0)
    chosen: Mapped[str] = mapped_column(String(20))
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # method -> PAI
    heat: Mapped[list[list[float]]] = mapped_column(JSON, default=list)  # [lat, lon, weight]


class HotspotProposal(Model):
    """A temporary patrol point a hotspot proposes: proposed -> accepted (the point made) |
    dismissed | expired."""

    __tablename__ = "hotspot_proposals"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("hotspot_runs.id"), index=True)
    police_area_id: Mapped[int] = mapped_column(ForeignKey("police_areas.id"), index=True)
    lat: Mapped[float]
    lon: Mapped[float]
    radius_m: Mapped[int] = mapped_column(Integer)
    events: Mapped[int] = mapped_column(Integer)  # events inside it in the fitted weeks
    stop_minutes: Mapped[int] = mapped_column(Integer, default=15)  # the Koper curve's 10-15
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    point_id: Mapped[int | None] = mapped_column(ForeignKey("patrol_points.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
