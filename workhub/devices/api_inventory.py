"""JSON API of the inventory (routes on ``workhub.api.bp``, under /api/v1), for IT staff and
administrators (403 JSON for others).

* ``POST /devices`` → 201 with the device; duplicate asset tag or serial → 409; malformed
  JSON, wrong types or unknown fields → 400; values a rule refuses → 422 (``field`` names it,
  ``problems`` lists them all).
* ``GET /devices`` (``kind``, ``status``, ``model_id``, ``q``, ``page``, ``per_page``),
  ``GET /devices/<id>``.
* ``POST /lines``, ``GET /lines`` (``status``, ``carrier``, ``q``, paging), ``GET /lines/<id>``.

PIN and PUK are never part of any answer.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, jsonify, request
from flask_babel import gettext as _

from workhub.api import bp
from workhub.api.common import BadRequest, json_body, json_errors, page_args
from workhub.auth.permissions import roles_required
from workhub.devices import inventory, lines
from workhub.devices.fields import Invalid
from workhub.devices.models import DEVICE_KINDS, Allocation, Device, Line
from workhub.extensions import db
from workhub.pagination import paginate
from workhub.view_helpers import acting_user

IT = ("it_admin", "admin")
DEVICE_FIELDS = set(inventory.DEVICE_FIELDS)
LINE_FIELDS = set(lines.LINE_FIELDS)
_SCALARS = (str, int, type(None))


def inventory_errors(view):
    """The API's error answers (``json_errors``), plus ``problems`` (every field refused)
    when a record's values are wrong."""

    @wraps(view)
    def with_problems(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except Invalid as exc:
            db.session.rollback()
            return jsonify({"error": {
                "code": exc.code, "message": exc.message, "field": exc.field,
                "problems": [{"field": n, "message": m} for n, m in exc.problems]}}), exc.status

    return json_errors(with_problems)


def json_object(allowed: set[str]) -> dict:
    """The request's JSON object (``json_body``), its values strings, whole numbers or null;
    400 otherwise."""
    data = json_body(allowed)
    for name, value in data.items():
        if isinstance(value, bool) or not isinstance(value, _SCALARS):
            raise BadRequest(_("%(name)s must be a string, a whole number or null.",
                               name=name), code="invalid_type", field=name)
    return data


def choice(name: str, allowed) -> str | None:
    value = request.args.get(name) or None
    if value is not None and value not in allowed:
        raise BadRequest(_("%(name)s must be one of: %(names)s.", name=name,
                           names=", ".join(allowed)), field=name)
    return value


def _holder(allocation: Allocation | None) -> dict | None:
    if allocation is None:
        return None
    return {"login": allocation.user.login, "display_name": allocation.user.display_name,
            "allocation_id": allocation.id, "since": allocation.allocated_at.isoformat(),
            "due_date": allocation.due_date.isoformat() if allocation.due_date else None}


def _iso(value):
    return value.isoformat() if value is not None else None


def device_json(device: Device, holder: Allocation | None) -> dict:
    """A device as JSON."""
    return {"id": device.id, "asset_tag": device.asset_tag, "kind": device.model.kind,
            "maker": device.maker, "model": device.model.name, "model_id": device.model_id,
            "serial": device.serial, "os": device.os,
            "purchase_date": _iso(device.purchase_date),
            "warranty_end": _iso(device.warranty_end), "location": device.location,
            "status": device.status, "notes": device.notes, "holder": _holder(holder)}


def line_json(line: Line, holder: Allocation | None) -> dict:
    """A line as JSON: never its PIN or PUK."""
    return {"id": line.id, "number": line.number, "data_line_id": line.data_line_id,
            "iccid": line.iccid, "sim_type": line.sim_type, "carrier": line.carrier,
            "plan": line.plan, "data_cap_gb": line.data_cap_gb,
            "monthly_cost": line.monthly_cost, "contract_start": _iso(line.contract_start),
            "contract_end": _iso(line.contract_end),
            "renewal_window_days": line.renewal_window_days, "status": line.status,
            "device": ({"id": line.device.id, "asset_tag": line.device.asset_tag}
                       if line.device else None),
            "notes": line.notes, "holder": _holder(holder)}


# --- devices ----------------------------------------------------------------------------------


@bp.post("/devices")
@roles_required(*IT)
@inventory_errors
def devices_create():
    data = json_object(DEVICE_FIELDS)
    device = inventory.create_device(data, acting_user())
    db.session.commit()
    return jsonify(device_json(device, None)), 201


@bp.get("/devices")
@roles_required(*IT)
@inventory_errors
def devices_list():
    kind = choice("kind", DEVICE_KINDS)
    status = choice("status", tuple(inventory.STATUS_LABELS))
    model_id = request.args.get("model_id") or None
    if model_id is not None and (not model_id.isascii() or not model_id.isdigit()
                                 or len(model_id) > 9):
        raise BadRequest(_("model_id must be a whole number."), field="model_id")
    q = (request.args.get("q") or "").strip()[:100] or None
    page, per_page = page_args()
    result = paginate(inventory.device_query(kind=kind, status=status, q=q,
                                             model_id=int(model_id) if model_id else None),
                      page, per_page)
    held = inventory.holders(device_ids=[d.id for d in result.items])
    return jsonify({"items": [device_json(d, held.get(("device", d.id))) for d in result.items],
                    "page": result.page, "per_page": result.per_page, "total": result.total})


@bp.get("/devices/<int:device_id>")
@roles_required(*IT)
@inventory_errors
def devices_get(device_id: int):
    device = db.session.get(Device, device_id)
    if device is None:
        abort(404)
    body = device_json(device, inventory.open_allocation(device_id=device.id))
    body["lines"] = [{"id": x.id, "label": x.label} for x in inventory.installed_lines(device)]
    return jsonify(body)


# --- lines ------------------------------------------------------------------------------------


@bp.post("/lines")
@roles_required(*IT)
@inventory_errors
def lines_create():
    data = json_object(LINE_FIELDS)
    line = lines.create_line(data, acting_user())
    db.session.commit()
    return jsonify(line_json(line, None)), 201


@bp.get("/lines")
@roles_required(*IT)
@inventory_errors
def lines_list():
    status = choice("status", tuple(lines.STATUS_LABELS))
    carrier = (request.args.get("carrier") or "").strip()[:100] or None
    q = (request.args.get("q") or "").strip()[:100] or None
    page, per_page = page_args()
    result = paginate(lines.line_query(status=status, carrier=carrier, q=q), page, per_page)
    held = inventory.holders(line_ids=[x.id for x in result.items])
    return jsonify({"items": [line_json(x, held.get(("line", x.id))) for x in result.items],
                    "page": result.page, "per_page": result.per_page, "total": result.total})


@bp.get("/lines/<int:line_id>")
@roles_required(*IT)
@inventory_errors
def lines_get(line_id: int):
    line = db.session.get(Line, line_id)
    if line is None:
        abort(404)
    return jsonify(line_json(line, inventory.open_allocation(line_id=line.id)))
