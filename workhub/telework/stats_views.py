"""Telework dashboard (everyone) and statistics (HR, admins, managers): pages, SVG charts and
CSV/XLSX exports. Read-only: the figures come from ``stats`` and ``stats_hr``."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from workhub import charts
from workhub.auth.permissions import roles_required
from workhub.businessdays import month_of
from workhub.exports_common import download
from workhub.org.tree import indented_choices
from workhub.telework import exports, stats, stats_hr
from workhub.telework.models import PLACES, SLOTS
from workhub.web import render_error, select_locale

bp = Blueprint("telework_stats", __name__)

STATS_ROLES = ("hr", "admin", "manager")
CHART_KINDS = ("month", "weekday", "place", "department")


def local_today() -> date:
    """Today in the office's time zone."""
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


@bp.context_processor
def _helpers():
    return {
        "num": charts.number_text,
        "place_labels": exports.PLACE_LABELS,
        "slot_labels": exports.SLOT_LABELS,
        "weekday_names": exports.weekday_names(),
    }


# --- the dashboard ---------------------------------------------------------------------


@bp.get("/telework/")
@login_required
def dashboard():
    data = stats.dashboard(current_user, local_today(), select_locale())
    return render_template("telework/dashboard.html", data=data)


@bp.get("/telework/charts/trend.svg")
@login_required
def trend_chart():
    scope = stats.visible_scope(current_user)
    points = stats.trend(scope, month_of(local_today()))
    series = [(_("Sessions"), [p.actual for p in points])]
    if any(p.target is not None for p in points):
        series.append((_("Target (sessions)"), [p.target for p in points]))
    if scope.kind == "all":
        series.append((_("Baseline (September 2020)"), [p.baseline for p in points]))
    return charts.svg_response(charts.line_chart(_("Remote-work sessions per month"),
                                                 [p.month for p in points], series))


@bp.get("/telework/charts/departments.svg")
@login_required
def departments_chart():
    scope = stats.visible_scope(current_user)
    rows = charts.top_rows(
        stats.dashboard_departments(scope, month_of(local_today()), select_locale()))
    return charts.svg_response(charts.bar_chart(
        _("Sessions this month by department"),
        [row.name or _("No department") for row in rows],
        [(_("Sessions"), [row.actual for row in rows]),
         (_("Target (sessions)"), [row.target for row in rows])],
        horizontal=True, no_data_text=_("No departments to show"),
    ))


# --- statistics ------------------------------------------------------------------------


class StatsFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    start = StringField(_l("From (month)"), name="from",
                        render_kw={"type": "month", "inputmode": "numeric"})
    end = StringField(_l("To (month)"), name="to",
                      render_kw={"type": "month", "inputmode": "numeric"})
    department = SelectField(_l("Department (with its sub-departments)"), validate_choice=False)
    place = SelectField(_l("Place"), validate_choice=False)
    slot = SelectField(_l("Slot"), validate_choice=False,
                       description=_l("Sessions without a booking count as a full day."))


_FIELD_FOR = {"from": "start", "to": "end", "department": "department", "place": "place",
              "slot": "slot"}


def _filter_form(scope: stats.Scope, language: str) -> StatsFilterForm:
    form = StatsFilterForm(request.args)
    form.department.choices = [("", _("All departments you can see"))] + (
        indented_choices(stats.department_ids_of(scope), language))
    form.place.choices = [("", _("Any place"))] + [(p, exports.PLACE_LABELS[p]) for p in PLACES]
    form.slot.choices = [("", _("Any slot"))] + [(s, exports.SLOT_LABELS[s]) for s in SLOTS]
    return form


def _parse(scope: stats.Scope):
    """The checked filter and narrowed scope from the query string (FilterError if bad)."""
    args = request.args
    return stats_hr.parse_filter(
        scope, local_today(), from_month=args.get("from"), to_month=args.get("to"),
        department=args.get("department"), place=args.get("place"), slot=args.get("slot"),
    )


@bp.get("/telework/stats")
@roles_required(*STATS_ROLES)
def statistics():
    language = select_locale()
    scope = stats.visible_scope(current_user)
    form = _filter_form(scope, language)
    try:
        flt, narrowed = _parse(scope)
    except stats_hr.FilterError as exc:
        getattr(form, _FIELD_FOR.get(exc.field or "", "start")).errors = [exc.message]
        return render_template("telework/stats.html", form=form, result=None,
                               error=exc.message), 400
    result = stats_hr.statistics(narrowed, flt, language)
    tables = exports.tables(result)
    return render_template("telework/stats.html", form=form, result=result, error=None,
                           tables=tables, args=flt.args(),
                           cells={name: charts.table_cells(table.rows)
                                  for name, table in tables.items()})


def _statistics_or_400(departments: bool = True):
    scope = stats.visible_scope(current_user)
    try:
        flt, narrowed = _parse(scope)
    except stats_hr.FilterError as exc:
        return None, render_error(400, exc.message, exc.code)
    return stats_hr.statistics(narrowed, flt, select_locale(), departments=departments), None


@bp.get("/telework/stats/charts/<kind>.svg")
@roles_required(*STATS_ROLES)
def statistics_chart(kind: str):
    if kind not in CHART_KINDS:
        abort(404)
    result, error = _statistics_or_400(departments=kind == "department")
    if error:
        return error
    table = exports.tables(result)[kind]
    labels = [str(row[0]) for row in table.rows]
    if kind == "department":
        shown = charts.top_rows(result.by_department)
        labels = [row.name or _("No department") for row in shown]
        series = [(_("Sessions (with sub-departments)"), [row.actual for row in shown])]
    else:
        series = [(_("Sessions"), [row[1] for row in table.rows])]
    if kind == "month" and result.target is not None:
        series.append((_("Target (sessions)"), [row[3] for row in table.rows]))
    return charts.svg_response(charts.bar_chart(
        table.title, labels, series, horizontal=kind == "department",
        no_data_text=_("No sessions")))


@bp.get("/telework/stats/export.csv")
@roles_required(*STATS_ROLES)
def export_csv():
    name = request.args.get("table") or "month"
    if name not in exports.TABLES:
        return render_error(400, _("Choose a table to export: month, weekday, place or "
                                   "department."), "invalid_table")
    result, error = _statistics_or_400(departments=name == "department")
    if error:
        return error
    flt = result.filter
    return download(exports.to_csv(exports.tables(result)[name]), "text/csv",
                    f"telework-{name}-{flt.first_month}-{flt.last_month}.csv",
                    audit_as="telework.statistics")


@bp.get("/telework/stats/export.xlsx")
@roles_required(*STATS_ROLES)
def export_xlsx():
    result, error = _statistics_or_400()
    if error:
        return error
    flt = result.filter
    return download(
        exports.to_xlsx(result),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"telework-statistics-{flt.first_month}-{flt.last_month}.xlsx",
        audit_as="telework.statistics")
