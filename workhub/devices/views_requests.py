"""Request pages (on the ``device_loans`` blueprint): the list, a new request, one request
with its decision, waitlist, fulfil and cancel forms.

Thin views over ``device_requests``; the notification links (REQUEST_URL) point here.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workhub.clock import office_today
from workhub.devices import device_requests as svc
from workhub.devices import permissions as perm
from workhub.devices.forms_loans import CommentForm, FulfilForm, RequestForm
from workhub.devices.models import (
    OPEN_REQUEST_STATUSES,
    REQUEST_STATUSES,
    Allocation,
    Device,
    DeviceModel,
    DeviceRequest,
    Line,
)
from workhub.devices.views_loans import PER_PAGE, bp
from workhub.errors import DomainError
from workhub.extensions import db
from workhub.org.models import User
from workhub.pagination import paginate, parse_page
from workhub.view_helpers import acting_user, attach_error

STOCK_CHOICES = 200


def _load(request_id: int) -> DeviceRequest:
    row = db.session.get(DeviceRequest, request_id)
    if row is None or not perm.can_view_request(current_user, row):
        abort(404)
    return row


@bp.get("/requests")
@login_required
def requests():
    status = request.args.get("status") or ""
    if status not in (*REQUEST_STATUSES, "open"):
        status = ""
    mine = request.args.get("mine") == "1"
    stmt = (perm.requests_visible_to(current_user)
            .options(joinedload(DeviceRequest.user).joinedload(User.department))
            .order_by(DeviceRequest.created_at.desc(), DeviceRequest.id.desc()))
    if status == "open":
        stmt = stmt.where(DeviceRequest.status.in_(OPEN_REQUEST_STATUSES))
    elif status:
        stmt = stmt.where(DeviceRequest.status == status)
    if mine:
        stmt = stmt.where(DeviceRequest.user_id == current_user.id)
    page = paginate(stmt, parse_page(request.args.get("page")), PER_PAGE)
    args = {k: v for k, v in (("status", status), ("mine", "1" if mine else "")) if v}
    positions = {r.id: svc.waitlist_position(r) for r in page.items if r.status == "waitlisted"}
    return render_template("devices/requests.html", page=page, status=status, mine=mine,
                           args=args, positions=positions, statuses=REQUEST_STATUSES)


@bp.route("/requests/new", methods=["GET", "POST"])
@login_required
def new_request():
    if request.method == "GET":
        form = RequestForm(formdata=None, start_date=office_today())
        return render_template("devices/request_new.html", form=form, errors=[])
    form = RequestForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            row = svc.create_request(acting_user(), kind=form.kind.data,
                                     start_date=form.start_date.data,
                                     end_date=form.end_date.data, purpose=form.purpose.data,
                                     actor=acting_user())
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            errors = attach_error(form, exc)
            return render_template("devices/request_new.html", form=form,
                                   errors=errors), exc.status
        db.session.commit()
        flash(_("Request sent.") if row.status == "pending"
              else _("Request sent to IT."), "success")
        return redirect(url_for(".request", request_id=row.id), 303)
    return render_template("devices/request_new.html", form=form, errors=errors), 400


# --- one request --------------------------------------------------------------------------------


def _stock_choices(kind: str) -> list[tuple[str, str]]:
    """The items of ``kind`` in stock, for the fulfil form (value ``d:ID`` or ``l:ID``)."""
    if kind == "line":
        lines = db.session.scalars(select(Line).where(Line.status == "in_stock")
                                   .order_by(Line.number, Line.data_line_id)
                                   .limit(STOCK_CHOICES))
        return [(f"l:{x.id}", f"{x.label} — {x.carrier}") for x in lines]
    devices = db.session.scalars(
        select(Device).join(DeviceModel, DeviceModel.id == Device.model_id)
        .options(joinedload(Device.model))
        .where(DeviceModel.kind == kind, Device.status == "in_stock")
        .order_by(Device.asset_tag).limit(STOCK_CHOICES))
    return [(f"d:{x.id}", f"{x.asset_tag} — {x.maker} {x.model.name}") for x in devices]


def _render(row: DeviceRequest, *, status: int = 200, errors=(), comment_form=None,
            fulfil_form=None):
    fulfil_form = fulfil_form or FulfilForm(formdata=None, due_date=row.end_date)
    may_fulfil = row.status in ("approved", "waitlisted") and perm.can_fulfil_request(
        current_user, row)
    if may_fulfil:
        fulfil_form.item.choices = _stock_choices(row.kind)
    loans = list(db.session.scalars(select(Allocation).where(Allocation.request_id == row.id)
                                    .order_by(Allocation.id)))
    return render_template(
        "devices/request.html", req=row, errors=list(errors), loans=loans,
        decider=db.session.get(User, row.decided_by_id) if row.decided_by_id else None,
        position=svc.waitlist_position(row),
        comment_form=comment_form or CommentForm(formdata=None), fulfil_form=fulfil_form,
        may_decide=row.status == "pending" and perm.can_decide_request(current_user, row),
        may_fulfil=may_fulfil,
        may_cancel=row.status in OPEN_REQUEST_STATUSES
        and perm.can_cancel_request(current_user, row)), status


@bp.get("/requests/<int:request_id>", endpoint="request")
@login_required
def request_detail(request_id: int):
    return _render(_load(request_id))


def _act(request_id: int, allowed, action, done_message):
    row = _load(request_id)
    if not allowed(current_user, row):
        abort(403)
    form = CommentForm()
    # The comment box belongs to more than one form of the page: messages go on top.
    if not form.validate_on_submit():
        return _render(row, status=400, errors=[m for ms in form.errors.values() for m in ms])
    try:
        action(row, form.comment.data)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        db.session.rollback()
        return _render(db.session.get(DeviceRequest, request_id), status=exc.status,
                       errors=[exc.message])
    db.session.commit()
    flash(done_message, "success")
    return redirect(url_for(".request", request_id=request_id), 303)


@bp.post("/requests/<int:request_id>/approve")
@login_required
def approve_request(request_id: int):
    return _act(request_id, perm.can_decide_request,
                lambda r, c: svc.decide_request(r, acting_user(), approve=True, comment=c),
                _("Request approved."))


@bp.post("/requests/<int:request_id>/reject")
@login_required
def reject_request(request_id: int):
    return _act(request_id, perm.can_decide_request,
                lambda r, c: svc.decide_request(r, acting_user(), approve=False, comment=c),
                _("Request rejected."))


@bp.post("/requests/<int:request_id>/waitlist")
@login_required
def waitlist_request(request_id: int):
    return _act(request_id, perm.can_fulfil_request,
                lambda r, c: svc.waitlist_request(r, acting_user(), comment=c),
                _("Request put on the waitlist."))


@bp.post("/requests/<int:request_id>/cancel")
@login_required
def cancel_request(request_id: int):
    return _act(request_id, perm.can_cancel_request,
                lambda r, c: svc.cancel_request(r, acting_user(), reason=c),
                _("Request cancelled."))


def _chosen_item(value: str | None):
    kind, _sep, raw = (value or "").partition(":")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        return None
    model = {"d": Device, "l": Line}.get(kind)
    return db.session.get(model, int(raw)) if model is not None else None


@bp.post("/requests/<int:request_id>/fulfil")
@login_required
def fulfil_request(request_id: int):
    row = _load(request_id)
    if not perm.can_fulfil_request(current_user, row):
        abort(403)
    form = FulfilForm()
    if not form.validate_on_submit():
        return _render(row, fulfil_form=form, status=400)
    item = _chosen_item(form.item.data)
    if item is None:
        form.item.errors = [_("Choose an item from stock.")]
        return _render(row, fulfil_form=form, status=400)
    try:
        loans = svc.fulfil_request(
            row, acting_user(), devices=[item] if isinstance(item, Device) else (),
            lines=[item] if isinstance(item, Line) else (),
            include_installed_lines=form.include_installed.data, due_date=form.due_date.data,
            handover_notes=form.handover_notes.data)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        if exc.field == "devices":
            exc.field = "item"
        errors = attach_error(form, exc)
        return _render(db.session.get(DeviceRequest, request_id), fulfil_form=form,
                       status=exc.status, errors=errors)
    db.session.commit()
    flash(_("Request fulfilled: the items are lent and %(name)s is asked to confirm receipt.",
            name=row.user.display_name), "success")
    return redirect(url_for(".allocation", allocation_id=loans[0].id), 303)
