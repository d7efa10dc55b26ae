"""Setting community and grid boundaries, drawn on the map or imported from a file.

Both paths check the area as it would be after the change with ``boundaries.check_outlines``
(the saved boundaries they do not replace give the context), so a drawn grid and an imported
one obey the same rules. An import is checked whole first and written whole or not at all.
Everything is walled to the caller's police areas: another area's community, grid or area is
404, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Invalid, NotFound
from app.uow import UnitOfWork
from volunteers.areas import NOT_HERE, areas_of
from volunteers.boundaries import (
    COMMUNITY,
    GRID,
    BadShape,
    Finding,
    Outline,
    Problem,
    as_geojson,
    check_outlines,
    geometry_from_geojson,
    shape_problem,
)
from volunteers.boundary_import import FileFeature, datum_warning
from volunteers.models import Community, Grid, PoliceArea
from volunteers.person import Person


@dataclass(frozen=True)
class ImportCheck:
    """A checked file: every bad feature with its reasons, and a warning worth a second look."""

    features: list[FileFeature]
    problems: list[tuple[FileFeature, Problem]]
    warning: Problem | None

    @property
    def ready(self) -> bool:
        return not self.problems


def _invalid(problem: Problem) -> Invalid:
    return Invalid(problem.code, problem.message, **problem.params)


def _saved_shape(boundary: Any) -> BaseGeometry | None:
    """A saved boundary as a shape; one that is not a valid polygon gives no context."""
    if not boundary:
        return None
    try:
        geometry = geometry_from_geojson(boundary)
    except BadShape:
        return None
    return geometry if geometry.is_valid else None


def _area_rows(session: Session, area_id: int) -> tuple[list[Community], list[Grid]]:
    communities = list(
        session.scalars(
            select(Community).where(Community.police_area_id == area_id).order_by(Community.id)
        )
    )
    grids = list(
        session.scalars(
            select(Grid)
            .join(Community, Community.id == Grid.community_id)
            .where(Community.police_area_id == area_id)
            .order_by(Grid.id)
        )
    )
    return communities, grids


def _saved_outlines(
    communities: Sequence[Community], grids: Sequence[Grid], skip: set[tuple[str, str, str]]
) -> list[Outline]:
    """The area's saved boundaries but those in ``skip`` ((kind, community, code) keys)."""
    names = {c.id: c.name for c in communities}
    outlines = []
    for c in communities:
        shape = _saved_shape(c.boundary)
        if shape is not None and (COMMUNITY, c.name, "") not in skip:
            outlines.append(Outline(COMMUNITY, c.name, c.name, shape, new=False))
    for g in grids:
        shape = _saved_shape(g.boundary)
        if shape is not None and (GRID, names[g.community_id], g.code) not in skip:
            outlines.append(Outline(GRID, g.name, names[g.community_id], shape, new=False))
    return outlines


def _key(feature: FileFeature) -> tuple[str, str, str]:
    return (feature.kind, feature.community, feature.code if feature.kind == GRID else "")


def _feature_problems(
    features: Sequence[FileFeature], community_names: set[str]
) -> dict[int, list[Problem]]:
    """Each feature's problems on its own: its file problem, its shape, a repeat, no community."""
    found: dict[int, list[Problem]] = {}
    first: dict[tuple[str, str, str], int] = {}
    # A grid of a community the file gives is not told "no such community" when that
    # community's own feature is bad: that feature's problem is reported already.
    in_file = {f.name for f in features if f.kind == COMMUNITY}
    for f in features:
        problem = f.problem or (shape_problem(f.geometry) if f.geometry is not None else None)
        if problem is None and _key(f) in first:
            problem = Problem(
                "boundary_repeated",
                _l("The same %(what)s is given twice (also feature %(other)s)."),
                {"what": f.code or f.name, "other": first[_key(f)]},
            )
        if problem is None and f.kind == GRID and f.community not in community_names | in_file:
            problem = Problem(
                "boundary_community_unknown",
                _l("There is no community %(name)s in this area or in the file."),
                {"name": f.community},
            )
        first.setdefault(_key(f), f.index)
        if problem is not None:
            found[f.index] = [problem]
    return found


def check_import(
    session: Session,
    person: Person,
    area_id: int,
    features: Sequence[FileFeature],
    points: Sequence[tuple[float, float]],
    declared: str,
) -> ImportCheck:
    """Check a file's features against each other and the area's saved boundaries; ``points``
    are the area's patrol points (lat, lon) for the datum warning. Nothing is written."""
    areas_of(session, person).check(area_id)
    if session.get(PoliceArea, area_id) is None:
        raise NotFound("not_found", NOT_HERE)
    communities, grids = _area_rows(session, area_id)
    found = _feature_problems(features, {c.name for c in communities})
    good = [f for f in features if f.index not in found and f.geometry is not None]
    new = [
        Outline(f.kind, f.name, f.community, f.geometry, new=True, ref=f.index)
        for f in good
        if f.geometry is not None
    ]
    saved = _saved_outlines(communities, grids, {_key(f) for f in good})
    for finding in check_outlines([*saved, *new]):
        found.setdefault(finding.outline.ref, []).append(finding.problem)
    problems = [(f, p) for f in features for p in found.get(f.index, [])]
    warning = datum_warning([o.geometry for o in new], declared, points)
    return ImportCheck(list(features), problems, warning)


