"""Exports shared by the packages: CSV for Excel (UTF-8 with BOM, CRLF) and XLSX sheets, both
safe against formula injection, and the response that sends a file as a download.

Text that a spreadsheet would run as a formula (a name such as ``=HYPERLINK(...)`` or
``=cmd|' /C calc'!A0``) is neutralised: in CSV it is prefixed with ``'``; in XLSX the cell is
stored as text.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Not kept in the plain filename="…": anything outside printable ASCII, what would end or
# escape the quoted string, and % (some browsers decode %xx there).
_NOT_PLAIN = re.compile(r'[^\x20-\x7e]|["\\%]')
# RFC 5987 attr-char: what filename*= may carry without percent-encoding.
_ATTR_CHARS = "!#$&+-.^_`|~"


@dataclass
class Table:
    """One table of a statistics or report export: a CSV file, or a sheet of the workbook."""

    name: str  # the file's name part, e.g. "departments"
    title: str
    headers: list[str]
    rows: list[list[object]]


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


def attachment_header(filename: str) -> str:
    """The Content-Disposition value that offers ``filename`` for download, ASCII only.

    A plain ASCII name is sent as ``filename="…"``. Any other name (a Japanese meeting title)
    also goes, intact, as RFC 6266/5987 ``filename*=UTF-8''…``, with an ASCII look-alike in
    ``filename=`` for clients that do not read ``filename*``.
    """
    plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    plain = _NOT_PLAIN.sub("_", plain).strip()
    stem, dot, suffix = plain.rpartition(".")
    if not any(ch.isalnum() for ch in (stem if dot else plain)):
        plain = "download" + (dot + suffix if dot else "")
    value = f'attachment; filename="{plain}"'
    if plain != filename:
        value += "; filename*=UTF-8''" + quote(filename, safe=_ATTR_CHARS)
    return value


def download(body: bytes | str, mimetype: str, filename: str, *,
             audit_as: str | None = None) -> Response:
    """``body`` as a file to save under ``filename``.

    A text ``mimetype`` gets ``; charset=utf-8`` unless it names its charset already. An
    export of personal or survey data names itself in ``audit_as``: who took it, which
    URL (with its filters) and the file are audited as ``data.exported``.
    """
    if audit_as:
        _audit_export(audit_as, filename)
    if "charset=" in mimetype.lower():
        response = Response(body, content_type=mimetype)
    else:
        response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = attachment_header(filename)
    return response


def _audit_export(what: str, filename: str) -> None:
    from flask import request
    from flask_login import current_user

    from workhub.auth.services import audit
    from workhub.extensions import db

    actor = current_user._get_current_object() if current_user.is_authenticated else None
    audit("data.exported", actor=actor, target=request.full_path.rstrip("?")[:200],
          ip=request.remote_addr, what=what, filename=filename[:200])
    db.session.commit()
