"""What the resident sign-up, appointment and rating endpoints accept (app/edge.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from flask_babel import lazy_gettext as _l
from pydantic import AwareDatetime, Field

from app.edge import Blank, Id, Input, OptionalId, text

LABELS: dict[str, Any] = {
    "name": _l("Your name"),
    "phone": _l("Mobile number"),
    "password": _l("Password"),
    "agree": _l("Agreement"),
    "officer_id": _l("Officer"),
    "officer": _l("Officer"),
    "starts_at": _l("Time"),
    "topic": _l("What it is about"),
    "action": _l("Decision"),
    "note": _l("Note to the resident"),
    "stars": _l("Stars"),
    "comment": _l("Comment"),
}


class ResidentBody(Input):
    labels: ClassVar[dict[str, Any]] = LABELS
    name: Annotated[str, text(60)]
    phone: Annotated[str, text(40)]
    password: Annotated[str, text(200)]
    agree: bool = False


class BookQuery(Input):
    labels: ClassVar[dict[str, Any]] = LABELS
    officer: OptionalId = None  # whose times the page shows (the first officer's by default)


class BookBody(Input):
    labels: ClassVar[dict[str, Any]] = LABELS
    officer_id: Id
    starts_at: AwareDatetime
    topic: Annotated[str, text(300)] = ""


class DecideBody(Input):
    labels: ClassVar[dict[str, Any]] = LABELS
    action: Literal["confirm", "decline", "propose", "done"]
    # The time proposed: with its offset, or (a form's date and time) the area's local time.
    starts_at: Annotated[datetime | None, Blank] = None
    note: Annotated[str, text(300)] = ""


class RateBody(Input):
    labels: ClassVar[dict[str, Any]] = LABELS
    stars: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, text(500)] = ""
