"""Reading a roster spreadsheet (XLSX or CSV) into plain rows, within limits.

No database here: bytes in, ``RosterRow``s out, or ``Invalid`` with a message an officer can act
on (too large, too many rows, merged cells, not a spreadsheet, no name or number column). XLSX
is read with openpyxl in read-only mode, which streams the sheet instead of building it in
memory; CSV is decoded as UTF-8 (with or without the BOM Excel writes) or else as GB18030, the
superset of the GBK that Chinese Excel saves "CSV" in. Those are the encodings rosters come in,
and trying them in order is exact where statistical detection guesses on short files.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import iterparse  # noqa: S405 - expat resolves no external entities

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from app.errors import Invalid

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 30  # a roster has five; columns beyond are not read at all
HEADER_SEARCH_ROWS = 5  # the header may follow a title line or two

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
    if len(data) > MAX_BYTES:
        raise too_large()
    if not data.strip():
        raise Invalid("roster_empty", _l("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(data)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise Invalid(
            "roster_old_excel",
            _l(
                "This is an old Excel file (.xls). Please save it as .xlsx in Excel and upload "
                "that."
            ),
        )
    else:
        rows = _csv_rows(data)
    return _people(rows)


def too_large() -> Invalid:
    return Invalid(
        "roster_too_large",
        _l("The file is larger than %(mb)s MB. Split it into smaller files."),
        mb=MAX_BYTES // (1024 * 1024),
    )


def not_a_spreadsheet() -> Invalid:
    return Invalid(
        "roster_unreadable",
        _l("This file is not a spreadsheet we can read. Please upload an .xlsx or .csv file."),
    )


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise not_a_spreadsheet() from exc
    try:
        sheet = book.worksheets[0]
        merged = _merged_ranges(sheet)
        if merged:
            raise Invalid(
                "roster_merged_cells",
                _l(
                    "The sheet has merged cells (%(cells)s). Unmerge them, give every row its own "
                    "values, and upload the file again."
                ),
                cells=", ".join(merged[:5]) + (" …" if len(merged) > 5 else ""),
            )
        rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        for line, values in enumerate(rows, start=1):
            yield line, list(values)
    except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError) as exc:
        raise not_a_spreadsheet() from exc
    finally:
        book.close()


def _merged_ranges(sheet: Any) -> list[str]:
    """The sheet's merged ranges. Read-only worksheets do not parse them, so the sheet's XML is
    scanned for ``<mergeCell ref=...>`` as a stream (it follows the cells, at the end)."""
    refs: list[str] = []
    with sheet._get_source() as source:  # the worksheet part inside the .xlsx archive
        for _event, element in iterparse(source):  # noqa: S314 - see the import
            if element.tag.endswith("}mergeCell"):
                refs.append(element.get("ref", ""))
            element.clear()
    return refs


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise not_a_spreadsheet()


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    if b"\x00" in data[:4096]:  # binary, or UTF-16, which no roster export uses
        raise not_a_spreadsheet()
    text = _decode(data)
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        for line, values in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            yield line, values[:MAX_COLUMNS]
    except csv.Error as exc:
        raise not_a_spreadsheet() from exc


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number column: 13800000000.0 is the number 13800000000
    return " ".join(str(value).split())


def _header_key(value: Any) -> str:
    return "".join(_cell(value).lower().split()).rstrip(":：*")


def _people(rows: Iterable[tuple[int, list[Any]]]) -> list[RosterRow]:
    columns: dict[str, int] | None = None
    people: list[RosterRow] = []
    skipped = 0
    for line, values in rows:
        cells = [_cell(v) for v in values]
        if not any(cells):
            continue
        if columns is None:  # the header: the first row naming the columns (a title may precede)
            columns = _columns(cells)
            skipped += 1
            if columns is None and skipped >= HEADER_SEARCH_ROWS:
                break
            continue
        if len(people) >= MAX_ROWS:
            raise Invalid(
                "roster_too_many_rows",
                _l("The file has more than %(n)s people. Split it into smaller files."),
                n=MAX_ROWS,
            )
        get = {f: (cells[i] if i < len(cells) else "") for f, i in columns.items()}
        people.append(RosterRow(line, *(get.get(f, "") for f in FIELDS)))
    if columns is None:
        raise Invalid(
            "roster_headers",
            _l("The first row must name the columns: %(headers)s."),
            headers=HEADER_HELP,
        )
    if not people:
        raise Invalid("roster_empty", _l("The file has no people in it."))
    return people


def _columns(header: list[str]) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for index, value in enumerate(header):
        field = HEADERS.get(_header_key(value))
        if field is not None and field not in columns:
            columns[field] = index
    return columns if all(f in columns for f in REQUIRED) else None
