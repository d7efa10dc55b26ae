"""What each Socket.IO event accepts (app/edge.py): a text where a number goes, an id past the
column's range or a missing field is an ``error`` event naming the field, before any service runs.
Ranges with their own messages (positions, priority, people needed) stay in the services."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool

from app.edge import Id, Input, Int32, OptionalId, text

Finite = Annotated[float, Field(allow_inf_nan=False)]
Roles = Annotated[list[Annotated[str, text(20)]], Field(max_length=10)]


class SetDutyEvent(Input):
    on_duty: StrictBool
    share_location: StrictBool | None = None


class PositionEvent(Input):
    lat: Finite
    lon: Finite
    accuracy: Finite = 0.0


class AnswerOfferEvent(Input):
    offer_id: Id
    accept: StrictBool


class ProgressEvent(Input):
    offer_id: Id
    status: Annotated[str, text(20)]


class CreateIncidentEvent(Input):
    kind: Annotated[str, text(40)]
    priority: Int32 = 2
    description: Annotated[str, text(2000)] = ""
    lat: Finite
    lon: Finite
    needed: Int32 = 1
    roles: Roles | None = None
    police_area_id: OptionalId = None  # a station's dispatcher names the area


class FindNearestEvent(Input):
    incident_id: Id
    roles: Roles | None = None
    radius_m: Finite | None = None
    limit: Annotated[int, Field(ge=1, le=50)] = 10


class SendOffersEvent(Input):
    incident_id: Id
    user_ids: Annotated[list[Id], Field(min_length=1, max_length=200)]


class IncidentEvent(Input):
    incident_id: Id


class WidenEvent(Input):
    incident_id: Id
    police_area_id: Id
