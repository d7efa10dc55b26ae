"""What the patrol points import accepts and answers (app/edge.py): the datum the file's
coordinates are in, the confirmation's token, and the preview's problems."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel

from app.edge import Input, text
from checkins.point_import import Datum

LABELS: dict[str, Any] = {"datum": _l("Coordinates"), "token": _l("Upload")}


class PreviewForm(Input):
    """The upload's form beside its file: which datum the coordinates are in."""

    labels: ClassVar[dict[str, Any]] = LABELS
    datum: Datum = Datum.WGS84


class ConfirmBody(Input):
    """Import the file the preview checked (named by the preview's token), in its datum."""

    labels: ClassVar[dict[str, Any]] = LABELS
    token: Annotated[str, text(64, min_length=1)]
    datum: Datum = Datum.WGS84


class PointProblemOut(BaseModel):
    """One cell's problem: the spreadsheet's row number, the column, what is wrong."""

    line: int
    field: str
    code: str
    message: str


class PointPreviewOut(BaseModel):
    """The checked file: its rows, every problem, and the token to import it by when ready."""

    rows: int
    ready: bool
    token: str | None
    problems: list[PointProblemOut]


class PointsImportedOut(BaseModel):
    imported: int
