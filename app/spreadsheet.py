"""Reading an uploaded spreadsheet (XLSX or CSV) into rows of text, within limits.

No database here: bytes in, ``(line, {field: text})`` rows out, or ``Invalid`` with a message an
officer can act on (too large, too many rows, merged cells, not a spreadsheet, missing columns).
A ``Layout`` says what one kind of file holds (people, patrol points): its header names, its
required columns, its limits and the prefix of its error codes.

XLSX is read with openpyxl in read-only mode, which streams the sheet instead of building it in
memory; CSV is decoded as UTF-8 (with or without the BOM Excel writes) or else as GB18030, the
superset of the GBK that Chinese Excel saves "CSV" in. Those are the encodings these files come
in, and trying them in order is exact where statistical detection guesses on short files.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from app.errors import Invalid

MAX_COLUMNS = 30  # columns beyond are not read at all
HEADER_SEARCH_ROWS = 5  # the header may follow a title line or two
# An XLSX unpacked: a file within the upload limit that unpacks past this is a zip bomb, or far
# more rows than any layout takes (5,000 rows of ten cells are about 5 MB of XML).
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
_MERGE_CELL = re.compile(rb"""<(?:\w+:)?mergeCell\b[^>]*?\bref=["']([^"']*)["']""")
_CHUNK = 1024 * 1024
_ELEMENT_BYTES = 1024  # a <mergeCell ref="A1:B2"/> element is far shorter


@dataclass(frozen=True)
class Layout:
    """One kind of spreadsheet: ``headers`` maps a header's text (lower case, no spaces) to a
    field; error codes are ``<kind>_too_large`` and so on; ``too_many_rows`` and ``no_rows`` are
    lazily translated messages (the first with ``%(n)s``)."""

    kind: str
    headers: Mapping[str, str]
    required: tuple[str, ...]
    header_help: str
    max_bytes: int
    max_rows: int
    too_many_rows: Any
    no_rows: Any


@dataclass(frozen=True)
class Problem:
    """What is wrong with one cell of one row (``line`` as the spreadsheet numbers it)."""

    line: int
    field: str
    code: str
    message: Any  # lazily translated


class RowWithProblems(Protocol):
    problems: list[Problem]


RowT = TypeVar("RowT", bound=RowWithProblems)


@dataclass(frozen=True)
class Preview(Generic[RowT]):
    """A checked file: every row with its problems; it may be imported when none has any."""

    rows: list[RowT]

    @property
    def problems(self) -> list[Problem]:
        return [p for row in self.rows for p in row.problems]

    @property
    def ready(self) -> bool:
        return not self.problems


def read_table(data: bytes, layout: Layout) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as ``(line, {field: text})``, or ``Invalid`` about the file as a whole."""
    if len(data) > layout.max_bytes:
        raise too_large(layout)
    if not data.strip():
        raise Invalid(f"{layout.kind}_empty", _l("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(data, layout)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise Invalid(
            f"{layout.kind}_old_excel",
            _l(
                "This is an old Excel file (.xls). Please save it as .xlsx in Excel and upload "
                "that."
            ),
        )
    else:
        rows = _csv_rows(data, layout)
    return _records(rows, layout)


def too_large(layout: Layout) -> Invalid:
    return Invalid(
        f"{layout.kind}_too_large",
        _l("The file is larger than %(mb)s MB. Split it into smaller files."),
        mb=layout.max_bytes // (1024 * 1024),
    )


def not_a_spreadsheet(layout: Layout) -> Invalid:
    return Invalid(
        f"{layout.kind}_unreadable",
        _l("This file is not a spreadsheet we can read. Please upload an .xlsx or .csv file."),
    )


def _xlsx_rows(data: bytes, layout: Layout) -> Iterator[tuple[int, list[Any]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise too_large(layout)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise not_a_spreadsheet(layout) from exc
    try:
        sheet = book.worksheets[0]
        merged = _merged_ranges(sheet)
        if merged:
            raise Invalid(
                f"{layout.kind}_merged_cells",
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
        raise not_a_spreadsheet(layout) from exc
    finally:
        book.close()


def _merged_ranges(sheet: Any) -> list[str]:
    """The sheet's merged ranges. Read-only worksheets do not parse them, and they follow all
    the cells in the sheet's XML, so its bytes are searched for ``<mergeCell ref=...>`` chunk by
    chunk: an XML parser walking 100,000 rows to reach them took seconds, a byte search takes
    milliseconds, and the rows themselves are then read only up to the layout's limit."""
    refs: list[str] = []
    tail = b""
    with sheet._get_source() as source:  # the worksheet part inside the .xlsx archive
        while chunk := source.read(_CHUNK):
            text = tail + chunk
            # A short element cut by the chunk's end starts within its last bytes: keep it.
            end = text.rfind(b"<", max(0, len(text) - _ELEMENT_BYTES))
            end = len(text) if end == -1 else end
            refs.extend(m.decode() for m in _MERGE_CELL.findall(text, 0, end))
            tail = text[end:]
        refs.extend(m.decode() for m in _MERGE_CELL.findall(tail))
    return refs


def _decode(data: bytes, layout: Layout) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise not_a_spreadsheet(layout)


def _csv_rows(data: bytes, layout: Layout) -> Iterator[tuple[int, list[Any]]]:
    if b"\x00" in data[:4096]:  # binary, or UTF-16, which no spreadsheet export here uses
        raise not_a_spreadsheet(layout)
    text = _decode(data, layout)
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        for line, values in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            yield line, values[:MAX_COLUMNS]
    except csv.Error as exc:
        raise not_a_spreadsheet(layout) from exc


def cell(value: Any) -> str:
    """A cell as text, spaces collapsed; a whole-number float (how Excel keeps 13800000000) as
    the integer it is."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def header_key(value: Any) -> str:
    return "".join(cell(value).lower().split()).rstrip(":：*")


def _records(
    rows: Iterable[tuple[int, list[Any]]], layout: Layout
) -> list[tuple[int, dict[str, str]]]:
    columns: dict[str, int] | None = None
    records: list[tuple[int, dict[str, str]]] = []
    skipped = 0
    for line, values in rows:
        cells = [cell(v) for v in values]
        if not any(cells):
            continue
        if columns is None:  # the header: the first row naming the columns (a title may precede)
            columns = _columns(cells, layout)
            skipped += 1
            if columns is None and skipped >= HEADER_SEARCH_ROWS:
                break
            continue
        if len(records) >= layout.max_rows:
            raise Invalid(f"{layout.kind}_too_many_rows", layout.too_many_rows, n=layout.max_rows)
        records.append((line, {f: cells[i] if i < len(cells) else "" for f, i in columns.items()}))
    if columns is None:
        raise Invalid(
            f"{layout.kind}_headers",
            _l("The first row must name the columns: %(headers)s."),
            headers=layout.header_help,
        )
    if not records:
        raise Invalid(f"{layout.kind}_empty", layout.no_rows)
    return records


def _columns(header: list[str], layout: Layout) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for index, value in enumerate(header):
        field = layout.headers.get(header_key(value))
        if field is not None and field not in columns:
            columns[field] = index
    return columns if all(f in columns for f in layout.required) else None