def import_boundaries(
    uow: UnitOfWork,
    person: Person,
    area_id: int,
    features: Sequence[FileFeature],
    declared: str,
) -> int:
    """Write every feature's boundary (creating communities and grids the area lacks), after
    checking again: the area may have changed since the preview. All or nothing."""
    session = uow.session
    checked = check_import(session, person, area_id, features, (), declared)
    if not checked.ready:
        feature, problem = checked.problems[0]
        raise Invalid(
            "boundary_import_refused",
            _l("Feature %(index)s (%(name)s): %(reason)s"),
            index=feature.index,
            name=feature.name,
            reason=problem.text(),
        )
    communities = {c.name: c for c in reversed(_area_rows(session, area_id)[0])}
    for f in features:
        if f.kind == COMMUNITY and f.geometry is not None:
            community = communities.get(f.name) or Community(police_area_id=area_id, name=f.name)
            community.boundary = as_geojson(f.geometry)
            session.add(community)
            communities[f.name] = community
    session.flush()
    for f in features:
        if f.kind == GRID and f.geometry is not None:
            community = communities[f.community]
            grid = session.scalar(
                select(Grid).where(Grid.community_id == community.id, Grid.code == f.code)
            ) or Grid(community_id=community.id, code=f.code)
            grid.name = f.name
            grid.boundary = as_geojson(f.geometry)
            session.add(grid)
    session.flush()
    return len(features)


def _drawn_shape(geojson: Any) -> BaseGeometry:
    try:
        geometry = geometry_from_geojson(geojson)
    except BadShape as bad:
        raise _invalid(bad.problem) from None
    problem = shape_problem(geometry)
    if problem is not None:
        raise _invalid(problem)
    return geometry


def _refuse(findings: list[Finding]) -> None:
    if findings:
        raise _invalid(findings[0].problem)


def _community(session: Session, person: Person, community_id: int) -> Community:
    community = session.get(Community, community_id)
    if community is None:
        raise NotFound("not_found", NOT_HERE)
    areas_of(session, person).check(community.police_area_id)
    return community


def save_community(uow: UnitOfWork, person: Person, community_id: int, geojson: Any) -> Community:
    """Set a community's boundary as drawn: valid, sane, overlapping no other community of the
    area and leaving none of its grids outside."""
    community = _community(uow.session, person, community_id)
    geometry = _drawn_shape(geojson)
    communities, grids = _area_rows(uow.session, community.police_area_id)
    saved = _saved_outlines(communities, grids, {(COMMUNITY, community.name, "")})
    drawn = Outline(COMMUNITY, community.name, community.name, geometry, new=True)
    _refuse(check_outlines([*saved, drawn]))
    community.boundary = as_geojson(geometry)
    uow.session.flush()
    return community


def save_grid(uow: UnitOfWork, person: Person, grid_id: int, geojson: Any) -> Grid:
    """Set a grid's boundary as drawn: inside its community, overlapping none of its others."""
    grid = uow.session.get(Grid, grid_id)
    if grid is None:
        raise NotFound("not_found", NOT_HERE)
    community = _community(uow.session, person, grid.community_id)
    _place_grid(uow, community, grid, geojson)
    return grid


def add_grid(
    uow: UnitOfWork, person: Person, community_id: int, code: str, name: str, geojson: Any
) -> Grid:
    """A new grid of a community with its boundary as drawn; its code must be new there."""
    community = _community(uow.session, person, community_id)
    taken = uow.session.scalar(
        select(Grid.id).where(Grid.community_id == community.id, Grid.code == code)
    )
    if taken is not None:
        raise Invalid(
            "grid_code_taken",
            _l("This community already has a grid %(grid)s."),
            grid=code,
        )
    grid = Grid(community_id=community.id, code=code, name=name)
    _place_grid(uow, community, grid, geojson)
    return grid


def _place_grid(uow: UnitOfWork, community: Community, grid: Grid, geojson: Any) -> None:
    geometry = _drawn_shape(geojson)
    communities, grids = _area_rows(uow.session, community.police_area_id)
    saved = _saved_outlines(communities, grids, {(GRID, community.name, grid.code)})
    drawn = Outline(GRID, grid.name, community.name, geometry, new=True)
    _refuse(check_outlines([*saved, drawn]))
    grid.boundary = as_geojson(geometry)
    uow.session.add(grid)
    uow.session.flush()
