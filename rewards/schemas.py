"""What the rewards endpoints accept and answer (app/edge.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from app.edge import Id, Input, Int32, text

# A correction moves a balance by at most this much either way: a typo of three zeros is refused.
MAX_CORRECTION = 100_000


class OrderBody(Input):
    gift_id: Id
    client_key: text(64) = ""  # type: ignore[valid-type]


class CorrectionBody(Input):
    user_id: Id
    delta: Annotated[int, Field(ge=-MAX_CORRECTION, le=MAX_CORRECTION)]
    note: text(500) = ""  # type: ignore[valid-type]
    key: text(64) | None = None  # type: ignore[valid-type]


class DeskBody(Input):
    code: text(512)  # type: ignore[valid-type]  # the pickup code, or the scanned pickup URL


class LeaderboardQuery(Input):
    scope: Literal["grid", "team", "community", "area"] = "grid"
    period: Literal["week", "month", "all"] = "week"
    id: Id | None = None


class MyOrdersQuery(Input):
    placed: Id | None = None


class GiftBody(Input):
    """A gift's fields; those left out are not changed (the catalog checks each range)."""

    name: text(120) | None = None  # type: ignore[valid-type]
    description: text(4000) | None = None  # type: ignore[valid-type]
    price: Int32 | None = None
    stock: Int32 | None = None
    per_person_limit: Int32 | None = None
    pickup_place: text(200) | None = None  # type: ignore[valid-type]
    active_from: text(40) | None = None  # type: ignore[valid-type]  # ISO 8601, local if no zone
    active_until: text(40) | None = None  # type: ignore[valid-type]
    retired: bool | None = None
