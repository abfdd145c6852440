"""Pages of the devices package (devices): the inventory, for IT staff and administrators.

Thin views: load, check, validate, call a service. The device pages are here; lines are in
``views_lines``, imports, loan terms and the PIN/PUK permission in ``views_inventory_admin``
(all on this blueprint)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from workhub.auth.permissions import roles_required
from workhub.devices import exports, history_view, inventory, lines
from workhub.devices.fields import KIND_LABELS, SIM_LABELS
from workhub.devices.forms_inventory import (
    ActionForm,
    DeviceFilterForm,
    DeviceForm,
    DeviceInstallForm,
    StatusForm,
    options,
)
from workhub.devices.models import DEVICE_KINDS, Device, DeviceModel
from workhub.errors import DomainError, NotFound
from workhub.exports_common import download
from workhub.extensions import db
from workhub.pagination import paginate, parse_page
from workhub.view_helpers import acting_user, attach_error, get_or_404

bp = Blueprint("devices", __name__, url_prefix="/devices")

IT = ("it_admin", "admin")


bp.add_app_template_filter(history_view.event_label, "event_label")
bp.add_app_template_filter(history_view.event_details, "event_details")


@bp.context_processor
def _labels():
    return {"kind_labels": KIND_LABELS, "device_status_labels": inventory.STATUS_LABELS,
            "line_status_labels": lines.STATUS_LABELS, "sim_labels": SIM_LABELS}


# --- helpers shared by the inventory views ----------------------------------------------------


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- the device list ----------------------------------------------------------------------


def _device_filters():
    form = DeviceFilterForm(request.args)
    models = db.session.scalars(select(DeviceModel).order_by(DeviceModel.kind, DeviceModel.maker,
                                                             DeviceModel.name)).all()
    form.model.choices = options([("", _("All models"))] + [
        (str(m.id), f"{m.maker} {m.name}") for m in models])
    valid = form.validate()
    model_id = form.model.data if form.model.data in {str(m.id) for m in models} else ""
    kind = form.kind.data if form.kind.data in DEVICE_KINDS else ""
    status = form.status.data if form.status.data in inventory.STATUS_LABELS else ""
    q = (form.q.data or "").strip() if valid else ""
    stmt = inventory.device_query(kind=kind or None, status=status or None,
                                  model_id=int(model_id) if model_id else None, q=q or None)
    args = {k: v for k, v in (("q", q), ("kind", kind), ("status", status),
                              ("model", model_id)) if v}
    return form, stmt, args, kind


@bp.get("/")
@roles_required(*IT)
def devices():
    form, stmt, args, kind = _device_filters()
    result = paginate(stmt, parse_page(request.args.get("page")))
    held = inventory.holders(device_ids=[d.id for d in result.items])
    return render_template("devices/devices.html", form=form, result=result, args=args,
                           held=held, counts=inventory.model_counts(kind or None))


@bp.get("/export.csv")
@roles_required(*IT)
def devices_csv():
    _form, stmt, _args, _kind = _device_filters()
    return download(exports.as_csv(exports.device_table(stmt)), "text/csv", "devices.csv",
                    audit_as="devices.inventory")


@bp.get("/export.xlsx")
@roles_required(*IT)
def devices_xlsx():
    _form, stmt, _args, _kind = _device_filters()
    return download(exports.as_xlsx(_("Devices"), exports.device_table(stmt)), XLSX,
                    "devices.xlsx", audit_as="devices.inventory")


# --- one device ---------------------------------------------------------------------------


def _device_page(device: Device, *, status_form=None, install_form=None, errors=(),
                 status: int = 200):
    status_form = status_form or StatusForm(formdata=None)
    status_form.status.choices = options((s, inventory.STATUS_LABELS[s])
                                         for s in inventory.TRANSITIONS.get(device.status, ()))
    return render_template(
        "devices/device.html", device=device, status_form=status_form,
        install_form=install_form or DeviceInstallForm(formdata=None),
        action_form=ActionForm(formdata=None), installed=inventory.installed_lines(device),
        holder=inventory.open_allocation(device_id=device.id), errors=list(errors),
        events=history_view.events_for(device_id=device.id)), status


@bp.get("/<int:device_id>")
@roles_required(*IT)
def device(device_id: int):
    return _device_page(get_or_404(Device, device_id))


def _device_form_page(form, device: Device | None, errors=(), status: int = 200):
    return render_template("devices/device_form.html", form=form, device=device,
                           errors=list(errors)), status


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*IT)
def device_new():
    form = DeviceForm()
    if not form.is_submitted():
        return _device_form_page(form, None)
    if form.validate():
        try:
            created = inventory.create_device(form.data, acting_user())
        except DomainError as exc:
            return _device_form_page(form, None, attach_error(form, exc), exc.status)
        db.session.commit()
        flash(_("The device %(tag)s has been added.", tag=created.asset_tag), "success")
        return redirect(url_for("devices.device", device_id=created.id), 303)
    return _device_form_page(form, None, (), 400)


@bp.route("/<int:device_id>/edit", methods=["GET", "POST"])
@roles_required(*IT)
def device_edit(device_id: int):
    device = get_or_404(Device, device_id)
    if request.method == "GET":
        return _device_form_page(DeviceForm(data=inventory.device_values(device)), device)
    form = DeviceForm()
    if not form.validate():
        return _device_form_page(form, device, (), 400)
    try:
        changes = inventory.edit_device(device, form.data, acting_user())
    except DomainError as exc:
        return _device_form_page(form, device, attach_error(form, exc), exc.status)
    db.session.commit()
    flash(_("The device %(tag)s has been saved.", tag=device.asset_tag) if changes
          else _("Nothing was changed."), "success" if changes else "info")
    return redirect(url_for("devices.device", device_id=device.id), 303)


def submit(form, render, action, message, target: str):
    """The shape of a small POST on an item's page: check ``form``, run ``action()`` (a
    service call), commit and go to ``target`` with ``message()``; on a refusal show the
    page again (``render(form, errors, status)``) with the messages beside the fields."""
    if not form.validate():
        return render(form, [], 400)
    try:
        action()
    except DomainError as exc:
        errors = attach_error(form, exc)
        return render(form, errors, exc.status)
    db.session.commit()
    flash(message(), "success")
    return redirect(target, 303)


@bp.post("/<int:device_id>/status")
@roles_required(*IT)
def device_status(device_id: int):
    device = get_or_404(Device, device_id)
    form = StatusForm()
    return submit(
        form, lambda f, errors, status: _device_page(device, status_form=f, errors=errors,
                                                     status=status),
        lambda: inventory.set_device_status(device, form.status.data, acting_user(),
                                            form.note.data),
        lambda: _("The status of %(tag)s is now %(status)s.", tag=device.asset_tag,
                  status=inventory.STATUS_LABELS[device.status]),
        url_for("devices.device", device_id=device.id))


@bp.post("/<int:device_id>/install")
@roles_required(*IT)
def device_install(device_id: int):
    device = get_or_404(Device, device_id)
    form = DeviceInstallForm()
    found = []

    def install():
        line = lines.find_line(form.line.data)
        if line is None:
            raise NotFound(_("No line has this phone number, ICCID or data-line id."),
                           field="line")
        found.append(lines.install_line(line, device, acting_user()))

    return submit(
        form, lambda f, errors, status: _device_page(device, install_form=f, errors=errors,
                                                     status=status),
        install,
        lambda: _("The line %(line)s is now installed in %(tag)s.", line=found[0].label,
                  tag=device.asset_tag),
        url_for("devices.device", device_id=device.id))
