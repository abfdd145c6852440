"""Admin pages: users and their roles, departments, the audit log. Administrators only."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from workhub.admin.forms import (
    AuditFilterForm,
    DeleteForm,
    DepartmentCreateForm,
    DepartmentEditForm,
    PasswordResetForm,
    RolesForm,
    TokenFilterForm,
    UserActiveForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
)
from workhub.admin.queries import (
    audit_event_names,
    day_range,
    department_tree,
    parse_page,
    search_audit,
    search_tokens,
    search_users,
)
from workhub.auth.passwords import login_digest
from workhub.auth.permissions import roles_required
from workhub.auth.services import revoke_token
from workhub.auth.sessions import end_all_sessions, live_sessions
from workhub.auth.throttle import ThrottleSettings, paused_until
from workhub.errors import Conflict, DomainError
from workhub.extensions import db
from workhub.main.forms import EmptyForm
from workhub.org.accounts import (
    admin_create_user,
    admin_set_user_roles,
    admin_update_user,
    reset_user_password,
)
from workhub.org.models import Department, User
from workhub.org.services import create_department, delete_department, update_department
from workhub.org.tree import path_choices
from workhub.view_helpers import acting_user, attach_error, client_ip, get_or_404

bp = Blueprint("admin", __name__, url_prefix="/admin")


# --- helpers ----------------------------------------------------------------------------


def _language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else current_app.config["DEFAULT_LANGUAGE"]


def _department_options(*, exclude: set[int] | None = None, empty_label: str):
    return [("", empty_label), *path_choices(_language(), exclude=exclude or ())]


def _filter_args(form) -> dict[str, str]:
    """The filters in use, for the page links (only known fields, never raw query args)."""
    args = {}
    for name, value in form.data.items():
        if value in (None, ""):
            continue
        args[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return args


# --- users ------------------------------------------------------------------------------


@bp.get("/users")
@roles_required("admin")
def users():
    form = UserFilterForm(request.args)
    form.department.choices = _department_options(empty_label=_("All departments"))
    if not form.validate():
        return render_template("admin/users.html", form=form, result=None, args={}), 400
    result = search_users(
        q=form.q.data or "",
        department_code=form.department.data,
        role=form.role.data,
        active=form.active.data,
        source=form.source.data,
        sort=form.sort.data,
        page=parse_page(request.args.get("page")),
    )
    return render_template("admin/users.html", form=form, result=result, args=_filter_args(form))


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def user_new():
    form = UserCreateForm()
    form.department.choices = _department_options(empty_label=_("(none)"))
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            user = admin_create_user(
                form.login.data,
                display_name=form.display_name.data,
                kana=form.kana.data,
                email=form.email.data,
                department_code=form.department.data or None,
                roles=form.roles.data,
                password=form.password.data,
                actor=acting_user(),
                ip=client_ip(),
            )
        except DomainError as exc:
            errors = attach_error(form, exc)
        else:
            db.session.commit()
            flash(_("The account %(login)s has been created.", login=user.login), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_new.html", form=form, errors=errors), status


def _profile_form(user: User, *, from_request: bool):
    form_class = UserActiveForm if user.auth_source == "ldap" else UserEditForm
    if from_request:
        form = form_class()
    else:
        form = form_class(
            formdata=None,
            data={
                "active": user.active,
                "display_name": user.display_name,
                "kana": user.kana,
                "email": user.email,
                "department": user.department.code if user.department else "",
            },
        )
    if isinstance(form, UserEditForm):
        form.department.choices = _department_options(empty_label=_("(none)"))
    return form


def _user_page(user: User, *, profile_form=None, roles_form=None, password_form=None,
               errors=(), status: int = 200):
    return render_template(
        "admin/user_edit.html",
        user=user,
        profile_form=profile_form or _profile_form(user, from_request=False),
        roles_form=roles_form or RolesForm(formdata=None, data={"roles": sorted(user.roles)}),
        password_form=password_form or PasswordResetForm(formdata=None),
        live_sessions=len(live_sessions(user)),
        paused_until=paused_until(login_digest(user.login),
                                  ThrottleSettings.from_config(current_app.config)),
        errors=list(errors),
    ), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def user_edit(user_id: int):
    user = get_or_404(User, user_id)
    if request.method == "GET":
        return _user_page(user)
    form = _profile_form(user, from_request=True)
    errors: list[str] = []
    if form.validate_on_submit():
        fields = {}
        if isinstance(form, UserEditForm):
            fields = {
                "display_name": form.display_name.data,
                "kana": form.kana.data,
                "email": form.email.data,
                "department_code": form.department.data or None,
            }
        try:
            admin_update_user(user, active=form.active.data, actor=acting_user(), ip=client_ip(),
                              **fields)
        except DomainError as exc:
            errors = attach_error(form, exc)
        else:
            db.session.commit()
            flash(_("The account %(login)s has been saved.", login=user.login), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id), 303)
    return _user_page(user, profile_form=form, errors=errors, status=400)


@bp.post("/users/<int:user_id>/roles")
@roles_required("admin")
def user_roles(user_id: int):
    user = get_or_404(User, user_id)
    form = RolesForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            admin_set_user_roles(user, form.roles.data, actor=acting_user(), ip=client_ip())
        except DomainError as exc:
            errors = attach_error(form, exc, shown=user.auth_source == "local")
        else:
            db.session.commit()
            flash(_("The roles of %(login)s have been saved.", login=user.login), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id), 303)
    return _user_page(user, roles_form=form, errors=errors, status=400)


@bp.post("/users/<int:user_id>/password")
@roles_required("admin")
def user_password(user_id: int):
    user = get_or_404(User, user_id)
    form = PasswordResetForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            reset_user_password(user, form.password.data, actor=acting_user(), ip=client_ip())
        except DomainError as exc:
            errors = attach_error(form, exc, shown=user.auth_source == "local")
        else:
            db.session.commit()
            flash(_("The password of %(login)s has been reset.", login=user.login), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id), 303)
    return _user_page(user, password_form=form, errors=errors, status=400)


@bp.post("/users/<int:user_id>/sessions/end")
@roles_required("admin")
def user_sessions_end(user_id: int):
    user = get_or_404(User, user_id)
    if not EmptyForm().validate_on_submit():
        return _user_page(user, status=400)
    end_all_sessions(user, actor=acting_user(), ip=client_ip())
    db.session.commit()
    flash(_("Every sign-in of %(login)s has ended.", login=user.login), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id), 303)


# --- departments ------------------------------------------------------------------------


@bp.get("/departments")
@roles_required("admin")
def departments():
    return render_template("admin/departments.html", tree=department_tree())


@bp.route("/departments/new", methods=["GET", "POST"])
@roles_required("admin")
def department_new():
    form = DepartmentCreateForm()
    form.parent.choices = _department_options(empty_label=_("(top level)"))
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            dept = create_department(
                form.code.data, form.name_ja.data, form.name_en.data or None,
                form.parent.data or None,
            )
        except DomainError as exc:
            errors = attach_error(form, exc)
        else:
            db.session.commit()
            flash(_("The department %(code)s has been created.", code=dept.code), "success")
            return redirect(url_for("admin.departments"), 303)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/department_form.html", form=form, department=None, errors=errors
    ), status


def _department_page(dept: Department, form=None, errors=(), status: int = 200):
    if form is None:
        form = DepartmentEditForm(
            formdata=None,
            data={
                "name_ja": dept.name_ja,
                "name_en": dept.name_en,
                "parent": dept.parent.code if dept.parent else "",
            },
        )
    # A department cannot move below itself, so its own subtree is not offered.
    form.parent.choices = _department_options(
        exclude=dept.subtree_ids(), empty_label=_("(top level)")
    )
    return render_template(
        "admin/department_form.html",
        form=form,
        department=dept,
        delete_form=DeleteForm(formdata=None),
        errors=list(errors),
    ), status


@bp.route("/departments/<int:dept_id>", methods=["GET", "POST"])
@roles_required("admin")
def department_edit(dept_id: int):
    dept = get_or_404(Department, dept_id)
    if request.method == "GET":
        return _department_page(dept)
    form = DepartmentEditForm()
    form.parent.choices = _department_options(
        exclude=dept.subtree_ids(), empty_label=_("(top level)")
    )
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            update_department(dept, form.name_ja.data, form.name_en.data or None,
                              form.parent.data or None)
        except DomainError as exc:
            errors = attach_error(form, exc)
        else:
            db.session.commit()
            flash(_("The department %(code)s has been saved.", code=dept.code), "success")
            return redirect(url_for("admin.departments"), 303)
    return _department_page(dept, form, errors, 400)


@bp.post("/departments/<int:dept_id>/delete")
@roles_required("admin")
def department_delete(dept_id: int):
    dept = get_or_404(Department, dept_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        return _department_page(dept, status=400)
    code = dept.code
    try:
        delete_department(dept)
    except Conflict as exc:
        db.session.rollback()
        return _department_page(dept, errors=[exc.message], status=409)
    db.session.commit()
    flash(_("The department %(code)s has been deleted.", code=code), "success")
    return redirect(url_for("admin.departments"), 303)


# --- audit log --------------------------------------------------------------------------


@bp.get("/audit")
@roles_required("admin")
def audit():
    form = AuditFilterForm(request.args)
    form.event.choices = [("", _("All events"))] + [(e, e) for e in audit_event_names()]
    if not form.validate():
        return render_template("admin/audit.html", form=form, result=None, args={}), 400
    start, end = day_range(form.date_from.data, form.date_to.data,
                           current_app.config["TIMEZONE"])
    result = search_audit(
        event=form.event.data,
        actor=form.actor.data or "",
        target=form.target.data or "",
        start=start,
        end=end,
        page=parse_page(request.args.get("page")),
    )
    return render_template("admin/audit.html", form=form, result=result, args=_filter_args(form))


# --- API tokens -------------------------------------------------------------------------


@bp.get("/tokens")
@roles_required("admin")
def tokens():
    form = TokenFilterForm(request.args)
    if not form.validate():
        return render_template("admin/tokens.html", form=form, result=None, args={}), 400
    result = search_tokens(q=form.q.data or "", status=form.status.data,
                           page=parse_page(request.args.get("page")))
    return render_template("admin/tokens.html", form=form, result=result,
                           args=_filter_args(form))


@bp.post("/tokens/<int:token_id>/revoke")
@roles_required("admin")
def token_revoke(token_id: int):
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    row = revoke_token(token_id, owner=None, actor=acting_user(),
                       ip=request.remote_addr)
    db.session.commit()
    flash(_("The token %(name)s of %(login)s has been revoked.", name=row.name,
            login=row.user.login), "success")
    return redirect(url_for("admin.tokens"), 303)
