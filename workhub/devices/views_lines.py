"""Pages of communication lines (on the ``devices`` blueprint): list, detail, new, edit,
status, install in a device and remove, and the PIN/PUK reveal (a POST; the answer is shown
once and never cached)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from workhub.auth.permissions import roles_required
from workhub.devices import exports, history_view, inventory, lines
from workhub.devices import secrets as line_secrets
from workhub.devices.forms_inventory import (
    ActionForm,
    InstallForm,
    LineFilterForm,
    LineForm,
    StatusForm,
    options,
)
from workhub.devices.models import Line
from workhub.devices.permissions import can_reveal_secrets
from workhub.devices.views_inventory import (
    IT,
    XLSX,
    bp,
    submit,
)
from workhub.errors import DomainError, NotFound
from workhub.exports_common import download
from workhub.extensions import db
from workhub.pagination import paginate, parse_page
from workhub.view_helpers import acting_user, attach_error, client_ip, get_or_404


def _line_filters():
    form = LineFilterForm(request.args)
    carriers = lines.carriers()
    form.carrier.choices = options([("", _("All carriers"))] + [(c, c) for c in carriers])
    valid = form.validate()
    status = form.status.data if form.status.data in lines.STATUS_LABELS else ""
    carrier = form.carrier.data if form.carrier.data in carriers else ""
    q = (form.q.data or "").strip() if valid else ""
    stmt = lines.line_query(status=status or None, carrier=carrier or None, q=q or None)
    args = {k: v for k, v in (("q", q), ("status", status), ("carrier", carrier)) if v}
    return form, stmt, args


# Endpoint names other packages rely on: devices.lines (list), devices.line (one line).
@bp.get("/lines", endpoint="lines")
@roles_required(*IT)
def lines_list():
    form, stmt, args = _line_filters()
    result = paginate(stmt, parse_page(request.args.get("page")))
    held = inventory.holders(line_ids=[x.id for x in result.items])
    return render_template("devices/lines.html", form=form, result=result, args=args,
                           held=held)


@bp.get("/lines/export.csv")
@roles_required(*IT)
def lines_csv():
    _form, stmt, _args = _line_filters()
    return download(exports.as_csv(exports.line_table(stmt)), "text/csv", "lines.csv",
                    audit_as="devices.lines")


@bp.get("/lines/export.xlsx")
@roles_required(*IT)
def lines_xlsx():
    _form, stmt, _args = _line_filters()
    return download(exports.as_xlsx(_("Lines"), exports.line_table(stmt)), XLSX, "lines.xlsx",
                    audit_as="devices.lines")


def _line_page(line: Line, *, status_form=None, install_form=None, errors=(),
               status: int = 200):
    status_form = status_form or StatusForm(formdata=None)
    status_form.status.choices = options((s, lines.STATUS_LABELS[s])
                                         for s in lines.TRANSITIONS.get(line.status, ()))
    return render_template(
        "devices/line.html", line=line, status_form=status_form,
        install_form=install_form or InstallForm(formdata=None),
        action_form=ActionForm(formdata=None), holder=inventory.open_allocation(line_id=line.id),
        stored=line_secrets.stored(line), may_reveal=can_reveal_secrets(acting_user()),
        errors=list(errors), events=history_view.events_for(line_id=line.id)), status


@bp.get("/lines/<int:line_id>")
@roles_required(*IT)
def line(line_id: int):
    return _line_page(get_or_404(Line, line_id))


def _line_form_page(form, line: Line | None, errors=(), status: int = 200):
    stored = line_secrets.stored(line) if line else {"pin": False, "puk": False}
    return render_template("devices/line_form.html", form=form, line=line, stored=stored,
                           errors=list(errors)), status


def _save_secrets(line: Line, form: LineForm) -> list[str]:
    return line_secrets.set_secrets(line, acting_user(), pin=form.pin.data, puk=form.puk.data,
                             clear=bool(form.clear_secrets.data))


@bp.route("/lines/new", methods=["GET", "POST"])
@roles_required(*IT)
def line_new():
    form = LineForm()
    if not form.is_submitted():
        return _line_form_page(form, None)
    if not form.validate():
        return _line_form_page(form, None, (), 400)
    try:
        created = lines.create_line(form.data, acting_user())
        _save_secrets(created, form)
    except DomainError as exc:
        return _line_form_page(form, None, attach_error(form, exc), exc.status)
    db.session.commit()
    flash(_("The line %(line)s has been added.", line=created.label), "success")
    return redirect(url_for("devices.line", line_id=created.id), 303)


@bp.route("/lines/<int:line_id>/edit", methods=["GET", "POST"])
@roles_required(*IT)
def line_edit(line_id: int):
    line = get_or_404(Line, line_id)
    if request.method == "GET":
        return _line_form_page(LineForm(data=lines.line_values(line)), line)
    form = LineForm()
    if not form.validate():
        return _line_form_page(form, line, (), 400)
    try:
        changes = lines.edit_line(line, form.data, acting_user())
        changed_secrets = _save_secrets(line, form)
    except DomainError as exc:
        return _line_form_page(form, db.session.get(Line, line_id), attach_error(form, exc),
                               exc.status)
    db.session.commit()
    flash(_("The line %(line)s has been saved.", line=line.label) if changes or changed_secrets
          else _("Nothing was changed."), "success")
    return redirect(url_for("devices.line", line_id=line.id), 303)


def _render(line: Line, form_name: str):
    return lambda f, errors, status: _line_page(line, errors=errors, status=status,
                                                **{form_name: f})


@bp.post("/lines/<int:line_id>/status")
@roles_required(*IT)
def line_status(line_id: int):
    line = get_or_404(Line, line_id)
    form = StatusForm()
    return submit(
        form, _render(line, "status_form"),
        lambda: lines.set_line_status(line, form.status.data, acting_user(), form.note.data),
        lambda: _("The status of %(line)s is now %(status)s.", line=line.label,
                  status=lines.STATUS_LABELS[line.status]),
        url_for("devices.line", line_id=line.id))


@bp.post("/lines/<int:line_id>/install")
@roles_required(*IT)
def line_install(line_id: int):
    line = get_or_404(Line, line_id)
    form = InstallForm()

    def install():
        device = lines.find_device(form.asset_tag.data)
        if device is None:
            raise NotFound(_("No device has this asset tag."), field="asset_tag")
        lines.install_line(line, device, acting_user())

    return submit(
        form, _render(line, "install_form"), install,
        lambda: _("The line %(line)s is now installed in %(tag)s.", line=line.label,
                  tag=line.device.asset_tag),
        url_for("devices.line", line_id=line.id))


@bp.post("/lines/<int:line_id>/remove")
@roles_required(*IT)
def line_remove(line_id: int):
    line = get_or_404(Line, line_id)
    if not ActionForm().validate():
        return _line_page(line, errors=[_("The form has expired. Reload the page and try "
                                          "again.")], status=400)
    try:
        device = lines.remove_line(line, acting_user())
    except DomainError as exc:
        return _line_page(db.session.get(Line, line_id), errors=attach_error(None, exc),
                          status=exc.status)
    db.session.commit()
    flash(_("The line %(line)s has been removed from %(tag)s.", line=line.label,
            tag=device.asset_tag), "success")
    if request.form.get("back") == "device":
        return redirect(url_for("devices.device", device_id=device.id), 303)
    return redirect(url_for("devices.line", line_id=line.id), 303)


@bp.post("/lines/<int:line_id>/secrets")
@roles_required(*IT)
def line_reveal(line_id: int):
    line = get_or_404(Line, line_id)
    if not can_reveal_secrets(acting_user()):
        abort(403)
    if not ActionForm().validate():
        return _line_page(line, errors=[_("The form has expired. Reload the page and try "
                                          "again.")], status=400)
    try:
        values = line_secrets.reveal(line, acting_user(), ip=client_ip())
    except DomainError as exc:
        return _line_page(db.session.get(Line, line_id), errors=attach_error(None, exc),
                          status=exc.status)
    db.session.commit()
    response = render_template("devices/line_secrets.html", line=line, values=values)
    headers = {"Cache-Control": "no-store, max-age=0", "Pragma": "no-cache"}
    return response, 200, headers
