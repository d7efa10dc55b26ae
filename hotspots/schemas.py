"""What the hotspot endpoints accept and answer (app/edge.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel

from app.edge import Input


class AcceptBody(Input):
    """Accept a proposal; the point stays until ``ends_on`` (the proposal's own end date if
    not given)."""

    labels: ClassVar[dict[str, Any]] = {"ends_on": _l("End date")}
    ends_on: date | None = None


# Answers


class RunOut(BaseModel):
    id: int
    ran_at: datetime
    ran_at_text: str
    events: int
    chosen: str
    chosen_label: str
    scores: dict[str, float]


class ProposalOut(BaseModel):
    id: int
    lat: float
    lon: float
    radius_m: int
    events: int
    stop_minutes: int
    ends_on: date
    status: str
    status_label: str
    point_id: int | None
    poster_url: str | None


class Hotspots(BaseModel):
    run: RunOut | None
    heat: list[list[float]]
    proposals: list[ProposalOut]


class Queued(BaseModel):
    queued: bool


class Decided(BaseModel):
    proposal: ProposalOut
