"""What the people-in-bulk endpoints accept and answer (app/edge.py): the list's query, the
import's confirmation, the first-login sheet's choice and the set-your-password form."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field

from app.edge import Blank, Input, OptionalId, text

LABELS: dict[str, Any] = {
    "q": _l("Search"),
    "role": _l("Role"),
    "grid_id": _l("Grid"),
    "team_id": _l("Team"),
    "status": _l("Status"),
    "page": _l("Page"),
    "token": _l("Upload"),
    "password": _l("New password"),
    "password_again": _l("New password again"),
}

Role = Literal["", "volunteer", "guard", "grid_worker", "officer", "dispatcher", "admin"]
Status = Literal["", "active", "on_duty", "awaiting", "disabled"]


class PeopleQuery(Input):
    """The people list's search: text (name, pinyin or initials, number) and filters."""

    labels: ClassVar[dict[str, Any]] = LABELS
    q: Annotated[str, text(60)] = ""
    role: Role = ""
    grid_id: OptionalId = None
    team_id: OptionalId = None
    status: Status = ""
    page: Annotated[int | None, Field(ge=1, le=100_000), Blank] = None


class ImportBody(Input):
    """Import the file the preview checked (named by the preview's token)."""

    labels: ClassVar[dict[str, Any]] = LABELS
    token: Annotated[str, text(64, min_length=1)]


class SheetBody(Input):
    """Print the first-login sheet for everyone still to choose a password (or one grid's)."""

    labels: ClassVar[dict[str, Any]] = LABELS
    grid_id: OptionalId = None


class FirstLoginBody(Input):
    labels: ClassVar[dict[str, Any]] = LABELS
    password: Annotated[str, text(200)]
    password_again: Annotated[str, text(200)]


class RosterProblemOut(BaseModel):
    """One cell's problem: the spreadsheet's row number, the column, what is wrong."""

    line: int
    field: str
    code: str
    message: str


class RosterPreviewOut(BaseModel):
    """The checked file: its rows, every problem, and the token to import it by when ready."""

    rows: int
    ready: bool
    token: str | None
    problems: list[RosterProblemOut]


class RosterImportedOut(BaseModel):
    """How many people were imported, and where to print their first-login sheet."""

    imported: int
    sheet_url: str
