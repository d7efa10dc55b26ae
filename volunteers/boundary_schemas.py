"""What the boundary endpoints accept and answer (app/edge.py): the page's area, the import's
preview and confirmation, and a boundary drawn on the map."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel

from app.edge import Id, Input, OptionalId, text
from volunteers.boundary_import import CODE_LENGTH, NAME_LENGTH

LABELS: dict[str, Any] = {
    "area_id": _l("Police area"),
    "datum": _l("Coordinate system"),
    "token": _l("Upload"),
    "geometry": _l("Boundary"),
    "code": _l("Grid code"),
    "name": _l("Name"),
}

Datum = Literal["wgs84", "gcj02"]


class AreaQuery(Input):
    """Which of the officer's police areas the page shows (the first when not given)."""

    labels: ClassVar[dict[str, Any]] = LABELS
    area_id: OptionalId = None


class PreviewForm(Input):
    """The upload's companions: the area it is for and the datum its coordinates are in."""

    labels: ClassVar[dict[str, Any]] = LABELS
    area_id: Id
    datum: Datum


class ConfirmBody(PreviewForm):
    """Import the file the preview checked (named by the preview's token)."""

    token: Annotated[str, text(64, min_length=1)]


class BoundaryBody(Input):
    """A boundary drawn on the map: a GeoJSON Polygon or MultiPolygon in WGS-84."""

    labels: ClassVar[dict[str, Any]] = LABELS
    geometry: dict[str, Any]


class NewGridBody(BoundaryBody):
    """A new grid of a community, with its code, name and boundary."""

    code: Annotated[str, text(CODE_LENGTH, min_length=1)]
    name: Annotated[str, text(NAME_LENGTH, min_length=1)]


class BoundaryProblemOut(BaseModel):
    """One bad feature: its number in the file (from 1), its name, what is wrong."""

    index: int
    name: str
    code: str
    message: str


class BoundaryPreviewOut(BaseModel):
    """The checked file: its features, every bad one, a warning, the token to import it by."""

    features: int
    ready: bool
    token: str | None
    problems: list[BoundaryProblemOut]
    warning: str | None


class BoundaryImportedOut(BaseModel):
    imported: int


class BoundarySavedOut(BaseModel):
    """The community or grid whose boundary was saved."""

    kind: str
    id: int
    name: str
