"""What the tip box's endpoints accept and answer (app/edge.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel

from app.edge import Input, text


class TipBody(Input):
    """A resident's tip: what they saw or know, and how to reach them if they wish."""

    labels: ClassVar = {"text": _l("Your tip"), "contact": _l("How to reach you")}
    text: Annotated[str, text(1000, min_length=5)]
    contact: Annotated[str, text(60)] = ""


class CodeQuery(Input):
    labels: ClassVar = {"code": _l("Tip code")}
    code: Annotated[str, text(30)] = ""


class ReplyBody(Input):
    labels: ClassVar = {"reply": _l("Reply")}
    reply: Annotated[str, text(1000, min_length=2)]


class ComplexBody(Input):
    labels: ClassVar = {"complex": _l("Complex")}
    complex: bool = False


class TipSent(BaseModel):
    code: str  # as people copy it, K7QM-9XR-2TW
    url: str  # where the reply will be read


class TipStatus(BaseModel):
    code: str
    status: str
    created_at: datetime
    reply: str | None
    replied_at: datetime | None


class OfficerTip(BaseModel):
    id: int
    text: str
    contact: str
    status: str
    complex: bool
    reply: str | None
    created_at: datetime
    due_at: datetime
    overdue: bool


class OfficerTips(BaseModel):
    tips: list[OfficerTip]
