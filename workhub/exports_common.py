"""Spreadsheet exports shared by the packages: CSV for Excel (UTF-8 with BOM, CRLF) and XLSX
sheets, both safe against formula injection.

Text that a spreadsheet would run as a formula (a name such as ``=HYPERLINK(...)`` or
``=cmd|' /C calc'!A0``) is neutralised: in CSV it is prefixed with ``'``; in XLSX the cell is
stored as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
    """Prefix text a spreadsheet would treat as a formula with ``'``; numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(headers: Sequence[object], rows: Iterable[Sequence[object]]) -> bytes:
    """A table as CSV: UTF-8 with a BOM (Excel then reads Japanese), CRLF line ends, None as
    an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_text(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else safe_text(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_sheet(sheet, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Fill ``sheet``: a header row (frozen), the rows, every text cell stored as text."""
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
    for index, header in enumerate(headers, start=1):
        width = max([len(str(header))] + [len(str(r[index - 1] or "")) for r in rows])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, width * 1.6 + 2)
    sheet.freeze_panes = "A2"


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[object]]]]) -> bytes:
    """A workbook with one sheet per (title, headers, rows); titles cut to Excel's 31."""
    book = Workbook()
    book.remove(book.active)
    for title, headers, rows in sheets:
        write_sheet(book.create_sheet(title[:31]), headers, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
