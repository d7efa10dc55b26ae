"""People in bulk: checking a roster against the community (the preview) and importing it all
or nothing.

The preview names every row's problems at once, so an officer fixes the spreadsheet in one go;
the import checks again inside its unit of work and writes nothing unless every row is good.
Imported people have no password: each gets a first-login code (volunteers/first_login.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import Conflict, DomainError, Invalid
from app.roles import FIELD_ROLES, Role
from app.spreadsheet import Preview, Problem
from app.uow import UnitOfWork
from volunteers import rules
from volunteers.first_login import NO_PASSWORD
from volunteers.models import Grid, Team, User
from volunteers.person import Person
from volunteers.roster_file import RosterRow

# How a roster may write a role: the stored value, and the labels people use.
ROLE_NAMES: dict[str, Role] = {
    **{role.value: role for role in FIELD_ROLES},
    **dict.fromkeys(("志愿者", "巡逻志愿者", "平安志愿者", "volunteer"), Role.VOLUNTEER),
    **dict.fromkeys(("保安", "保安员", "securityguard", "guard"), Role.GUARD),
    **dict.fromkeys(("网格员", "gridworker"), Role.GRID_WORKER),
}
_PHONE_CHUNK = 500


@dataclass
class CheckedRow:
    """A row as it will be stored, or with what stops it."""

    row: RosterRow
    phone: str = ""
    role: Role = Role.VOLUNTEER
    grid_id: int | None = None
    team_id: int | None = None
    problems: list[Problem] = field(default_factory=list)


def _key(text: str) -> str:
    return "".join(text.lower().split())


def check_roster(
    session: Session, community_id: int, rows: Sequence[RosterRow]
) -> Preview[CheckedRow]:
    """Every row checked: name, number (well-formed, once in the file, not yet registered),
    role (a field role), grid (code or name) and team (name) of this community."""
    grids: dict[str, int] = {}
    for grid in session.scalars(select(Grid).where(Grid.community_id == community_id)):
        grids.setdefault(_key(grid.name), grid.id)
        grids[_key(grid.code)] = grid.id  # a code wins over another grid's equal name
    teams = {
        _key(name): team_id
        for team_id, name in session.execute(
            select(Team.id, Team.name).where(Team.community_id == community_id)
        )
    }
    checked = [_check_row(row, grids, teams) for row in rows]
    first_line: dict[str, int] = {}
    for item in checked:
        if not item.phone:
            continue
        if item.phone in first_line:
            item.problems.append(
                Problem(
                    item.row.line,
                    "phone",
                    "phone_twice",
                    _l("The same number as row %(line)s.") % {"line": first_line[item.phone]},
                )
            )
        else:
            first_line[item.phone] = item.row.line
    taken = _registered(session, list(first_line))
    for item in checked:
        if item.phone in taken:
            item.problems.append(
                Problem(
                    item.row.line,
                    "phone",
                    "phone_taken",
                    _l("This number is already registered."),
                )
            )
    return Preview(checked)


def _check_row(row: RosterRow, grids: dict[str, int], teams: dict[str, int]) -> CheckedRow:
    item = CheckedRow(row)

    def fails(name: str, error: DomainError) -> None:
        item.problems.append(Problem(row.line, name, error.code, error.text()))

    try:
        rules.check_name(row.name)
    except DomainError as error:
        fails("name", error)
    try:
        item.phone = rules.normalize_phone(row.phone)
    except DomainError as error:
        fails("phone", error)
    if row.role:
        role = ROLE_NAMES.get(_key(row.role))
        if role is None:
            fails("role", Invalid("role_unknown", _l("Role must be 志愿者, 保安 or 网格员.")))
        else:
            item.role = role
    if row.grid:
        item.grid_id = grids.get(_key(row.grid))
        if item.grid_id is None:
            fails("grid", Invalid("grid_unknown", _l("No such grid in this community.")))
    if row.team:
        item.team_id = teams.get(_key(row.team))
        if item.team_id is None:
            fails("team", Invalid("team_unknown", _l("No such team in this community.")))
    return item


def _registered(session: Session, phones: list[str]) -> set[str]:
    taken: set[str] = set()
    for start in range(0, len(phones), _PHONE_CHUNK):
        chunk = phones[start : start + _PHONE_CHUNK]
        taken.update(session.scalars(select(User.phone).where(User.phone.in_(chunk))))
    return taken


def import_roster(
    uow: UnitOfWork, actor: Person, community_id: int, rows: Sequence[RosterRow]
) -> list[User]:
    """Create everyone in ``rows`` in ``community_id``, or no one: any problem (found again
    here, since the preview) refuses the whole file. The people have no password yet."""
    preview = check_roster(uow.session, community_id, rows)
    if not preview.ready:
        raise Invalid(
            "roster_has_problems",
            _l("%(n)s rows have problems. Nothing was imported; fix them and upload again."),
            n=len({p.line for p in preview.problems}),
        )
    users = [
        User(
            name=rules.check_name(item.row.name),
            phone=item.phone,
            password_hash=NO_PASSWORD,
            role=item.role.value,
            community_id=community_id,
            grid_id=item.grid_id,
            team_id=item.team_id,
        )
        for item in preview.rows
    ]
    uow.session.add_all(users)
    try:
        uow.session.flush()
    except IntegrityError as exc:  # someone registered one of the numbers since the check
        raise Conflict(
            "phone_taken",
            _l(
                "A number in the file was registered meanwhile. Nothing was imported; upload "
                "the file again to see which."
            ),
        ) from exc
    return users
