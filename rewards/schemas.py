"""What the rewards endpoints accept and answer (app/edge.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from app.edge import Id, Input, Int32, text

# A correction moves a balance by at most this much either way: a typo of three zeros is refused.
MAX_CORRECTION = 100_000


class OrderBody(Input):
    gift_id: Id
    client_key: Annotated[str, text(64)] = ""


class CorrectionBody(Input):
    user_id: Id
    delta: Annotated[int, Field(ge=-MAX_CORRECTION, le=MAX_CORRECTION)]
    note: Annotated[str, text(500)] = ""
    key: Annotated[str, text(64)] | None = None


class DeskBody(Input):
    code: Annotated[str, text(512)]  # the pickup code, or the scanned pickup URL


class LeaderboardQuery(Input):
    scope: Literal["grid", "team", "community", "area"] = "grid"
    period: Literal["week", "month", "all"] = "week"
    id: Id | None = None


class MyOrdersQuery(Input):
    placed: Id | None = None


class GiftBody(Input):
    """A gift's fields; those left out are not changed (the catalog checks each range)."""

    name: Annotated[str, text(120)] | None = None
    description: Annotated[str, text(4000)] | None = None
    price: Int32 | None = None
    stock: Int32 | None = None
    per_person_limit: Int32 | None = None
    pickup_place: Annotated[str, text(200)] | None = None
    active_from: Annotated[str, text(40)] | None = None  # ISO 8601, local if no zone
    active_until: Annotated[str, text(40)] | None = None
    retired: bool | None = None
