"""Pages for HR and administrators: monthly targets (with CSV import and a template) and the
telework policies of the organisation and its departments.

Routes live on the ``telework_sessions`` blueprint (see ``views_sessions``). Setting targets
is HR's (``targets.set_targets``); policies may be changed by HR and administrators.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workhub.admin.queries import department_tree
from workhub.auth.permissions import roles_required
from workhub.businessdays import month_of
from workhub.clock import office_today
from workhub.errors import DomainError
from workhub.exports_common import download
from workhub.extensions import db
from workhub.org.models import Department
from workhub.request_limits import body_limit, file_limit
from workhub.telework import policy as policy_svc
from workhub.telework import targets as targets_svc
from workhub.telework.forms_sessions import (
    EmptyForm,
    MonthPickForm,
    PolicyForm,
    TargetsImportForm,
    targets_form,
    whole_number,
)
from workhub.telework.months import valid_month
from workhub.telework.permissions import is_hr
from workhub.telework.views_sessions import (
    acting_user,
    attach_error,
    bad_month,
    bp,
    client_ip,
    error_status,
    month_arg,
    neighbour_months,
)
from workhub.web import select_locale


@dataclass
class DeptRow:
    """A department in tree order, with its depth and its path of names."""

    department: Department
    depth: int
    label: str


def _departments() -> list[DeptRow]:
    language = select_locale()
    rows: list[DeptRow] = []

    def walk(nodes, trail):
        for node in nodes:
            dept = node.department
            names = [*trail, dept.name(language)]
            rows.append(DeptRow(dept, len(trail), " › ".join(names)))
            walk(node.children, names)

    walk(department_tree(), [])
    return rows


# --- targets ---------------------------------------------------------------------------------


def _targets_form(rows: list[DeptRow], month: str, *, from_request: bool):
    fields = [(row.department.id, row.label) for row in rows]
    if from_request:
        return targets_form(fields)
    current = targets_svc.get_targets(month)
    data = {"for_month": month,
            "org_target": "" if current.org_target is None else str(current.org_target)}
    for row in rows:
        value = current.departments.get(row.department.code)
        data[f"dept_{row.department.id}"] = "" if value is None else str(value)
    return targets_form(fields, formdata=None, data=data)


def _targets_page(month: str, *, form=None, import_form=None, report=None, errors=(),
                  status: int = 200):
    rows = _departments()
    previous, following = neighbour_months(month)
    return render_template(
        "telework/targets.html", month=month, previous_month=previous, next_month=following,
        rows=rows, form=form or _targets_form(rows, month, from_request=False),
        pick_form=MonthPickForm(formdata=None, data={"month": month}),
        import_form=import_form or TargetsImportForm(formdata=None), report=report,
        may_change=is_hr(acting_user()), errors=list(errors),
    ), status


@bp.get("/targets")
@roles_required("hr", "admin")
def targets():
    month = month_arg()
    if month is None:
        return bad_month()
    return _targets_page(month)


@bp.post("/targets")
@roles_required("hr")
def save_targets():
    rows = _departments()
    form = _targets_form(rows, "", from_request=True)
    month = form.for_month.data if valid_month(form.for_month.data or "") else None
    errors: list[str] = []
    if form.validate_on_submit():
        wanted = {}
        for row in rows:
            value = whole_number(form[f"dept_{row.department.id}"].data)
            if value is not None:
                wanted[row.department.code] = value
        try:
            result = targets_svc.set_targets(form.for_month.data or "",
                                             whole_number(form.org_target.data), wanted,
                                             acting_user(), ip=client_ip())
        except DomainError as exc:
            errors = attach_error(form, exc)
        else:
            db.session.commit()
            flash(_("The targets of %(month)s have been saved.", month=result.month),
                  "success")
            return redirect(url_for("telework_sessions.targets", month=result.month), 303)
    return _targets_page(month or month_of(office_today()), form=form, errors=errors,
                         status=400)


@bp.post("/targets/import")
@body_limit(file_limit(targets_svc.MAX_CSV_BYTES))
@roles_required("hr")
def import_targets():
    form = TargetsImportForm()
    report = None
    errors: list[str] = []
    if form.validate_on_submit():
        data = form.file.data.read(targets_svc.MAX_CSV_BYTES + 1)
        try:
            report = targets_svc.import_targets_csv(data, acting_user(), ip=client_ip())
        except DomainError as exc:
            errors = attach_error(form, exc)
        else:
            if report.imported:
                db.session.commit()
                flash(_("%(n)d targets have been imported.", n=len(report.rows)), "success")
                return redirect(url_for("telework_sessions.targets",
                                        month=report.rows[0].month), 303)
            db.session.rollback()
            errors = [_("Nothing was imported: correct the rows marked below and upload the "
                        "file again.")]
    return _targets_page(month_of(office_today()), import_form=form, report=report,
                         errors=errors, status=400)


@bp.get("/targets/template.csv")
@roles_required("hr", "admin")
def targets_template():
    month = month_arg()
    if month is None:
        return bad_month()
    current = targets_svc.get_targets(month)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(targets_svc.CSV_HEADER)
    writer.writerow([month, "", "" if current.org_target is None else current.org_target])
    for row in _departments():
        code = row.department.code
        writer.writerow([month, code, current.departments.get(code, "")])
    # UTF-8 with a BOM, so Excel opens the Japanese text correctly.
    return download("\ufeff" + out.getvalue(), "text/csv", f"telework-targets-{month}.csv")


# --- policies --------------------------------------------------------------------------------


@dataclass
class PolicyRow:
    """Where a policy applies, its effective values, and where they come from."""

    department: Department | None
    label: str
    depth: int
    view: policy_svc.PolicyView
    source: str
    own: bool


def _is_own(department: Department | None, view: policy_svc.PolicyView) -> bool:
    """Whether ``view`` comes from ``department``'s own row (the organisation's, for None)."""
    if department is None:
        return view.source == "organisation"
    return view.source == "department" and view.department_id == department.id


def _source_text(department: Department | None, view: policy_svc.PolicyView,
                 names: dict[int, str]) -> str:
    if view.source == "builtin":
        return _("Built-in default")
    if view.source == "organisation":
        return _("Organisation default")
    if department is not None and view.department_id == department.id:
        return _("Own policy")
    return _("From %(name)s", name=names.get(view.department_id, "?"))


def _policy_rows() -> list[PolicyRow]:
    rows = _departments()
    names = {row.department.id: row.department.name(select_locale()) for row in rows}
    org = policy_svc.effective_policy(None)
    out = [PolicyRow(None, _("Whole organisation (default)"), 0, org,
                     _source_text(None, org, names), _is_own(None, org))]
    for row in rows:
        view = policy_svc.effective_policy(row.department)
        out.append(PolicyRow(row.department, row.label, row.depth + 1, view,
                             _source_text(row.department, view, names),
                             _is_own(row.department, view)))
    return out


@bp.get("/policies")
@roles_required("hr", "admin")
def policies():
    return render_template("telework/policy_list.html", rows=_policy_rows(),
                           clear_form=EmptyForm(formdata=None))


def _policy_form(view: policy_svc.PolicyView) -> PolicyForm:
    data = {name: ("" if value is None else str(value))
            for name, value in view.values().items() if name.startswith(("max_", "warn_"))}
    data.update(deadline_business_days=str(view.deadline_business_days),
                deadline_time=view.deadline_time.strftime("%H:%M"),
                approval_required=view.approval_required,
                allow_unplanned_sessions=view.allow_unplanned_sessions)
    return PolicyForm(formdata=None, data=data)


def _policy_edit(department: Department | None):
    view = policy_svc.effective_policy(department)
    names = {department.id: department.name(select_locale())} if department else {}
    if view.department_id is not None and view.department_id not in names:
        ancestor = db.session.get(Department, view.department_id)
        names[ancestor.id] = ancestor.name(select_locale())
    own = _is_own(department, view)
    if request.method == "GET":
        form, errors, status = _policy_form(view), [], 200
    else:
        form, errors, status = PolicyForm(), [], 400
        if form.validate_on_submit():
            try:
                policy_svc.set_policy(department, actor=acting_user(), **form.values())
            except DomainError as exc:
                errors, status = attach_error(form, exc), error_status(exc)
            else:
                db.session.commit()
                flash(_("The policy has been saved."), "success")
                return redirect(url_for("telework_sessions.policies"), 303)
    return render_template(
        "telework/policy_edit.html", department=department, form=form, own=own,
        name=department.name(select_locale()) if department else
        _("Whole organisation (default)"),
        source=_source_text(department, view, names), clear_form=EmptyForm(formdata=None),
        errors=errors,
    ), status


@bp.route("/policies/organisation", methods=["GET", "POST"])
@roles_required("hr", "admin")
def policy_organisation():
    return _policy_edit(None)


@bp.route("/policies/<int:dept_id>", methods=["GET", "POST"])
@roles_required("hr", "admin")
def policy_department(dept_id: int):
    department = db.session.get(Department, dept_id)
    if department is None:
        abort(404)
    return _policy_edit(department)


@bp.post("/policies/<int:dept_id>/clear")
@roles_required("hr", "admin")
def policy_clear(dept_id: int):
    department = db.session.get(Department, dept_id)
    if department is None:
        abort(404)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    if policy_svc.clear_policy(department, actor=acting_user()):
        db.session.commit()
        flash(_("%(name)s follows the policy above it again.",
                name=department.name(select_locale())), "success")
    else:
        flash(_("%(name)s had no policy of its own.", name=department.name(select_locale())),
              "info")
    return redirect(url_for("telework_sessions.policies"), 303)
