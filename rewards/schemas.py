"""What the rewards endpoints accept and answer (app/edge.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field

from app.edge import Id, Input, Int32, text

# A correction moves a balance by at most this much either way: a typo of three zeros is refused.
MAX_CORRECTION = 100_000
# A correction's reason, and a rejection's: trimmed, at least this long ("重复计分", "typo").
MIN_REASON = 4
REASON_LABELS: dict[str, Any] = {"note": _l("Reason"), "reason": _l("Reason")}
Reason = Annotated[str, text(500, min_length=MIN_REASON)]


class OrderBody(Input):
    gift_id: Id
    client_key: Annotated[str, text(64)] = ""


class CorrectionBody(Input):
    """A points correction: whose, how many (negative takes points away), and why."""

    labels: ClassVar[dict[str, Any]] = REASON_LABELS
    user_id: Id
    delta: Annotated[int, Field(ge=-MAX_CORRECTION, le=MAX_CORRECTION)]
    note: Reason
    key: Annotated[str, text(64)] | None = None


class CorrectionForm(Input):
    """The officers' page's form: the person by their mobile number, as the desk knows them."""

    labels: ClassVar[dict[str, Any]] = {
        "phone": _l("Mobile number"),
        "delta": _l("Points"),
        "note": _l("Reason"),
    }
    phone: Annotated[str, text(20, min_length=1)]
    delta: Annotated[int, Field(ge=-MAX_CORRECTION, le=MAX_CORRECTION)]
    note: Reason
    key: Annotated[str, text(64, min_length=1)]


class ApproveBody(Input):
    """A second officer's approval of a pending correction (nothing more to say)."""


class RejectBody(Input):
    """A second officer's rejection of a pending correction, with the reason."""

    labels: ClassVar[dict[str, Any]] = REASON_LABELS
    reason: Reason


class CorrectionOut(BaseModel):
    """A correction as the audit list shows it."""

    id: int
    user_id: int
    person: str
    delta: int
    reason: str
    status: Literal["pending", "applied", "approved", "rejected"]
    requested_by_id: int
    requested_by: str
    created_at: datetime
    decided_by_id: int | None
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    ledger_entry_id: int | None


class CorrectionAnswer(BaseModel):
    """The correction, and the person's balance after it (unchanged while it is pending)."""

    correction: CorrectionOut
    balance: int
    replayed: bool = False


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


class NewGiftBody(GiftBody):
    """A new gift; an officer of several police areas (a station's) names the gift's area."""

    labels: ClassVar[dict[str, Any]] = {"police_area_id": _l("Police area")}
    police_area_id: Id | None = None
