"""Patrol points in bulk: checking a spreadsheet of points against the officer's police areas
(the preview) and importing it all or nothing.

The preview names every row's problems at once (row, column, reason), so an officer fixes the
spreadsheet in one go; the import checks again inside its unit of work, since points or grids
may have changed meanwhile, and writes nothing unless every row is good. Grids are found only
in the officer's own areas: another area's grid code is as unknown as one that does not exist.
Positions are stored in WGS-84; a file in GCJ-02 (read off a Chinese map) is converted here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import spreadsheet
from app.errors import DomainError, Invalid
from app.geodatum import gcj02_to_wgs84
from app.spreadsheet import Preview, Problem
from app.uow import UnitOfWork
from checkins import points
from checkins.models import PatrolPoint
from volunteers.areas import Areas, areas_of
from volunteers.models import Community, Grid
from volunteers.person import Person

MAX_BYTES = 1024 * 1024  # 2,000 rows of a point's seven columns are about 150 KB
MAX_ROWS = 2000
NAME_LENGTH = 120  # the column's

# The template's headers, Chinese with English in brackets; either half alone is read too.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("name", "名称", "name"),
    ("lat", "纬度", "latitude"),
    ("lon", "经度", "longitude"),
    ("grid", "网格编号", "grid code"),
    ("radius_m", "半径（米）", "radius m"),
    ("points", "积分", "points"),
    ("hotspot", "重点", "hotspot"),
)
TEMPLATE_HEADERS = tuple(f"{zh} ({en})" for _field, zh, en in COLUMNS)
TEMPLATE_EXAMPLE = ("菜市场入口", 33.3801, 120.1602, "G01", 50, 10, "否")
_ALIASES = {
    "name": ("点位", "点位名称", "巡逻点", "名字", "pointname"),
    "lat": ("lat",),
    "lon": ("lng", "lon", "long"),
    "grid": ("网格", "网格代码", "grid", "gridcode"),
    "radius_m": ("半径", "半径(米)", "半径(m)", "radius", "radius(m)", "radiusm"),
    "points": ("分值", "积分值"),
    "hotspot": ("热点", "重点巡逻点"),
}
HEADERS: dict[str, str] = {
    spreadsheet.header_key(text): name
    for name, zh, en in COLUMNS
    for text in (zh, en, f"{zh} ({en})", *_ALIASES[name])
}
LAYOUT = spreadsheet.Layout(
    kind="point_file",
    headers=HEADERS,
    required=("name", "lat", "lon", "grid"),
    header_help="名称, 纬度, 经度, 网格编号 (name, latitude, longitude, grid code)",
    max_bytes=MAX_BYTES,
    max_rows=MAX_ROWS,
    too_many_rows=_l("The file has more than %(n)s points. Split it into smaller files."),
    no_rows=_l("The file has no points in it."),
)
YES = frozenset({"是", "有", "重点", "热点", "yes", "y", "true", "1", "√", "✓"})
NO = frozenset({"", "否", "无", "不是", "no", "n", "false", "0"})


class Datum(StrEnum):
    """The coordinates' datum, as the officer declares it: GPS (WGS-84) or a Chinese map's."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"


@dataclass
class CheckedPoint:
    """A row as it will be stored (WGS-84), or with what stops it; ``cells`` as the file has
    them, for the preview."""

    line: int
    cells: dict[str, str]
    name: str = ""
    lat: float | None = None
    lon: float | None = None
    grid_id: int | None = None
    radius_m: int | None = None  # None: a new point's default
    points: int | None = None
    hotspot: bool = False
    problems: list[Problem] = field(default_factory=list)

    def fails(self, column: str, error: DomainError) -> None:
        self.problems.append(Problem(self.line, column, error.code, error.text()))


