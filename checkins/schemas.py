"""What the check-in endpoints accept and answer (app/edge.py): types and ranges at the edge;
the rules in checkins/rules.py decide the rest and keep their own refusal codes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import Annotated, Any, ClassVar, Literal

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, BeforeValidator, Field, field_validator

from app.edge import Blank, Id, Input, OptionalId, OptionalInt32, text

Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Metres = Annotated[float, Field(ge=0, le=100_000, allow_inf_nan=False)]


class CheckInBody(Input):
    """A poster scan as the phone sends it. A missing position is the rules' refusal
    (``location_missing``), since a phone without a fix is an honest, common case."""

    token: Annotated[str, text(512, min_length=1)]
    lat: Latitude | None = None
    lon: Longitude | None = None
    accuracy: Metres | None = None
    device_time: datetime | None = None  # ISO 8601, or epoch milliseconds from the page's clock
    client_id: Annotated[str, text(64)] | None = None
    # Set by the page only for an attempt it kept in its offline queue: then, and only then,
    # ``device_time`` may date the check-in (checkins/services.py).
    queued_offline: bool = False
    # Who was logged in when the page saved the attempt: on a shared duty phone, never sent
    # (and never counted) under someone else's login.
    person_id: Id | None = None

    @field_validator("device_time", mode="before")
    @classmethod
    def _epoch_milliseconds(cls, value: object) -> object:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        return value or None

    @field_validator("device_time")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=UTC) if value and value.tzinfo is None else value


class PointRef(BaseModel):
    id: int | None
    name: str | None


class Doubt(BaseModel):
    """One reason a scan is held, for machines (``code``) and in the reader's language."""

    code: str
    message: str


class CheckInAnswer(BaseModel):
    """The check-in's outcome: points paid (or held for an officer, with why), balance, streak
    and what is left today."""

    checkin_id: int
    status: Literal["valid", "held"] = "valid"
    point: PointRef
    points: int
    balance: int
    streak_days: int
    remaining_today: int
    replayed: bool
    new_badges: list[str]
    streak_bonus: int
    held: bool = False
    doubts: list[Doubt] = []
    appealed: bool = False
    appeal_url: str | None = None


class AppealBody(Input):
    """The person's appeal of a held check-in, with an optional short note."""

    note: Annotated[str, text(200)] | None = None
    labels: ClassVar[Mapping[str, Any]] = {"note": _l("Note")}


class DecisionBody(Input):
    """An officer's approval of a held check-in; the note is optional."""

    note: Annotated[str, text(200)] | None = None
    labels: ClassVar[Mapping[str, Any]] = {"note": _l("Note")}


class RejectBody(Input):
    """An officer's rejection of a held check-in: the reason is required (the person reads it)."""

    reason: Annotated[str, text(200, min_length=1)]
    labels: ClassVar[Mapping[str, Any]] = {"reason": _l("Reason")}


class HeldAnswer(BaseModel):
    """A held check-in as the person or the officer sees it after an appeal or a decision."""

    checkin_id: int
    status: Literal["held", "valid", "rejected"]
    appealed: bool
    points: int
    balance: int | None = None  # the person's balance after an approval
    paid: bool = False  # this approval paid the points (it does so once)


class PointBody(Input):
    """A patrol point's fields; those left out are not changed (checkins/points.py checks
    each range with its own message)."""

    name: Annotated[str, text(120)] | None = None
    lat: Annotated[Latitude | None, Blank] = None
    lon: Annotated[Longitude | None, Blank] = None
    radius_m: OptionalInt32 = None
    points: OptionalInt32 = None
    grid_id: OptionalId = None
    hotspot: bool | None = None
    active_from: Annotated[str, text(40)] | None = None  # ISO 8601, local if no zone
    active_until: Annotated[str, text(40)] | None = None
    allowed_roles: Annotated[list[Annotated[str, text(20)]], Field(max_length=10)] | None = None


def _comma_list(value: Any) -> Any:
    """A form's "3, 5，8" (either comma) as a list; a JSON list as it is."""
    if isinstance(value, str):
        return [part.strip() for part in value.replace("，", ",").split(",") if part.strip()]
    return value


IdList = Annotated[list[Id], BeforeValidator(_comma_list), Field(max_length=500)]


class RouteBody(Input):
    name: Annotated[str, text(120)]
    starts_at: time
    ends_at: time
    point_ids: IdList = []
    user_ids: IdList = []
    bonus_points: OptionalInt32 = None
