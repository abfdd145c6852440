"""JSON API of loans and requests (routes on the ``api`` blueprint, under /api/v1).

* ``POST /allocations`` lends one item (``device_id`` or ``line_id``) or a kit
  (``device_ids``, ``line_ids``) to ``user`` (a login ID) → 201 ``{"id", "ids", "kit_id"}``;
  409 when an item is already lent, 422 when a rule refuses it (``code`` names it), 400 for
  malformed input. IT and administrators only (403).
* ``GET /allocations`` lists the loans the caller may see (``state``, or the ``open`` /
  ``overdue`` flags; ``user``, ``device_id``, ``line_id``, ``kind``, ``page``,
  ``per_page``); ``GET /allocations/<id>`` one loan (404 when not visible).
* ``POST /allocations/<id>/return`` (IT) and ``POST /allocations/<id>/confirm`` (the holder,
  with the ``terms_version`` they were shown) → 200.
* ``/device-requests``: create (for oneself) and list; one request; ``approve``, ``reject``
  (managers), ``waitlist``, ``fulfil`` (IT), ``cancel`` (the requester, or IT with a reason).
"""

from __future__ import annotations

from flask import abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from workhub.api import bp
from workhub.api.common import (
    BadRequest,
    date_value,
    json_body,
    json_errors,
    optional_date,
    page_args,
    text_value,
    whole_number,
)
from workhub.auth.passwords import normalise_login
from workhub.clock import office_today
from workhub.devices import allocations as svc
from workhub.devices import device_requests as reqs
from workhub.devices import loan_queries as q
from workhub.devices import permissions as perm
from workhub.devices.models import (
    OPEN_REQUEST_STATUSES,
    REQUEST_STATUSES,
    Allocation,
    Device,
    DeviceRequest,
    Line,
)
from workhub.devices.terms import current_terms
from workhub.extensions import db
from workhub.org.models import User
from workhub.pagination import paginate
from workhub.validation import fits_id
from workhub.view_helpers import acting_user
from workhub.web import select_locale

ALLOCATE_FIELDS = {"device_id", "line_id", "device_ids", "line_ids", "include_installed_lines",
                   "user", "due_date", "notes", "request_id"}
ITEM_FIELDS = {"device_id", "line_id", "device_ids", "line_ids", "include_installed_lines",
               "due_date", "notes"}


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _person(user: User | None) -> dict | None:
    return {"login": user.login, "display_name": user.display_name} if user else None


def allocation_json(row: Allocation) -> dict:
    """A loan as JSON."""
    return {
        "id": row.id, "kind": q.item_kind(row),
        "device": {"id": row.device.id, "asset_tag": row.device.asset_tag} if row.device else None,
        "line": {"id": row.line.id, "label": row.line.label} if row.line else None,
        "user": _person(row.user), "kit_id": row.kit_id, "request_id": row.request_id,
        "allocated_at": _iso(row.allocated_at),
        "allocated_by": _person(db.session.get(User, row.allocated_by_id)
                                if row.allocated_by_id else None),
        "due_date": _iso(row.due_date), "handover_notes": row.handover_notes,
        "overdue": row.is_open and row.due_date is not None and row.due_date < office_today(),
        "confirmed_at": _iso(row.confirmed_at), "terms_version": row.terms_version,
        "returned_at": _iso(row.returned_at), "return_condition": row.return_condition,
        "return_notes": row.return_notes,
    }


def _ids(data: dict, one: str, many: str, model) -> list:
    """The items named by ``one`` (an id) and ``many`` (a list of ids); 400 when malformed
    or unknown."""
    raw = ([] if data.get(one) is None else [data[one]])
    if data.get(many) is not None:
        if not isinstance(data[many], list) or len(data[many]) > svc.MAX_KIT_ITEMS:
            raise BadRequest(_("%(name)s must be a list of at most %(n)d ids.", name=many,
                               n=svc.MAX_KIT_ITEMS), field=many)
        raw += data[many]
    items = []
    for value in raw:
        item_id = whole_number(value, one)
        item = db.session.get(model, item_id) if fits_id(item_id) else None
        if item is None:
            raise BadRequest(_("No %(name)s %(id)d.", name=one, id=item_id),
                             code="unknown_item", field=one)
        items.append(item)
    return items


