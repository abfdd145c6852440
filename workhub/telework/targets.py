"""Monthly targets of remote-work sessions: the organisation's and optional per department.

HR sets them month by month (``set_targets``, which replaces a month's department targets)
or imports a CSV file (``import_targets_csv``: each row sets one target, all or nothing).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workhub.auth.services import audit
from workhub.errors import Conflict, DomainError, Forbidden
from workhub.extensions import db
from workhub.org.models import Department, User
from workhub.telework.models import MonthlyTarget
from workhub.telework.months import check_month, valid_month
from workhub.telework.permissions import is_hr

MAX_TARGET = 10_000_000
MAX_CSV_BYTES = 1024 * 1024
MAX_CSV_ROWS = 10_000
CSV_HEADER = ("month", "department", "target")
_DIGITS = re.compile(r"^[0-9]+$")


@dataclass
class MonthTargets:
    """A month's targets: the organisation's (None when unset) and by department code."""

    month: str
    org_target: int | None
    departments: dict[str, int] = field(default_factory=dict)


@dataclass
class ImportRow:
    """One data line of an imported file and what was wrong with it (None: fine)."""

    line: int
    month: str
    department: str | None
    target: int | None
    error: str | None = None


@dataclass
class ImportReport:
    """The outcome of an import: every row, and whether anything was written."""

    rows: list[ImportRow]
    imported: bool
    encoding: str

    @property
    def errors(self) -> list[ImportRow]:
        return [row for row in self.rows if row.error]


def _require_hr(actor: User) -> None:
    if not is_hr(actor):
        raise Forbidden(str(_l("Only HR may set telework targets.")))


def _check_target(value, what: str) -> int:
    # bool is an int in Python; True as a target is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TARGET:
        raise DomainError(str(_l("%(what)s: a target is a whole number from 0 to %(max)d.",
                                 what=what, max=MAX_TARGET)), field="target")
    return value


def _departments_by_code(codes) -> dict[str, Department]:
    codes = set(codes)
    if not codes:
        return {}
    return {d.code: d for d in db.session.scalars(select(Department)
                                                  .where(Department.code.in_(codes)))}


def get_targets(month: str) -> MonthTargets:
    """The targets of ``month`` ("YYYY-MM")."""
    month = check_month(month)
    rows = db.session.execute(
        select(MonthlyTarget.target, Department.code)
        .outerjoin(Department, MonthlyTarget.department_id == Department.id)
        .where(MonthlyTarget.month == month)
    ).all()
    org = next((target for target, code in rows if code is None), None)
    return MonthTargets(month, org, {code: target for target, code in rows if code is not None})


def _upsert(month: str, department: Department | None, target: int,
            existing: dict[int | None, MonthlyTarget]) -> None:
    key = department.id if department is not None else None
    row = existing.get(key)
    if row is None:
        db.session.add(MonthlyTarget(month=month, department_id=key, target=target))
    else:
        row.target = target


def _existing(month: str) -> dict[int | None, MonthlyTarget]:
    return {row.department_id: row for row in db.session.scalars(
        select(MonthlyTarget).where(MonthlyTarget.month == month))}


@contextmanager
def _same_time_guard():
    """Write inside a savepoint: when someone else saved a target of the same month between
    our read and our write, the unique constraint answers and we say so (409), with nothing
    of ours written."""
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except IntegrityError:
        raise Conflict(str(_l("Someone else saved targets of this month at the same time. "
                              "Reload the page and try again.")), code="targets_changed") from None


def set_targets(month: str, org_target: int | None, department_targets: dict[str, int] | None,
                actor: User, *, ip: str | None = None) -> MonthTargets:
    """Set ``month``'s organisation target (None removes it) and replace its department
    targets with ``department_targets`` ({code: target}); HR only, all or nothing."""
    _require_hr(actor)
    month = check_month(month)
    if org_target is not None:
        _check_target(org_target, str(_l("Organisation")))
    wanted = dict(department_targets or {})
    for code, value in wanted.items():
        _check_target(value, str(code))
    departments = _departments_by_code(wanted)
    unknown = sorted(str(code) for code in wanted if code not in departments)
    if unknown:
        raise DomainError(str(_l("Unknown department code: %(codes)s",
                                 codes=", ".join(unknown))), field="departments")
    # Everything is checked above, so the writes below cannot half-fail on bad input.
    with _same_time_guard():
        existing = _existing(month)
        keep = {departments[code].id for code in wanted} | (
            {None} if org_target is not None else set())
        for key, row in existing.items():
            if key not in keep:
                db.session.delete(row)
        if org_target is not None:
            _upsert(month, None, org_target, existing)
        for code, value in wanted.items():
            _upsert(month, departments[code], value, existing)
    audit("telework.targets_set", actor=actor, ip=ip, target=f"month:{month}", month=month,
          org_target=org_target, departments=dict(sorted(wanted.items())))
    return get_targets(month)


# --- CSV import ------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (BOM or not), else Shift_JIS as Windows writes it."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
    else:
        encodings = ("utf-8", "cp932")
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise DomainError(str(_l("The file is neither UTF-8 nor Shift_JIS text.")), field="file")


def _parse_row(line: int, cells: list[str], departments: dict[str, Department]) -> ImportRow:
    cells = [unicodedata.normalize("NFKC", c).strip() for c in cells]
    month, code, raw_target = (cells + ["", "", ""])[:3]
    row = ImportRow(line, month, code or None, None)
    if len(cells) != 3:
        row.error = str(_l("Expected 3 columns, found %(n)d.", n=len(cells)))
        return row
    if not valid_month(month):
        row.error = str(_l("A month is written YYYY-MM, e.g. 2026-04."))
        return row
    if code and code not in departments:
        row.error = str(_l("Unknown department code: %(codes)s", codes=code))
        return row
    # NFKC has already turned full-width digits (１２００) into ASCII ones.
    if not _DIGITS.match(raw_target) or int(raw_target) > MAX_TARGET:
        row.error = str(_l("A target is a whole number from 0 to %(max)d.", max=MAX_TARGET))
        return row
    row.target = int(raw_target)
    return row


def import_targets_csv(file_bytes: bytes, actor: User, *, ip: str | None = None) -> ImportReport:
    """Import targets from CSV ``month,department,target`` (department empty = organisation).

    Each row sets one target; targets not in the file stay as they are. A file-level problem
    (too large, not text, wrong header, no rows) raises DomainError; row problems are listed
    in the report, and then nothing is imported.
    """
    _require_hr(actor)
    if len(file_bytes) > MAX_CSV_BYTES:
        raise DomainError(str(_l("The file is too large (%(n)d KB at most).",
                                 n=MAX_CSV_BYTES // 1024)), field="file")
    text, encoding = _decode(file_bytes)
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        # line_num: the file's line where the record ends, as a spreadsheet user counts.
        lines = [(reader.line_num, cells) for cells in reader if any(c.strip() for c in cells)]
    except csv.Error:
        raise DomainError(str(_l("The file is not valid CSV.")), field="file") from None
    if not lines or tuple(c.strip().lower() for c in lines[0][1]) != CSV_HEADER:
        raise DomainError(str(_l("The first line must be: month,department,target")),
                          field="file")
    data = lines[1:]
    if not data:
        raise DomainError(str(_l("The file has no targets.")), field="file")
    if len(data) > MAX_CSV_ROWS:
        raise DomainError(str(_l("The file has too many rows (%(n)d at most).",
                                 n=MAX_CSV_ROWS)), field="file")
    codes = {unicodedata.normalize("NFKC", c[1]).strip() for _n, c in data if len(c) > 1}
    departments = _departments_by_code(code for code in codes if code)
    rows, seen = [], {}
    for line, cells in data:
        row = _parse_row(line, cells, departments)
        key = (row.month, row.department)
        if row.error is None and key in seen:
            row.error = str(_l("Same month and department as line %(line)d.", line=seen[key]))
        seen.setdefault(key, line)
        rows.append(row)
    if any(row.error for row in rows):
        return ImportReport(rows, False, encoding)
    existing: dict[str, dict[int | None, MonthlyTarget]] = {}
    with _same_time_guard():
        for row in rows:
            current = existing.setdefault(row.month, _existing(row.month))
            dept = departments[row.department] if row.department else None
            _upsert(row.month, dept, row.target, current)
    audit("telework.targets_imported", actor=actor, ip=ip, rows=len(rows),
          months=sorted({row.month for row in rows}), encoding=encoding)
    return ImportReport(rows, True, encoding)
