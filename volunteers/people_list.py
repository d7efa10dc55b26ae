"""The officer's people list: search, pinyin order, pages, and the XLSX export.

All the list's reads are here, taking the community they are limited to, so police-area walls
are added in one place. Role, grid, team and status are filtered in SQL; the name search and the
order need pinyin (张三 is "zs" and "zhangsan"), which SQLite cannot sort by, so they run over a
community's rows in Python: a community has hundreds to a few thousand people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pypinyin import Style, lazy_pinyin
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.roles import Role
from app.xlsx import Sheet, workbook
from volunteers import rules
from volunteers.first_login import awaiting_first_login
from volunteers.models import Community, Grid, Team, User

PER_PAGE = 50
STATUSES = ("active", "on_duty", "awaiting", "disabled")
EXPORT_HEADERS = ("姓名", "手机号", "角色", "网格", "巡防队", "状态")


@dataclass(frozen=True)
class Filters:
    q: str = ""
    role: str = ""
    grid_id: int | None = None
    team_id: int | None = None
    status: str = ""


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str
    phone: str
    role: str
    grid_code: str
    grid_name: str
    team: str
    active: bool
    on_duty: bool
    awaiting: bool

    @property
    def status(self) -> str:
        if not self.active:
            return "closed" if rules.is_closed(self.phone) else "disabled"
        if self.awaiting:
            return "awaiting"
        return "on_duty" if self.on_duty else "active"

    @property
    def number(self) -> str:
        """The mobile number to show: none for an account its owner closed (its phone column
        holds a placeholder that keeps the number free to register again)."""
        return "" if rules.is_closed(self.phone) else self.phone


@dataclass(frozen=True)
class Page:
    rows: list[PersonRow]
    number: int
    pages: int
    total: int


def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, lower case without spaces: 张三 -> zhangsan, zs.
    Letters and digits in a name stay as they are."""
    parts = [p.lower() for chunk in lazy_pinyin(name, style=Style.NORMAL) for p in chunk.split()]
    return "".join(parts), "".join(p[0] for p in parts)


def matches(row: PersonRow, q: str) -> bool:
    """A name part, pinyin (full or initials) or part of the number."""
    q = "".join(q.lower().split())
    if not q:
        return True
    if q in row.name.lower() or (q.isdigit() and q in row.phone):
        return True
    full, initials = pinyin_keys(row.name)
    return q.isascii() and (full.startswith(q) or q in initials or q in full)


def _rows(session: Session, community_id: int, filters: Filters) -> list[PersonRow]:
    query = (
        select(
            User.id,
            User.name,
            User.phone,
            User.role,
            Grid.code,
            Grid.name,
            Team.name,
            User.active,
            User.on_duty,
            awaiting_first_login().label("awaiting"),
        )
        .outerjoin(Grid, Grid.id == User.grid_id)
        .outerjoin(Team, Team.id == User.team_id)
        .where(User.community_id == community_id)
    )
    if filters.role:
        query = query.where(User.role == filters.role)
    if filters.grid_id is not None:
        query = query.where(User.grid_id == filters.grid_id)
    if filters.team_id is not None:
        query = query.where(User.team_id == filters.team_id)
    if filters.status == "disabled":
        query = query.where(User.active.is_(False))
    elif filters.status:
        query = query.where(User.active.is_(True))
        if filters.status == "awaiting":
            query = query.where(awaiting_first_login())
        elif filters.status == "on_duty":
            query = query.where(User.on_duty.is_(True))
        else:
            query = query.where(~awaiting_first_login())
    rows = [
        PersonRow(
            id=r[0],
            name=r[1],
            phone=r[2],
            role=r[3],
            grid_code=r[4] or "",
            grid_name=r[5] or "",
            team=r[6] or "",
            active=bool(r[7]),
            on_duty=bool(r[8]),
            awaiting=bool(r[9]),
        )
        for r in session.execute(query)
    ]
    found = [row for row in rows if matches(row, filters.q)]
    found.sort(key=lambda row: (pinyin_keys(row.name)[0], row.name, row.id))
    return found


def organisation(session: Session, community_id: int) -> dict[str, Any]:
    """The community, its grids and teams (for the filters and forms), and people per role."""
    counts = session.execute(
        select(User.role, func.count()).where(User.community_id == community_id).group_by(User.role)
    )
    return {
        "community": session.get(Community, community_id),
        "grids": session.scalars(
            select(Grid).where(Grid.community_id == community_id).order_by(Grid.code)
        ).all(),
        "teams": session.scalars(
            select(Team).where(Team.community_id == community_id).order_by(Team.name)
        ).all(),
        "role_counts": dict(counts.all()),
    }


def search(session: Session, community_id: int, filters: Filters, page: int = 1) -> Page:
    """One page of the community's people who match, in pinyin order."""
    rows = _rows(session, community_id, filters)
    pages = max(1, -(-len(rows) // PER_PAGE))
    number = min(max(page, 1), pages)
    start = (number - 1) * PER_PAGE
    return Page(rows[start : start + PER_PAGE], number, pages, len(rows))


def awaiting_people(session: Session, community_id: int, grid_id: int | None) -> list[User]:
    """Who still has to choose a password (active, with an unused code), in pinyin order."""
    query = select(User).where(
        User.community_id == community_id, User.active.is_(True), awaiting_first_login()
    )
    if grid_id is not None:
        query = query.where(User.grid_id == grid_id)
    people = list(session.scalars(query))
    people.sort(key=lambda u: (pinyin_keys(u.name)[0], u.name, u.id))
    return people


STATUS_LABELS = {
    "active": "正常",
    "on_duty": "值班中",
    "awaiting": "未首次登录",
    "disabled": "已停用",
    "closed": "已注销",
}
ROLE_LABELS = {
    Role.VOLUNTEER.value: "志愿者",
    Role.GUARD.value: "保安",
    Role.GRID_WORKER.value: "网格员",
    Role.OFFICER.value: "民警",
    Role.DISPATCHER.value: "调度员",
    Role.ADMIN.value: "管理员",
}


def export_xlsx(session: Session, community_id: int, filters: Filters) -> bytes:
    """The matching people as an XLSX whose first five columns the import reads back."""
    rows = (
        [
            row.name,
            row.number,
            ROLE_LABELS.get(row.role, row.role),
            row.grid_code,
            row.team,
            STATUS_LABELS[row.status],
        ]
        for row in _rows(session, community_id, filters)
    )
    return workbook([Sheet("人员", EXPORT_HEADERS, rows)])