def _flag(data: dict, name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise BadRequest(_("%(name)s must be true or false.", name=name), field=name)
    return value


def _items(data: dict) -> dict:
    return {"devices": _ids(data, "device_id", "device_ids", Device),
            "lines": _ids(data, "line_id", "line_ids", Line),
            "include_installed_lines": _flag(data, "include_installed_lines"),
            "due_date": optional_date(data, "due_date"),
            "handover_notes": text_value(data, "notes")}


# --- loans ------------------------------------------------------------------------------------


@bp.post("/allocations")
@json_errors
def devices_create_allocation():
    if not perm.can_allocate(current_user):
        abort(403)
    data = json_body(ALLOCATE_FIELDS)
    login = text_value(data, "user")
    if not login:
        raise BadRequest(_("user is required (a login ID)."), field="user")
    user = db.session.scalar(select(User).where(User.login == normalise_login(login)))
    if user is None:
        raise BadRequest(_("No account has this login ID."), code="unknown_user", field="user")
    device_request = None
    if data.get("request_id") is not None:
        request_id = whole_number(data["request_id"], "request_id")
        device_request = (db.session.get(DeviceRequest, request_id) if fits_id(request_id)
                          else None)
        if device_request is None:
            raise BadRequest(_("No such request."), code="unknown_request", field="request_id")
    rows = svc.allocate_kit(acting_user(), user=user, request=device_request, **_items(data))
    db.session.commit()
    return jsonify({"id": rows[0].id, "ids": [r.id for r in rows], "kit_id": rows[0].kit_id,
                    "allocations": [allocation_json(r) for r in rows]}), 201


def _state(args) -> str:
    state = args.get("state") or None
    flags = {"open": args.get("open"), "overdue": args.get("overdue")}
    for name, value in flags.items():
        if value not in (None, "", "true", "false"):
            raise BadRequest(_("%(name)s must be true or false.", name=name), field=name)
    wanted = {s for s in (state, "open" if flags["open"] == "true" else None,
                          "returned" if flags["open"] == "false" else None,
                          "overdue" if flags["overdue"] == "true" else None) if s}
    if flags["overdue"] == "false":
        raise BadRequest(_("Leave overdue out to list every loan."), field="overdue")
    if len(wanted) > 1:
        raise BadRequest(_("Choose one of state, open and overdue."), field="state")
    state = wanted.pop() if wanted else "all"
    if state not in q.LOAN_STATES:
        raise BadRequest(_("state must be one of: %(names)s.", names=", ".join(q.LOAN_STATES)),
                         field="state")
    return state


def _arg_id(name: str) -> int | None:
    raw = request.args.get(name)
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise BadRequest(_("%(name)s must be a whole number.", name=name), field=name)
    return int(raw)


@bp.get("/allocations")
@json_errors
def devices_list_allocations():
    args = request.args
    state = _state(args)
    kind = args.get("kind") or None
    if kind is not None and kind not in q.LOAN_KINDS:
        raise BadRequest(_("kind must be one of: %(names)s.", names=", ".join(q.LOAN_KINDS)),
                         field="kind")
    user_id = None
    if args.get("user"):
        holder = db.session.scalar(select(User).where(
            User.login == normalise_login(args["user"][:200])))
        user_id = holder.id if holder is not None else -1
    return _page_json(q.filter_allocations(
        acting_user(), state=state, kind=kind, user_id=user_id, device_id=_arg_id("device_id"),
        line_id=_arg_id("line_id")), allocation_json)


def _page_json(stmt, as_json):
    """One page of ``stmt`` (``page``, ``per_page`` from the query string) as JSON."""
    page, per_page = page_args()
    result = paginate(stmt, page, per_page)
    return jsonify({"items": [as_json(r) for r in result.items], "page": result.page,
                    "per_page": result.per_page, "total": result.total})


def _visible(model, row_id: int, may_see):
    """The row, or 404 when it does not exist or the caller may not see it."""
    row = db.session.get(model, row_id)
    if row is None or not may_see(current_user, row):
        abort(404)
    return row


def _load(allocation_id: int) -> Allocation:
    return _visible(Allocation, allocation_id, perm.can_view_allocation)


@bp.get("/allocations/<int:allocation_id>")
@json_errors
def devices_get_allocation(allocation_id: int):
    row = _load(allocation_id)
    body = allocation_json(row)
    if perm.can_confirm_receipt(current_user, row):
        terms = current_terms(q.item_kind(row))
        body["terms"] = {"version": terms.version, "text": terms.text(select_locale())}
    return jsonify(body)


@bp.post("/allocations/<int:allocation_id>/return")
@json_errors
def devices_return_allocation(allocation_id: int):
    row = _load(allocation_id)
    if not perm.can_allocate(current_user):
        abort(403)
    data = json_body({"condition", "notes", "whole_kit"})
    condition = text_value(data, "condition")
    if not condition:
        raise BadRequest(_("condition is required: good, damaged, faulty or lost."),
                         field="condition")
    rows = svc.return_items(row, acting_user(), condition=condition,
                            notes=text_value(data, "notes"), whole_kit=_flag(data, "whole_kit"))
    db.session.commit()
    return jsonify({"returned": [allocation_json(r) for r in rows]})


@bp.post("/allocations/<int:allocation_id>/confirm")
@json_errors
def devices_confirm_allocation(allocation_id: int):
    row = _load(allocation_id)
    if row.user_id != current_user.id:
        abort(403)
    data = json_body({"terms_version"})
    if "terms_version" not in data:
        raise BadRequest(_("terms_version is required: the version of the loan terms shown "
                           "(null when there are none)."), field="terms_version")
    version = data["terms_version"]
    if version is not None:
        version = whole_number(version, "terms_version")
    svc.confirm_receipt(row, acting_user(), terms_version=version)
    db.session.commit()
    return jsonify(allocation_json(row))


# --- requests ---------------------------------------------------------------------------------


def request_json(row: DeviceRequest) -> dict:
    """A device request as JSON."""
    return {
        "id": row.id, "user": _person(row.user), "kind": row.kind,
        "start_date": _iso(row.start_date), "end_date": _iso(row.end_date),
        "purpose": row.purpose, "status": row.status, "needs_approval": row.needs_approval,
        "waitlist_position": reqs.waitlist_position(row),
        "decided_by": _person(db.session.get(User, row.decided_by_id)
                              if row.decided_by_id else None),
        "decided_at": _iso(row.decided_at), "decision_comment": row.decision_comment,
        "created_at": _iso(row.created_at),
    }


@bp.post("/device-requests")
@json_errors
def devices_create_request():
    data = json_body({"kind", "start_date", "end_date", "purpose"})
    if data.get("start_date") is None:
        raise BadRequest(_("start_date is required (YYYY-MM-DD)."), field="start_date")
    kind = text_value(data, "kind")
    start = date_value(data["start_date"], "start_date")
    row = reqs.create_request(acting_user(), kind=kind, start_date=start,
                              end_date=optional_date(data, "end_date"),
                              purpose=text_value(data, "purpose"), actor=acting_user())
    db.session.commit()
    return jsonify(request_json(row)), 201


@bp.get("/device-requests")
@json_errors
def devices_list_requests():
    status = request.args.get("status") or None
    if status is not None and status not in (*REQUEST_STATUSES, "open"):
        raise BadRequest(_("status must be one of: %(names)s.",
                           names=", ".join((*REQUEST_STATUSES, "open"))), field="status")
    stmt = perm.requests_visible_to(current_user).order_by(DeviceRequest.created_at.desc(),
                                                           DeviceRequest.id.desc())
    if status == "open":
        stmt = stmt.where(DeviceRequest.status.in_(OPEN_REQUEST_STATUSES))
    elif status:
        stmt = stmt.where(DeviceRequest.status == status)
    if request.args.get("mine") == "true":
        stmt = stmt.where(DeviceRequest.user_id == current_user.id)
    return _page_json(stmt, request_json)


def _load_request(request_id: int) -> DeviceRequest:
    return _visible(DeviceRequest, request_id, perm.can_view_request)


@bp.get("/device-requests/<int:request_id>")
@json_errors
def devices_get_request(request_id: int):
    return jsonify(request_json(_load_request(request_id)))


def _step(request_id: int, allowed, field: str, action):
    row = _load_request(request_id)
    if not allowed(current_user, row):
        abort(403)
    data = json_body({field})
    action(row, text_value(data, field))
    db.session.commit()
    return jsonify(request_json(row))


@bp.post("/device-requests/<int:request_id>/approve")
@json_errors
def devices_approve_request(request_id: int):
    return _step(request_id, perm.can_decide_request, "comment", lambda r, c: reqs.decide_request(
        r, acting_user(), approve=True, comment=c))


@bp.post("/device-requests/<int:request_id>/reject")
@json_errors
def devices_reject_request(request_id: int):
    return _step(request_id, perm.can_decide_request, "comment", lambda r, c: reqs.decide_request(
        r, acting_user(), approve=False, comment=c))


@bp.post("/device-requests/<int:request_id>/waitlist")
@json_errors
def devices_waitlist_request(request_id: int):
    return _step(request_id, perm.can_fulfil_request, "comment",
                 lambda r, c: reqs.waitlist_request(r, acting_user(), comment=c))


@bp.post("/device-requests/<int:request_id>/cancel")
@json_errors
def devices_cancel_request(request_id: int):
    return _step(request_id, perm.can_cancel_request, "reason",
                 lambda r, c: reqs.cancel_request(r, acting_user(), reason=c))


@bp.post("/device-requests/<int:request_id>/fulfil")
@json_errors
def devices_fulfil_request(request_id: int):
    row = _load_request(request_id)
    if not perm.can_fulfil_request(current_user, row):
        abort(403)
    data = json_body(ITEM_FIELDS)
    loans = reqs.fulfil_request(row, acting_user(), **_items(data))
    db.session.commit()
    return jsonify({"request": request_json(row), "allocation_ids": [a.id for a in loans]})
