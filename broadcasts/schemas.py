"""What the broadcast endpoints accept (app/edge.py). What to look for and what to do may come
empty here: the service refuses them with their own message naming the field."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from flask_babel import lazy_gettext as _l
from pydantic import Field, StrictBool

from app.edge import Id, Input, OptionalId, text

Lat = Annotated[float, Field(ge=-85, le=85, allow_inf_nan=False)]
Lon = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Kind = Literal["missing_person", "fraud_warning", "weather", "road_closure", "other"]

LABELS: dict[str, Any] = {
    "kind": _l("Kind"),
    "title": _l("Title"),
    "look_for": _l("What to look for"),
    "what_to_do": _l("What to do"),
    "urgent": _l("Urgent"),
    "public": _l("Public"),
    "audience": _l("Who gets it"),
    "grid_ids": _l("Grids"),
    "center_lat": _l("Centre"),
    "center_lon": _l("Centre"),
    "stages": _l("Radius stages"),
    "police_area_id": _l("Police area"),
    "outcome": _l("Outcome"),
    "lat": _l("Position"),
    "lon": _l("Position"),
    "photo": _l("Photo"),
}


class Stage(Input):
    after_min: Annotated[int, Field(ge=0, le=24 * 60)]
    radius_m: Annotated[float | None, Field(ge=50, le=50_000, allow_inf_nan=False)] = None


class NewBroadcastBody(Input):
    labels: ClassVar[dict[str, Any]] = LABELS
    kind: Kind
    title: Annotated[str, text(120)] = ""
    look_for: Annotated[str, text(2000)] = ""
    what_to_do: Annotated[str, text(1000)] = ""
    urgent: StrictBool = False
    public: StrictBool = False  # also on the area's online police room page while open
    audience: Literal["on_duty", "everyone"] = "on_duty"
    grid_ids: Annotated[list[Id], Field(max_length=200)] | None = None
    center_lat: Lat | None = None
    center_lon: Lon | None = None
    stages: Annotated[list[Stage], Field(min_length=1, max_length=6)] = [Stage(after_min=0)]
    police_area_id: OptionalId = None
    photo: Annotated[str, text(80)] | None = None  # what /officer/broadcasts/photos answered


class CloseBody(Input):
    labels: ClassVar[dict[str, Any]] = LABELS
    outcome: Literal["found", "cancelled"]


class SeenBody(Input):
    labels: ClassVar[dict[str, Any]] = LABELS
    lat: Lat
    lon: Lon
    accuracy: Annotated[float, Field(ge=0, le=5000, allow_inf_nan=False)] | None = None
    note: Annotated[str, text(500)] = ""
