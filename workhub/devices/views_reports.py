"""Pages of the devices package (device_reports): reports with charts and exports, and the
printable asset labels.

Thin views: load, check, validate, call a service. What each user may see is decided in
``reports.report_scope``; the labels are for IT (``labels``).
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from workhub import charts
from workhub.auth.permissions import roles_required
from workhub.clock import office_today
from workhub.devices import labels as label_service
from workhub.devices import report_exports, reports
from workhub.devices.permissions import IT_ROLES
from workhub.devices.report_exports import IT_TABLES, TABLES
from workhub.devices.reports import FilterError
from workhub.exports_common import download
from workhub.org.tree import indented_choices
from workhub.web import render_error, select_locale

bp = Blueprint("device_reports", __name__, url_prefix="/devices")

CHARTS = ("stock", "departments", "cost")
REPORT_ROLES = (*IT_ROLES, "manager")  # managers: their departments' figures only
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.context_processor
def _labels():
    return {"kind_labels": reports.KIND_LABELS, "status_labels": reports.DEVICE_STATUS_LABELS,
            "per_sheet": label_service.PER_SHEET}


# --- reports ----------------------------------------------------------------------------


class ReportFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    department = SelectField(_l("Department (with its sub-departments)"), validate_choice=False)
    days = StringField(_l("Contracts ending within (days)"),
                       render_kw={"type": "number", "min": 1, "inputmode": "numeric"})
    unconfirmed_days = StringField(_l("Receipts not confirmed for at least (days)"),
                                   render_kw={"type": "number", "min": 0,
                                              "inputmode": "numeric"})


def _filter_form(scope: reports.Scope) -> ReportFilterForm:
    form = ReportFilterForm(request.args)
    form.department.choices = [("", _("All departments you can see"))] + (
        indented_choices(scope.department_ids, select_locale()))
    return form


def _parse(scope: reports.Scope):
    args = request.args
    return reports.parse_filter(scope, department=args.get("department"), days=args.get("days"),
                                unconfirmed_days=args.get("unconfirmed_days"))


def _report_or_400(only: set[str] | None = None):
    """(report, None), or (None, an error response) for a bad filter."""
    scope = reports.report_scope(current_user)
    try:
        flt, narrowed = _parse(scope)
    except FilterError as exc:
        return None, render_error(400, exc.message, exc.code)
    return report_exports.build_report(narrowed, flt, office_today(), select_locale(), only), None


def _links(report: report_exports.Report) -> dict[str, list[tuple[str, str | None]]]:
    """Per table row: (the item's page, the loan's page)."""

    def item(row) -> str:
        if row.device_id is not None:
            return url_for("devices.device", device_id=row.device_id)
        return url_for("devices.line", line_id=row.line_id)

    out = {}
    for name in ("overdue", "unconfirmed"):
        rows = getattr(report, name) or []
        out[name] = [(item(r), url_for("device_loans.allocation", allocation_id=r.allocation_id))
                     for r in rows]
    out["contracts"] = [(url_for("devices.line", line_id=r.line_id), None)
                        for r in report.contracts or []]
    return out


@bp.get("/reports", endpoint="reports")
@roles_required(*REPORT_ROLES)
def reports_page():
    scope = reports.report_scope(current_user)
    form = _filter_form(scope)
    try:
        flt, narrowed = _parse(scope)
    except FilterError as exc:
        getattr(form, exc.field or "days").errors = [exc.message]
        return render_template("devices/reports.html", form=form, report=None,
                               error=exc.message), 400
    report = report_exports.build_report(narrowed, flt, office_today(), select_locale())
    tables = report_exports.tables(report)
    return render_template(
        "devices/reports.html", form=form, report=report, error=None, tables=tables,
        cells={name: charts.table_cells(table.rows) for name, table in tables.items()},
        links=_links(report),
        args=flt.args(), charts=CHARTS,
        sections=[name for name in TABLES if name in tables],
        kinds=reports.stock_by_kind(report.stock) if report.stock is not None else None,
    )



@bp.get("/reports/charts/<name>.svg")
@roles_required(*REPORT_ROLES)
def chart(name: str):
    if name not in CHARTS:
        abort(404)
    report, error = _report_or_400({"stock"} if name == "stock" else {"departments"})
    if error:
        return error
    if name == "stock":
        if report.stock is None:
            abort(403)
        kinds = reports.stock_by_kind(report.stock)
        return charts.svg_response(charts.bar_chart(
            _("Devices by kind and status"), [str(reports.KIND_LABELS[k]) for k in kinds],
            [(str(reports.DEVICE_STATUS_LABELS[s]), [kinds[k][s] for k in kinds])
             for s in reports.DEVICE_STATUSES],
            no_data_text=_("No devices")))
    rows = charts.top_rows(report.departments)
    labels = [row.name for row in rows]
    if name == "departments":
        rows = [row for row in rows if row.total["loans"]]
        return charts.svg_response(charts.bar_chart(
            _("Open loans by department"), [row.name for row in rows],
            [(_("Devices"), [row.total["devices"] for row in rows]),
             (_("Lines"), [row.total["lines"] for row in rows])],
            horizontal=True, no_data_text=_("No open loans")))
    rows = [row for row in rows if row.total["cost_lines"]]
    labels = [row.name for row in rows]
    return charts.svg_response(charts.bar_chart(
        _("Monthly line cost by department (yen)"), labels,
        [(_("Monthly cost (yen)"), [row.total["cost"] for row in rows])],
        horizontal=True, no_data_text=_("No lines")))


@bp.get("/reports/export.csv")
@roles_required(*REPORT_ROLES)
def export_csv():
    name = request.args.get("report") or "departments"
    if name not in TABLES:
        return render_error(400, _("Choose a report to export: %(names)s.",
                                   names=", ".join(TABLES)), "invalid_report")
    scope = reports.report_scope(current_user)
    if name in IT_TABLES and not scope.inventory:
        abort(403)
    report, error = _report_or_400({name})
    if error:
        return error
    table = report_exports.tables(report)[name]
    return download(report_exports.to_csv(table), "text/csv",
                    f"devices-{name}-{report.today.isoformat()}.csv", audit_as="devices.reports")


@bp.get("/reports/export.xlsx")
@roles_required(*REPORT_ROLES)
def export_xlsx():
    report, error = _report_or_400()
    if error:
        return error
    choices = dict(indented_choices(report.scope.department_ids, select_locale()))
    name = choices.get(report.filter.department_code or "", "").strip("\u3000") or None
    return download(report_exports.to_xlsx(report, name), XLSX,
                    f"devices-reports-{report.today.isoformat()}.xlsx", audit_as="devices.reports")


# --- labels ------------------------------------------------------------------------------


class LabelFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    kind = SelectField(_l("Kind"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
    model = SelectField(_l("Model"), validate_choice=False)
    text = StringField(_l("Asset tag, serial number or line number"),
                       render_kw={"maxlength": 100})


def _label_form() -> LabelFilterForm:
    form = LabelFilterForm(request.args)
    form.kind.choices = [("", _("Any kind"))] + [
        (k, reports.KIND_LABELS[k]) for k in reports.DEVICE_KINDS]
    form.status.choices = [("", _("Any status"))] + [
        (s, reports.DEVICE_STATUS_LABELS[s]) for s in reports.DEVICE_STATUSES]
    form.model.choices = [("", _("Any model"))] + label_service.model_choices()
    return form


def _label_filter() -> label_service.LabelFilter:
    args = request.args
    return label_service.parse_filter(kind=args.get("kind"), status=args.get("status"),
                                      model=args.get("model"), text=args.get("text"))


@bp.get("/labels")
@roles_required(*IT_ROLES)
def labels():
    form = _label_form()
    try:
        flt = _label_filter()
    except FilterError as exc:
        getattr(form, exc.field or "text").errors = [exc.message]
        return render_template("devices/labels.html", form=form, devices=None,
                               error=exc.message), 400
    devices = label_service.devices_matching(flt)
    return render_template(
        "devices/labels.html", form=form, error=None, args=flt.args(),
        devices=devices[:label_service.MAX_LABELS],
        too_many=len(devices) > label_service.MAX_LABELS, max_labels=label_service.MAX_LABELS)


def _device_url(device) -> str:
    """The absolute address of the device's page (as this request reached us), for the QR."""
    return url_for("devices.device", device_id=device.id, _external=True)


@bp.get("/labels/sheet")
@roles_required(*IT_ROLES)
def label_sheet():
    args = request.args
    try:
        skip = label_service.parse_skip(args.get("skip"))
        if args.get("all"):
            devices = label_service.devices_matching(_label_filter())
            if len(devices) > label_service.MAX_LABELS:
                raise FilterError(_("Print %(n)d labels at most at a time.",
                                    n=label_service.MAX_LABELS), field="device")
            if not devices:
                raise FilterError(_("Choose at least one device."), field="device")
        else:
            devices = label_service.devices_by_ids(args.getlist("device"))
    except FilterError as exc:
        return render_error(400, exc.message, exc.code)
    sheets = label_service.sheets(devices, _device_url, skip)
    return render_template("devices/labels_sheet.html", sheets=sheets, count=len(devices))
