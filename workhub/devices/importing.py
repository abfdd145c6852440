"""CSV import of devices and of lines: upload, preview with a header mapping and a row-by-row
report, then one transaction.

* The file: at most ``MAX_IMPORT_BYTES`` and ``MAX_IMPORT_ROWS`` data rows; UTF-8 (with or
  without BOM) or Shift_JIS (cp932, as Excel writes it), detected; a binary file or other
  encodings are refused with a message.
* The first line names the columns; known English and Japanese names are mapped to fields
  automatically (資産番号 → asset tag, 電話番号 → number …) and the person can change the
  mapping on the preview page.
* Every row is checked with the same rules as the forms (``inventory.clean_device``,
  ``lines.clean_line``), plus duplicates inside the file and against the database.
* Nothing is imported while any row is wrong, unless the person chooses to import only the
  valid rows. The import is one transaction; each new item gets an ``imported`` event.
* Between preview and import the file waits on the server under ``instance/imports/``, named
  by a random token, encrypted (it may hold SIM PINs), readable only by the person who
  uploaded it and for ``UPLOAD_TTL_SECONDS``. Nothing of the data travels in the form.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets as random
import time
import unicodedata
from base64 import b64decode, b64encode
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workhub.auth.services import audit
from workhub.devices import fields as f
from workhub.devices import inventory, lines
from workhub.devices import secrets as line_secrets
from workhub.devices.import_columns import (
    COLUMNS,
    REQUIRED,
    STATUS_ALIASES,
    auto_mapping,
    field_label,
)
from workhub.devices.models import Device, Line
from workhub.errors import DomainError, NotFound
from workhub.extensions import db
from workhub.org.models import User

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5000
MAX_COLUMNS = 60
UPLOAD_TTL_SECONDS = 24 * 3600
IMPORT_KINDS = ("devices", "lines")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class TooLarge(DomainError):
    status = 413
    code = "too_large"


# --- reading the file -------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (BOM or not), else Shift_JIS (cp932)."""
    if b"\x00" in data:
        raise DomainError(str(_l("This is not a CSV text file (it contains binary data).")),
                          code="not_text", field="file")
    candidates = ("utf-8-sig",) if data.startswith(b"\xef\xbb\xbf") else ("utf-8", "cp932")
    for encoding in candidates:
        try:
            return data.decode(encoding), "utf-8" if encoding == "utf-8-sig" else encoding
        except UnicodeDecodeError:
            continue
    raise DomainError(str(_l("The file is neither UTF-8 nor Shift_JIS text. Save it from the "
                             "spreadsheet as \u201cCSV UTF-8\u201d and try again.")),
                      code="encoding", field="file")


@dataclass
class Parsed:
    """A decoded file: its encoding, header and data rows (file line number, cells)."""

    encoding: str
    header: list[str]
    rows: list[tuple[int, list[str]]]


