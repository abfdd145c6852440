"""The approval delegates page: managers (for their departments), HR and administrators name
who may approve remote-work bookings on the managers' behalf, and remove them.

The rules are in ``workhub.telework.delegates``; this module reads the form and shows the list.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from workhub.auth.permissions import roles_required
from workhub.clock import office_today
from workhub.errors import DomainError
from workhub.extensions import db
from workhub.org.models import Department, User
from workhub.org.tree import path_choices, path_label
from workhub.telework import delegates as svc
from workhub.telework.models import ApprovalDelegate
from workhub.view_helpers import acting_user
from workhub.web import select_locale

bp = Blueprint("telework_delegates", __name__, url_prefix="/telework")

ROLES = ("manager", "hr", "admin")


class DelegateForm(FlaskForm):
    """Department (by code), the delegate's login ID and an optional last day."""

    # Not limited to the offered choices here: a department the actor may not manage is the
    # service's to refuse (403), an unknown one is refused below (400).
    department = SelectField(_l("Department"), validate_choice=False,
                             validators=[DataRequired(_l("Choose a department."))])
    login = StringField(_l("Login ID of the delegate"),
                        filters=[lambda v: v.strip() if isinstance(v, str) else v],
                        validators=[DataRequired(_l("Enter the login ID of the delegate.")),
                                    Length(max=svc.MAX_LOGIN_LENGTH,
                                           message=_l("There is no user with that login ID."))])
    until = StringField(_l("Last day (optional)"), render_kw={"type": "date"},
                        description=_l("The delegate may approve up to and including this "
                                       "day. Leave empty for no end date."))


class RemoveForm(FlaskForm):
    """Only the CSRF token."""


def _form(actor: User, *, from_request: bool) -> DelegateForm:
    form = DelegateForm() if from_request else DelegateForm(formdata=None)
    language = select_locale()
    form.department.choices = path_choices(language,
                                           department_ids=svc.manageable_department_ids(actor))
    return form


def _page(form: DelegateForm | None = None, errors=(), status: int = 200):
    actor = acting_user()
    language = select_locale()
    return render_template(
        "telework/delegates.html",
        form=form or _form(actor, from_request=False),
        entries=[(row, path_label(dept, language), user)
                 for row, dept, user in svc.delegate_entries(actor)],
        remove_form=RemoveForm(formdata=None), today=office_today(), errors=list(errors),
    ), status


def _parse_until(text: str | None) -> date | None | str:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text) if len(text) == 10 else "bad"
    except ValueError:
        return "bad"


def _fail(form: DelegateForm, exc: DomainError):
    db.session.rollback()
    target = form._fields.get(exc.field or "")
    if target is None:
        return _page(form, [exc.message], exc.status)
    target.errors = [*target.errors, exc.message]
    return _page(form, (), exc.status)


@bp.get("/delegates")
@roles_required(*ROLES)
def delegates():
    return _page()


@bp.post("/delegates")
@roles_required(*ROLES)
def add_delegate():
    actor = acting_user()
    form = _form(actor, from_request=True)
    if not form.validate_on_submit():
        return _page(form, (), 400)
    department = db.session.scalar(select(Department).where(
        Department.code == form.department.data))
    if department is None:
        form.department.errors = [_("Choose a department from the list.")]
        return _page(form, (), 400)
    until = _parse_until(form.until.data)
    if until == "bad":
        form.until.errors = [_("Enter the last day as a date, e.g. 2026-04-30.")]
        return _page(form, (), 400)
    try:
        svc.ensure_may_manage(actor, department)
        user = svc.user_by_login(form.login.data)
        row = svc.add_delegate(department, user, until, actor, ip=request.remote_addr)
    except DomainError as exc:
        return _fail(form, exc)
    db.session.commit()
    flash(_("%(name)s may now approve the bookings of %(department)s.",
            name=user.display_name, department=department.name(select_locale())), "success")
    return redirect(url_for("telework_delegates.delegates", _anchor=f"delegate-{row.id}"), 303)


@bp.post("/delegates/<int:delegate_id>/remove")
@roles_required(*ROLES)
def remove_delegate(delegate_id: int):
    row = db.session.get(ApprovalDelegate, delegate_id)
    if row is None:
        abort(404)
    actor = acting_user()
    department = db.session.get(Department, row.department_id)
    if not svc.may_manage(actor, department):
        abort(403)
    if not RemoveForm().validate_on_submit():
        abort(400)
    user = db.session.get(User, row.user_id)
    svc.remove_delegate(row, actor, ip=request.remote_addr)
    db.session.commit()
    flash(_("%(name)s is no longer a delegate of %(department)s.",
            name=user.display_name, department=department.name(select_locale())), "success")
    return redirect(url_for("telework_delegates.delegates"), 303)
