"""Reading a roster spreadsheet (XLSX or CSV) into plain rows, within limits.

No database here: bytes in, ``RosterRow``s out, or ``Invalid`` with a message an officer can act
on. The reading itself (formats, encodings, merged cells, limits) is app/spreadsheet.py's; this
module names a roster's columns and limits.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app import spreadsheet
from app.errors import Invalid

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

FIELDS = ("name", "phone", "role", "grid", "team")
REQUIRED = ("name", "phone")
# Header text (case and spaces ignored) -> field. Chinese first: that is what rosters use.
HEADERS: dict[str, str] = {
    **dict.fromkeys(("姓名", "名字", "name", "fullname"), "name"),
    **dict.fromkeys(
        ("手机号", "手机号码", "手机", "电话", "联系电话", "mobile", "mobilenumber", "phone"),
        "phone",
    ),
    **dict.fromkeys(("角色", "身份", "类别", "role"), "role"),
    **dict.fromkeys(("网格", "网格编号", "网格代码", "grid", "gridcode"), "grid"),
    **dict.fromkeys(("巡防队", "队伍", "所属队伍", "team", "teamname"), "team"),
}
HEADER_HELP = "姓名, 手机号, 角色, 网格, 巡防队 (name, mobile number, role, grid, team)"

ROSTER = spreadsheet.Layout(
    kind="roster",
    headers=HEADERS,
    required=REQUIRED,
    header_help=HEADER_HELP,
    max_bytes=MAX_BYTES,
    max_rows=MAX_ROWS,
    too_many_rows=_l("The file has more than %(n)s people. Split it into smaller files."),
    no_rows=_l("The file has no people in it."),
)


@dataclass(frozen=True)
class RosterRow:
    """One person as the file gives them; ``line`` is the spreadsheet's own row number."""

    line: int
    name: str
    phone: str
    role: str
    grid: str
    team: str


def read_roster(data: bytes) -> list[RosterRow]:
    """The file's people, or ``Invalid`` saying what is wrong with the file as a whole."""
    return [
        RosterRow(line, *(cells.get(f, "") for f in FIELDS))
        for line, cells in spreadsheet.read_table(data, ROSTER)
    ]


def too_large() -> Invalid:
    return spreadsheet.too_large(ROSTER)
