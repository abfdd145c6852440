"""Inventory pages besides devices and lines (on the ``devices`` blueprint): CSV import with
its preview, loan terms per kind, and who may see SIM PIN/PUK (administrators only)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workhub.auth.permissions import roles_required
from workhub.devices import importing, terms
from workhub.devices import secrets as line_secrets
from workhub.devices.forms_inventory import (
    ActionForm,
    GrantForm,
    ImportConfirmForm,
    ImportUploadForm,
    TermsForm,
    mapping_choices,
)
from workhub.devices.import_columns import COLUMNS, SECRET_COLUMNS
from workhub.devices.models import TERMS_KINDS, UserPermission
from workhub.devices.views_inventory import IT, bp
from workhub.errors import DomainError
from workhub.exports_common import csv_bytes, download
from workhub.extensions import db
from workhub.request_limits import body_limit, file_limit
from workhub.view_helpers import acting_user, attach_error, client_ip, get_or_404
from workhub.web import select_locale

MAX_PROBLEMS_SHOWN = 300
PREVIEW_ROWS = 10


# --- CSV import -------------------------------------------------------------------------------


def _upload_page(form=None, errors=(), status: int = 200):
    return render_template("devices/import.html", form=form or ImportUploadForm(formdata=None),
                           errors=list(errors), max_kb=importing.MAX_IMPORT_BYTES // 1024,
                           max_rows=importing.MAX_IMPORT_ROWS), status


@bp.get("/import")
@roles_required(*IT)
def import_start():
    return _upload_page()


@bp.post("/import")
@body_limit(file_limit(importing.MAX_IMPORT_BYTES))
@roles_required(*IT)
def import_upload():
    form = ImportUploadForm()
    if not form.validate():
        return _upload_page(form, (), 400)
    kind = form.kind.data if form.kind.data in importing.IMPORT_KINDS else None
    if kind is None:
        form.kind.errors = [_("Choose devices or lines.")]
        return _upload_page(form, (), 400)
    data = form.file.data.read(importing.MAX_IMPORT_BYTES + 1)
    try:
        upload = importing.store(kind, form.file.data.filename, data, acting_user())
    except DomainError as exc:
        return _upload_page(form, attach_error(form, exc), exc.status)
    return redirect(url_for("devices.import_preview", token=upload.token), 303)


def _mapping_from_request(upload: importing.Upload, header: list[str]) -> dict[int, str]:
    mapping = {}
    for index in range(len(header)):
        value = request.form.get(f"map_{index}", "")
        if value in COLUMNS[upload.kind]:
            mapping[index] = value
    return mapping


def _preview(upload: importing.Upload, report: importing.Report, form=None, errors=(),
             status: int = 200):
    secret_columns = {c for c, n in report.mapping.items() if n in SECRET_COLUMNS}
    problems = [(row.line, column, message) for row in report.error_rows
                for column, message in row.problems]
    return render_template(
        "devices/import_preview.html", upload=upload, report=report,
        form=form or ImportConfirmForm(formdata=None), choices=mapping_choices(upload.kind),
        problems=problems[:MAX_PROBLEMS_SHOWN], more_problems=max(0, len(problems)
                                                                  - MAX_PROBLEMS_SHOWN),
        sample=report.rows[:PREVIEW_ROWS], secret_columns=secret_columns,
        labels=COLUMNS[upload.kind], errors=list(errors)), status


def _load(token: str) -> importing.Upload:
    try:
        return importing.load(token, acting_user())
    except DomainError:
        abort(404)


@bp.get("/import/<token>")
@roles_required(*IT)
def import_preview(token: str):
    upload = _load(token)
    try:
        report = importing.check(upload)
    except DomainError as exc:  # the file could be read when stored: only a changed rule
        return _upload_page(None, [exc.message], exc.status)
    return _preview(upload, report)


@bp.post("/import/<token>")
@roles_required(*IT)
def import_confirm(token: str):
    upload = _load(token)
    form = ImportConfirmForm()
    parsed_header = importing.parse(upload.data).header
    mapping = _mapping_from_request(upload, parsed_header)
    if not form.validate():
        return _preview(upload, importing.check(upload, mapping), form, (), 400)
    if request.form.get("action") != "import":
        return _preview(upload, importing.check(upload, mapping), form)
    try:
        report, added = importing.run_import(upload, mapping, acting_user(),
                                             valid_only=bool(form.valid_only.data),
                                             ip=client_ip())
    except DomainError as exc:
        db.session.rollback()
        return _preview(upload, importing.check(upload, mapping), form, [exc.message],
                        exc.status if exc.status != 422 else 400)
    db.session.commit()
    importing.discard(upload)
    skipped = len(report.error_rows)
    message = _("%(n)d rows have been imported.", n=added)
    if skipped:
        message += " " + _("%(n)d rows with problems were skipped.", n=skipped)
    flash(message, "success")
    return redirect(url_for("devices.devices" if upload.kind == "devices" else "devices.lines"),
                    303)


@bp.get("/import/templates/<kind>.csv")
@roles_required(*IT)
def import_template(kind: str):
    if kind not in importing.IMPORT_KINDS:
        abort(404)
    headers = [str(label) for label in COLUMNS[kind].values()]
    return download(csv_bytes(headers, []), "text/csv", f"{kind}-template.csv")


# --- loan terms -------------------------------------------------------------------------------


@bp.get("/terms")
@roles_required(*IT)
def terms_list():
    return render_template("devices/terms.html", items=terms.all_terms(),
                           language=select_locale())


@bp.route("/terms/<kind>", methods=["GET", "POST"])
@roles_required(*IT)
def terms_edit(kind: str):
    if kind not in TERMS_KINDS:
        abort(404)
    current = terms.current_terms(kind)
    if request.method == "GET":
        data = {"text_ja": current.row.text_ja, "text_en": current.row.text_en} \
            if current.row else {}
        return render_template("devices/terms_edit.html", form=TermsForm(data=data),
                               current=current, errors=[])
    form = TermsForm()
    errors: list[str] = []
    if form.validate():
        try:
            saved = terms.set_terms(kind, form.text_ja.data, form.text_en.data, acting_user(),
                                    ip=client_ip())
        except DomainError as exc:
            errors = attach_error(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash(_("The loan terms for %(kind)s are saved (version %(version)d).",
                    kind=saved.label, version=saved.version), "success")
            return redirect(url_for("devices.terms_list"), 303)
    else:
        status = 400
    return render_template("devices/terms_edit.html", form=form, current=current,
                           errors=errors), status


# --- who may see SIM PIN/PUK (administrators) ------------------------------------------------


def _permissions_page(form=None, errors=(), status: int = 200):
    return render_template("devices/permissions.html", form=form or GrantForm(formdata=None),
                           holders=line_secrets.holders(), action_form=ActionForm(formdata=None),
                           errors=list(errors)), status


@bp.get("/permissions")
@roles_required("admin")
def permissions():
    return _permissions_page()


@bp.post("/permissions")
@roles_required("admin")
def permission_grant():
    form = GrantForm()
    if not form.validate():
        return _permissions_page(form, (), 400)
    try:
        user = line_secrets.user_by_login(form.login.data)
        line_secrets.grant(user, acting_user(), ip=client_ip())
    except DomainError as exc:
        return _permissions_page(form, attach_error(form, exc), exc.status)
    db.session.commit()
    flash(_("%(name)s may now see SIM PIN/PUK.", name=user.display_name), "success")
    return redirect(url_for("devices.permissions"), 303)


@bp.post("/permissions/<int:permission_id>/revoke")
@roles_required("admin")
def permission_revoke(permission_id: int):
    row = get_or_404(UserPermission, permission_id)
    if not ActionForm().validate():
        abort(400)
    line_secrets.revoke(row, acting_user(), ip=client_ip())
    db.session.commit()
    flash(_("The permission has been taken away."), "success")
    return redirect(url_for("devices.permissions"), 303)
