"""The statistics tables as CSV (for Excel: UTF-8 with BOM, CRLF) and as an XLSX workbook.

Headers and labels are in the language of the request (Flask-Babel). Text that a
spreadsheet would run as a formula (a department called ``=HYPERLINK(...)``) is neutralised:
in CSV it is prefixed with ``'``; in XLSX the cell is stored as text.
"""

from __future__ import annotations

import io

from babel.dates import get_day_names
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook

from workhub.exports_common import Table, csv_bytes
from workhub.exports_common import write_sheet as _write_sheet
from workhub.telework.stats_hr import Statistics

TABLES = ("month", "weekday", "place", "department")

PLACE_LABELS = {"home": _l("At home"), "satellite": _l("Satellite office"), "other": _l("Other")}
SLOT_LABELS = {"full": _l("Full day"), "am": _l("Morning"), "pm": _l("Afternoon")}


def weekday_names() -> dict[int, str]:
    """Monday=0 … Sunday=6 in the request's language."""
    return dict(get_day_names("wide", locale=get_locale()))


def percent(actual: int, target: int | None) -> float | None:
    return round(100.0 * actual / target, 1) if target else None


def tables(st: Statistics) -> dict[str, Table]:
    """The four breakdowns of ``st`` as plain rows (numbers stay numbers; hours 1 decimal)."""
    sessions, hours, target = _("Sessions"), _("Hours"), _("Target (sessions)")
    achievement = _("Achievement (%)")
    days = weekday_names()
    return {
        "month": Table("month", _("By month"), [_("Month"), sessions, hours, target, achievement],
                       [[f.key, f.count, round(f.hours, 1), f.target, percent(f.count, f.target)]
                        for f in st.by_month]),
        "weekday": Table("weekday", _("By weekday"), [_("Weekday"), sessions, hours],
                         [[days[f.key], f.count, round(f.hours, 1)] for f in st.by_weekday]),
        "place": Table("place", _("By place"), [_("Place"), sessions, hours],
                       [[str(PLACE_LABELS[f.key]), f.count, round(f.hours, 1)]
                        for f in st.by_place]),
        "department": Table(
            "department", _("By department"),
            [_("Code"), _("Department"), _("Parent code"), _("Level"), _("Sessions (own)"),
             _("Sessions (with sub-departments)"), _("Hours (with sub-departments)"), target,
             achievement],
            [[row.code, row.name or _("No department"), row.parent_code or "", row.depth + 1,
              row.own, row.actual, round(row.hours, 1), row.target,
              percent(row.actual, row.target)]
             for row in st.by_department],
        ),
    }


def to_csv(table: Table) -> bytes:
    """One table as CSV: UTF-8 with a BOM (Excel then reads Japanese), CRLF line ends."""
    return csv_bytes(table.headers, table.rows)


def _filter_rows(st: Statistics) -> list[tuple[str, object]]:
    flt = st.filter
    return [
        (_("From (month)"), flt.first_month),
        (_("To (month)"), flt.last_month),
        (_("Department"), flt.department_code or _("All you can see")),
        (_("Place"), str(PLACE_LABELS[flt.place]) if flt.place else _("Any")),
        (_("Slot"), str(SLOT_LABELS[flt.slot]) if flt.slot else _("Any")),
        (_("Sessions"), st.count),
        (_("Hours"), round(st.hours, 1)),
        (_("Target (sessions)"), st.target),
        (_("Achievement (%)"), percent(st.count, st.target)),
    ]


def to_xlsx(st: Statistics) -> bytes:
    """The filter, the totals and every breakdown, one sheet each."""
    book = Workbook()
    summary = book.active
    summary.title = _("Summary")[:31]
    _write_sheet(summary, [_("Item"), _("Value")], [list(r) for r in _filter_rows(st)])
    for table in tables(st).values():
        _write_sheet(book.create_sheet(table.title[:31]), table.headers, table.rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