def parse(data: bytes) -> Parsed:
    """Read the CSV ``data``; file-level problems raise ``DomainError`` on the field ``file``."""
    if len(data) > MAX_IMPORT_BYTES:
        raise TooLarge(str(_l("The file is too large (%(n)d KB at most).",
                              n=MAX_IMPORT_BYTES // 1024)), field="file")
    text, encoding = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((reader.line_num, cells))
                if len(rows) > MAX_IMPORT_ROWS + 1:
                    raise DomainError(str(_l("The file has too many rows (%(n)d at most).",
                                             n=MAX_IMPORT_ROWS)), code="too_many_rows",
                                      field="file")
    except csv.Error:
        raise DomainError(str(_l("The file is not valid CSV.")), code="not_csv",
                          field="file") from None
    if not rows:
        raise DomainError(str(_l("The file is empty.")), code="empty", field="file")
    header = [c.strip() for c in rows[0][1]]
    if len(header) > MAX_COLUMNS:
        raise DomainError(str(_l("The file has too many columns (%(n)d at most).",
                                 n=MAX_COLUMNS)), field="file")
    if len(rows) == 1:
        raise DomainError(str(_l("The file has a header line but no rows.")), code="empty",
                          field="file")
    return Parsed(encoding, header, rows[1:])


# --- keeping the file between preview and import ---------------------------------------------


@dataclass
class Upload:
    token: str
    kind: str
    filename: str
    data: bytes


def _folder() -> Path:
    folder = Path(current_app.config["INSTANCE_PATH"]) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    """Delete uploads older than the time allowed (an abandoned preview)."""
    limit = time.time() - UPLOAD_TTL_SECONDS
    for path in folder.glob("*.import"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            pass


def store(kind: str, filename: str, data: bytes, actor: User) -> Upload:
    """Check ``data`` can be read, then keep it (encrypted) for ``actor``'s preview."""
    if kind not in IMPORT_KINDS:
        raise NotFound(str(_l("Unknown kind of import.")))
    parse(data)
    folder = _folder()
    _sweep(folder)
    token = random.token_urlsafe(24)
    # Only shown back and audited: control characters dropped, cut to a sane length.
    name = "".join(c for c in str(filename or "") if c.isprintable())[:200] or "upload.csv"
    payload = json.dumps({"kind": kind, "user_id": actor.id, "filename": name,
                          "data": b64encode(data).decode("ascii")}).encode("utf-8")
    path = folder / f"{token}.import"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(line_secrets.encrypt(payload))
    return Upload(token, kind, name, data)


def load(token: str, actor: User) -> Upload:
    """The upload ``token`` of ``actor``; NotFound when unknown, expired or someone else's."""
    gone = NotFound(str(_l("This upload has expired or does not exist. Upload the file "
                           "again.")))
    if not isinstance(token, str) or not _TOKEN.match(token):
        raise gone
    path = _folder() / f"{token}.import"
    try:
        sealed = path.read_bytes()
    except FileNotFoundError:
        raise gone from None
    try:
        payload = json.loads(line_secrets.decrypt_bytes(sealed, ttl=UPLOAD_TTL_SECONDS))
    except line_secrets.SecretUnreadable:
        raise gone from None
    if payload.get("user_id") != actor.id:
        raise gone
    return Upload(token, payload["kind"], payload["filename"], b64decode(payload["data"]))


def discard(upload: Upload) -> None:
    """Delete the stored upload (after the import, or when abandoned)."""
    (_folder() / f"{upload.token}.import").unlink(missing_ok=True)


# --- checking the rows ------------------------------------------------------------------------


@dataclass
class RowResult:
    line: int  # line number in the file, as a spreadsheet counts
    cells: list[str]
    data: dict = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, message)


@dataclass
class Report:
    kind: str
    encoding: str
    header: list[str]
    mapping: dict[int, str]
    rows: list[RowResult]
    mapping_problems: list[str] = field(default_factory=list)

    @property
    def error_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.problems]

    @property
    def valid_rows(self) -> list[RowResult]:
        return [r for r in self.rows if not r.problems]

    @property
    def ok(self) -> bool:
        return not self.mapping_problems and not self.error_rows


def check_mapping(kind: str, mapping: dict[int, str]) -> list[str]:
    """What is wrong with ``mapping`` (column index → field) for ``kind``."""
    problems = []
    used: dict[str, int] = {}
    for column, name in sorted(mapping.items()):
        if name in used:
            problems.append(str(_l("%(field)s is chosen for more than one column.",
                                   field=field_label(kind, name))))
        used.setdefault(name, column)
    for group in REQUIRED[kind]:
        if not any(name in used for name in group):
            problems.append(str(_l("Choose the column that holds %(field)s.",
                                   field=str(_l(" or ")).join(field_label(kind, n)
                                                             for n in group))))
    return problems


def _status(kind: str, raw: str | None) -> str:
    if not raw:
        return "in_stock"
    key = unicodedata.normalize("NFKC", raw).strip().lower()
    found = STATUS_ALIASES[kind].get(key)
    if found is None:
        allowed = inventory.MANUAL_STATUSES if kind == "devices" else lines.MANUAL_STATUSES
        raise f.Invalid([("status", str(_l("Unknown status: use one of %(names)s.",
                                           names=", ".join(allowed))))])
    return found


def _clean(kind: str, raw: dict[str, str]) -> tuple[dict, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    data: dict = {}
    try:
        data = (inventory.clean_device if kind == "devices" else lines.clean_line)(raw)
    except f.Invalid as exc:
        problems.extend(exc.problems)
    try:
        data["status"] = _status(kind, raw.get("status"))
    except f.Invalid as exc:
        problems.extend(exc.problems)
    if kind == "lines":
        c = f.Checker()
        data["pin"] = c.run(f.pin, raw.get("pin"), "pin", length=line_secrets.PIN_LENGTH)
        data["puk"] = c.run(f.pin, raw.get("puk"), "puk", length=line_secrets.PUK_LENGTH)
        problems.extend(c.problems)
    return data, problems


def _keys(kind: str, data: dict) -> list[tuple[str, object]]:
    if kind == "devices":
        keys = [("asset_tag", data.get("asset_tag"))]
        if data.get("serial") and data.get("maker"):
            keys.append(("serial", (data["maker"].lower(), data["serial"])))
        return [(k, v) for k, v in keys if v]
    return [(k, data.get(k)) for k in ("number", "data_line_id", "iccid") if data.get(k)]


def _taken(kind: str, results: list[RowResult]) -> set[tuple[str, object]]:
    """The keys of ``results`` already used in the database."""
    wanted: dict[str, set] = {}
    for row in results:
        for name, value in _keys(kind, row.data):
            wanted.setdefault(name, set()).add(value)
    taken: set[tuple[str, object]] = set()
    for name, values in wanted.items():
        values = list(values)
        for start in range(0, len(values), 500):
            chunk = values[start:start + 500]
            if kind == "devices" and name == "serial":
                serials = {s for _m, s in chunk}
                for maker, serial in db.session.execute(
                        select(Device.maker, Device.serial).where(Device.serial.in_(serials))):
                    taken.add(("serial", (maker.lower(), serial)))
                continue
            column = getattr(Device if kind == "devices" else Line, name)
            taken.update((name, v) for v in db.session.scalars(select(column)
                                                               .where(column.in_(chunk))))
    return taken


def check(upload: Upload, mapping: dict[int, str] | None = None) -> Report:
    """Parse the upload and check every row with ``mapping`` (the automatic one if None)."""
    kind = upload.kind
    parsed = parse(upload.data)
    if mapping is None:
        mapping = auto_mapping(kind, parsed.header)
    mapping = {c: n for c, n in mapping.items() if 0 <= c < len(parsed.header)
               and n in COLUMNS[kind]}
    report = Report(kind, parsed.encoding, parsed.header, mapping, [],
                    check_mapping(kind, mapping))
    if report.mapping_problems:
        report.rows = [RowResult(n, cells) for n, cells in parsed.rows]
        return report
    column_of = {name: column for column, name in mapping.items()}

    def column_name(name: str) -> str:
        column = column_of.get(name)
        if column is None or not parsed.header[column]:
            return field_label(kind, name)
        return parsed.header[column]

    seen: dict[tuple[str, object], int] = {}
    for number, cells in parsed.rows:
        raw = {name: (cells[column] if column < len(cells) else "")
               for column, name in mapping.items()}
        row = RowResult(number, cells)
        row.data, problems = _clean(kind, raw)
        row.problems = [(column_name(name), message) for name, message in problems]
        if len(cells) > len(parsed.header) and any(c.strip() for c in cells[len(parsed.header):]):
            row.problems.append(("", str(_l("This row has more cells than the header."))))
        for key in _keys(kind, row.data):
            if key in seen:
                row.problems.append((column_name(key[0]), str(_l(
                    "The same value as on line %(line)d of the file.", line=seen[key]))))
            seen.setdefault(key, number)
        report.rows.append(row)
    taken = _taken(kind, [r for r in report.rows if not r.problems])
    for row in report.rows:
        for key in _keys(kind, row.data):
            if key in taken and not row.problems:
                row.problems.append((column_name(key[0]), str(_l(
                    "Already recorded in WorkHub."))))
    return report


# --- importing --------------------------------------------------------------------------------


def run_import(upload: Upload, mapping: dict[int, str], actor: User, *, valid_only: bool,
               ip: str | None = None) -> tuple[Report, int]:
    """Import the upload's rows in the caller's transaction; returns the report and how many
    were added. Refused (nothing written) when a row is wrong and not ``valid_only``."""
    report = check(upload, mapping)
    if report.mapping_problems:
        raise DomainError(report.mapping_problems[0], code="mapping")
    if report.error_rows and not valid_only:
        raise DomainError(str(_l("Nothing was imported: %(n)d rows have problems. Correct the "
                                 "file, or choose to import only the valid rows.",
                                 n=len(report.error_rows))), code="rows_invalid")
    if not report.valid_rows:
        raise DomainError(str(_l("No row is valid: nothing to import.")), code="rows_invalid")
    for row in report.valid_rows:
        data = dict(row.data)
        status = data.pop("status")
        if upload.kind == "devices":
            inventory.add_device(data, actor, status=status, action="imported")
        else:
            pin, puk = data.pop("pin", None), data.pop("puk", None)
            line = lines.add_line(data, actor, status=status, action="imported")
            if pin or puk:
                line_secrets.set_secrets(line, actor, pin=pin, puk=puk)
    audit(f"devices.{upload.kind}_imported", actor=actor, ip=ip, target=upload.filename,
          rows=len(report.valid_rows), skipped=len(report.error_rows),
          encoding=report.encoding)
    return report, len(report.valid_rows)

