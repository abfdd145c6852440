"""The device reports as tables: for the page, as CSV (UTF-8 with BOM, one report) and as an
XLSX workbook (every report the user may see, one sheet each).

Headers and labels are in the language of the request. Text a spreadsheet would run as a
formula is neutralised the way the telework exports do it (``safe_text`` in CSV, text cells
in XLSX).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from openpyxl import Workbook

from workhub.devices import report_loans, reports
from workhub.devices.models import DEVICE_STATUSES, LINE_STATUSES
from workhub.devices.report_loans import DepartmentFigures, LoanRow
from workhub.devices.reports import (
    DEVICE_STATUS_LABELS,
    KIND_LABELS,
    LINE_STATUS_LABELS,
    ReportFilter,
    Scope,
)
from workhub.exports_common import Table, csv_bytes, write_sheet

TABLES = ("stock", "lines", "departments", "overdue", "unconfirmed", "contracts", "cost")
# Inventory matters: IT only (see reports.report_scope).
IT_TABLES = frozenset({"stock", "lines", "contracts"})


def visible_tables(scope: Scope) -> tuple[str, ...]:
    return tuple(name for name in TABLES if scope.inventory or name not in IT_TABLES)


@dataclass
class Report:
    """The figures one user asked for; a report left out (not asked, or not allowed) is None."""

    scope: Scope
    filter: ReportFilter
    today: date
    stock: list[reports.StockRow] | None = None
    lines: list[reports.LineStockRow] | None = None
    departments: list[DepartmentFigures] | None = None
    overdue: list[LoanRow] | None = None
    unconfirmed: list[LoanRow] | None = None
    contracts: list[reports.ContractRow] | None = None

    @property
    def cost_total(self) -> int:
        return report_loans.top_level_total(self.departments or [], "cost")


def build_report(scope: Scope, flt: ReportFilter, today: date, language: str,
                 only: set[str] | None = None) -> Report:
    """Compute the reports in ``only`` (default: every one ``scope`` may see)."""
    wanted = set(visible_tables(scope)) & (only if only is not None else set(TABLES))
    report = Report(scope, flt, today)
    if "stock" in wanted:
        report.stock = reports.stock(scope)
    if "lines" in wanted:
        report.lines = reports.line_stock(scope)
    if wanted & {"departments", "cost"}:
        report.departments = report_loans.by_department(scope, today, language)
    if "overdue" in wanted:
        report.overdue = report_loans.overdue(scope, today, language)
    if "unconfirmed" in wanted:
        report.unconfirmed = report_loans.unconfirmed(scope, today, flt.unconfirmed_days,
                                                      language)
    if "contracts" in wanted:
        report.contracts = reports.contracts_ending(scope, today, flt.contract_days)
    return report


# --- tables ---------------------------------------------------------------------------------


def _holder(row: LoanRow) -> str:
    if row.holder_active:
        return row.holder_name
    return _("%(name)s (account closed)", name=row.holder_name)


def _loan_headers(last: list[str]) -> list[str]:
    return [_("Item"), _("Kind"), _("Description"), _("Holder"), _("Login"), _("Department"),
            _("Allocated on"), *last]


def _loan_cells(row: LoanRow) -> list[object]:
    return [row.label, str(KIND_LABELS[row.kind]), row.description, _holder(row),
            row.holder_login, row.department or _("No department"), row.allocated_on]


def contract_state(row: reports.ContractRow, today: date) -> str:
    if row.days_left < 0:
        return _("Ended")
    if row.in_window(today):
        return _("Renewal window open")
    return _("Ending soon")


def _department_cells(row: DepartmentFigures) -> list[object]:
    return [row.code if row.id is not None else "", row.name, row.depth + 1]


def tables(report: Report) -> dict[str, Table]:
    """The computed reports of ``report`` as plain rows (numbers stay numbers)."""
    out: dict[str, Table] = {}
    if report.stock is not None:
        out["stock"] = Table(
            "stock", _("Devices by model and status"),
            [_("Kind"), _("Maker"), _("Model"),
             *[str(DEVICE_STATUS_LABELS[s]) for s in DEVICE_STATUSES], _("Total")],
            [[str(KIND_LABELS[r.kind]), r.maker, r.model,
              *[r.counts[s] for s in DEVICE_STATUSES], r.total] for r in report.stock])
    if report.lines is not None:
        out["lines"] = Table(
            "lines", _("Lines by carrier and status"),
            [_("Carrier"), *[str(LINE_STATUS_LABELS[s]) for s in LINE_STATUSES], _("Total"),
             _("Monthly cost (yen, not cancelled)")],
            [[r.carrier, *[r.counts[s] for s in LINE_STATUSES], r.total, r.monthly_cost]
             for r in report.lines])
    if report.departments is not None:
        out["departments"] = Table(
            "departments", _("Open loans by department"),
            [_("Code"), _("Department"), _("Level"), _("Devices"), _("Lines"),
             _("Not confirmed"), _("Overdue"), _("Open loans (own)"),
             _("Open loans (with sub-departments)")],
            [[*_department_cells(r), *[r.own[k] for k in ("devices", "lines", "unconfirmed",
                                                           "overdue", "loans")],
              r.total["loans"]]
             for r in report.departments if r.total["loans"]])
        out["cost"] = Table(
            "cost", _("Monthly line cost by department"),
            [_("Code"), _("Department"), _("Level"), _("Lines"), _("Monthly cost (yen)"),
             _("Monthly cost with sub-departments (yen)")],
            [[*_department_cells(r), r.own["cost_lines"], r.own["cost"], r.total["cost"]]
             for r in report.departments if r.total["cost_lines"]])
    if report.overdue is not None:
        out["overdue"] = Table(
            "overdue", _("Overdue returns"),
            _loan_headers([_("Due date"), _("Days overdue")]),
            [[*_loan_cells(r), r.due_date, r.days_overdue] for r in report.overdue])
    if report.unconfirmed is not None:
        out["unconfirmed"] = Table(
            "unconfirmed", _("Receipts not confirmed"),
            _loan_headers([_("Days waiting"), _("Due date")]),
            [[*_loan_cells(r), r.days_unconfirmed, r.due_date] for r in report.unconfirmed])
    if report.contracts is not None:
        out["contracts"] = Table(
            "contracts", _("Contracts ending"),
            [_("Line"), _("Carrier"), _("Plan"), _("Status"), _("Monthly cost (yen)"),
             _("Contract end"), _("Days left"), _("Renewal window (days)"),
             _("Renewal window opens"), _("State")],
            [[r.label, r.carrier, r.plan, str(LINE_STATUS_LABELS[r.status]), r.monthly_cost,
              r.contract_end, r.days_left, r.renewal_window_days, r.window_opens,
              contract_state(r, report.today)] for r in report.contracts])
    return out


def _summary(report: Report, department_name: str | None) -> list[list[object]]:
    flt = report.filter
    rows: list[list[object]] = [
        [_("Date"), report.today.isoformat()],
        [_("Department"), department_name or _("All you can see")],
        [_("Contracts ending within (days)"), flt.contract_days],
        [_("Unconfirmed for at least (days)"), flt.unconfirmed_days],
    ]
    if report.departments is not None:
        rows.append([_("Monthly line cost (yen)"), report.cost_total])
    for name, items in (("overdue", report.overdue), ("unconfirmed", report.unconfirmed)):
        if items is not None:
            rows.append([_("Overdue returns") if name == "overdue"
                         else _("Receipts not confirmed"), len(items)])
    return rows


def to_csv(table: Table) -> bytes:
    """One report as CSV for Excel."""
    return csv_bytes(table.headers, table.rows)


def to_xlsx(report: Report, department_name: str | None = None) -> bytes:
    """A summary sheet, then every computed report on its own sheet."""
    book = Workbook()
    summary = book.active
    summary.title = _("Summary")[:31]
    write_sheet(summary, [_("Item"), _("Value")], _summary(report, department_name))
    for table in tables(report).values():
        write_sheet(book.create_sheet(table.title[:31]), table.headers, table.rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
