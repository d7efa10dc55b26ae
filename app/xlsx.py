"""Writing XLSX downloads, so that text people typed stays text.

openpyxl stores a string that starts with ``=`` as a formula: a volunteer registered as
``=HYPERLINK("http://…","点我")`` became a live link in the officer's people export. Every
string here is written as a string cell (``data_type = "s"``, an inline string in the file),
so Excel and WPS show it as typed instead of evaluating it; characters XML cannot hold (a
control character pasted into a name) are dropped rather than failing the download. Instants
are written as local wall-clock time (XLSX has no time zones).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from app.times import to_local

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLE_LENGTH = 31  # Excel's limit on a sheet's name


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: Sequence[Any]  # text, or lazily translated labels
    rows: Iterable[Sequence[Any]]


def workbook(sheets: Iterable[Sheet]) -> bytes:
    """The sheets as one XLSX file, a header row on each."""
    book = Workbook(write_only=True)
    for sheet in sheets:
        out: Any = book.create_sheet(sheet.title[:TITLE_LENGTH])
        out.append([_cell(out, header) for header in sheet.headers])
        for row in sheet.rows:
            out.append([_cell(out, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, datetime):
        return to_local(value).replace(tzinfo=None)
    if value is None or isinstance(value, int | float | date | time):
        return value
    # Text, or what stands for it (a translated label): always a string cell.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    cell.data_type = "s"  # never a formula, whatever it starts with
    return cell