def read_points(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The file's rows, or ``Invalid`` about the file as a whole (size, rows, merged cells,
    not a spreadsheet, missing columns)."""
    return spreadsheet.read_table(data, LAYOUT)


def check_points(
    session: Session, areas: Areas, rows: Sequence[tuple[int, dict[str, str]]], datum: Datum
) -> Preview[CheckedPoint]:
    """Every row checked: name, position, grid (code or name, in ``areas`` only), radius,
    points and hotspot; a name twice in one grid, in the file or among its points in use."""
    grids = _grids(session, areas)
    checked = [_check_row(line, cells, grids, datum) for line, cells in rows]
    first_line: dict[tuple[int, str], int] = {}
    for item in checked:
        if item.grid_id is None or not item.name:
            continue
        key = (item.grid_id, item.name.casefold())
        if key in first_line:
            item.fails(
                "name",
                Invalid(
                    "point_name_twice",
                    _l("The same name as row %(line)s, in the same grid."),
                    line=first_line[key],
                ),
            )
        else:
            first_line[key] = item.line
    taken = _names_in_use(session, {grid_id for grid_id, _name in first_line})
    for item in checked:
        if item.grid_id is not None and (item.grid_id, item.name.casefold()) in taken:
            item.fails(
                "name",
                Invalid("point_name_taken", _l("This grid already has a point with this name.")),
            )
    return Preview(checked)


def _grids(session: Session, areas: Areas) -> dict[str, set[int]]:
    """The grids of ``areas`` by code and by name (lower case, no spaces): a code can repeat
    across communities, so a key may name several grids."""
    found: dict[str, set[int]] = {}
    rows = session.execute(
        select(Grid.id, Grid.code, Grid.name)
        .join(Community, Community.id == Grid.community_id)
        .where(areas.where(Community.police_area_id))
    )
    by_name: dict[str, set[int]] = {}
    for grid_id, code, name in rows:
        found.setdefault(_key(code), set()).add(grid_id)
        by_name.setdefault(_key(name), set()).add(grid_id)
    return {**by_name, **found}  # a code wins over another grid's equal name


def _names_in_use(session: Session, grid_ids: set[int]) -> set[tuple[int, str]]:
    if not grid_ids:
        return set()
    rows = session.execute(
        select(PatrolPoint.grid_id, PatrolPoint.name).where(
            PatrolPoint.grid_id.in_(sorted(grid_ids)), PatrolPoint.retired_at.is_(None)
        )
    )
    return {(grid_id, name.casefold()) for grid_id, name in rows}


def _key(text: str) -> str:
    return "".join(text.lower().split())


def _check_row(
    line: int, cells: dict[str, str], grids: dict[str, set[int]], datum: Datum
) -> CheckedPoint:
    item = CheckedPoint(line, cells)
    item.name = " ".join(cells.get("name", "").split())
    if not 1 <= len(item.name) <= NAME_LENGTH:
        item.fails(
            "name",
            Invalid(
                "point_name_missing", _l("Please give the point a name (at most 120 characters).")
            ),
        )
    lat = _number(item, "lat", -90, 90, required=True)
    lon = _number(item, "lon", -180, 180, required=True)
    if lat is not None and lon is not None:
        item.lat, item.lon = gcj02_to_wgs84(lat, lon) if datum == Datum.GCJ02 else (lat, lon)
    matches = grids.get(_key(cells.get("grid", "")), set())
    if len(matches) == 1:
        (item.grid_id,) = matches
    elif not cells.get("grid"):
        item.fails("grid", Invalid("grid_missing", _l("Give the grid's code.")))
    elif matches:
        item.fails(
            "grid",
            Invalid("grid_ambiguous", _l("Several of your grids have this code or name.")),
        )
    else:
        item.fails("grid", Invalid("grid_unknown", _l("No such grid in your police areas.")))
    radius = _number(item, "radius_m", points.MIN_RADIUS_M, points.MAX_RADIUS_M, whole=True)
    item.radius_m = int(radius) if radius is not None else None
    value = _number(item, "points", 1, points.MAX_POINTS, whole=True)
    item.points = int(value) if value is not None else None
    hotspot = _key(cells.get("hotspot", ""))
    if hotspot in YES or hotspot in NO:
        item.hotspot = hotspot in YES
    else:
        item.fails("hotspot", Invalid("hotspot_unclear", _l("Write 是 or 否 (yes or no).")))
    return item


_MISSING: dict[str, Any] = {
    "lat": _l("The latitude is missing."),
    "lon": _l("The longitude is missing."),
}
_NOT_A_NUMBER: dict[str, Any] = {
    "lat": _l("The latitude is not a number."),
    "lon": _l("The longitude is not a number."),
    "radius_m": _l("The radius is not a whole number of metres."),
    "points": _l("The points are not a whole number."),
}
_OUT_OF_RANGE: dict[str, Any] = {
    "lat": _l("The latitude must be between %(low)s and %(high)s."),
    "lon": _l("The longitude must be between %(low)s and %(high)s."),
    "radius_m": _l("The radius must be between %(low)d and %(high)d metres."),
    "points": _l("A check-in can pay between %(low)d and %(high)d points."),
}


def _number(
    item: CheckedPoint,
    column: str,
    low: float,
    high: float,
    *,
    required: bool = False,
    whole: bool = False,
) -> float | None:
    """The cell as a number within [low, high]; a problem (and None) if it is not one. An empty
    optional cell is None: the default applies."""
    text = item.cells.get(column, "")
    if not text:
        if required:
            item.fails(column, Invalid(f"{column}_missing", _MISSING[column]))
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or (whole and not value.is_integer()):
        item.fails(column, Invalid(f"{column}_not_a_number", _NOT_A_NUMBER[column]))
        return None
    if not low <= value <= high:
        item.fails(column, Invalid(f"{column}_range", _OUT_OF_RANGE[column], low=low, high=high))
        return None
    return value


def import_points(
    uow: UnitOfWork, actor: Person, rows: Sequence[tuple[int, dict[str, str]]], datum: Datum
) -> list[PatrolPoint]:
    """Create every point in ``rows`` in the grids of ``actor``'s areas, or none: any problem
    (found again here, since the preview) refuses the whole file.

    The check above applies the point editor's rules (checkins/points.py's ranges, the walls),
    so the points are added in one flush: one by one through ``create_point`` took 6,000
    queries and 25 s for 2,000 points. An empty radius or points value takes the column's
    default, as a point placed on the map does."""
    preview = check_points(uow.session, areas_of(uow.session, actor), rows, datum)
    if not preview.ready:
        raise Invalid(
            "point_file_has_problems",
            _l("%(n)s rows have problems. Nothing was imported; fix them and upload again."),
            n=len({p.line for p in preview.problems}),
        )
    created = [_new_point(item) for item in preview.rows]
    uow.session.add_all(created)
    uow.session.flush()
    return created


def _new_point(item: CheckedPoint) -> PatrolPoint:
    optional = {"radius_m": item.radius_m, "points": item.points}
    return PatrolPoint(
        name=item.name,
        lat=item.lat,
        lon=item.lon,
        grid_id=item.grid_id,
        hotspot=item.hotspot,
        **{column: value for column, value in optional.items() if value is not None},
    )
