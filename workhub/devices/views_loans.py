"""Loan pages of the devices package (blueprint ``device_loans``): my items and receipt
confirmation, IT's list of loans, the allocate form, one loan with its return form, a
person's loan history and the leavers. The request pages are in ``views_requests``.

Thin views: load (404), check permission (403), validate the form, call one service of
``allocations``, commit, redirect or render. The notification links of ``allocations``
(MY_ITEMS_URL, ALLOCATION_URL) point at these pages.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.routing import BuildError

from workhub.auth.passwords import normalise_login
from workhub.auth.permissions import roles_required
from workhub.clock import office_today
from workhub.devices import allocations as svc
from workhub.devices import history_view
from workhub.devices import loan_queries as q
from workhub.devices import permissions as perm
from workhub.devices.forms_loans import AllocateForm, ConfirmForm, ReturnForm, split_items
from workhub.devices.lines import find_device, find_line
from workhub.devices.loan_labels import (
    ACTION_LABELS,
    CONDITION_LABELS,
    KIND_LABELS,
    LOAN_STATE_LABELS,
    REQUEST_STATUS_LABELS,
)
from workhub.devices.models import Allocation, DeviceRequest, Line
from workhub.devices.terms import current_terms
from workhub.errors import DomainError
from workhub.extensions import db
from workhub.org.models import Department, User
from workhub.pagination import paginate, parse_page
from workhub.view_helpers import acting_user, attach_error
from workhub.web import select_locale

bp = Blueprint("device_loans", __name__, url_prefix="/devices")

IT_ROLES = perm.IT_ROLES
PER_PAGE = 50
PAST_ITEMS = 20
PERSON_HISTORY = 200  # latest events on a person's page


@bp.context_processor
def _helpers():
    return {"kind_labels": KIND_LABELS, "condition_labels": CONDITION_LABELS,
            "action_labels": ACTION_LABELS, "request_status_labels": REQUEST_STATUS_LABELS,
            "loan_state_labels": LOAN_STATE_LABELS, "item_label": svc.allocation_label,
            "item_kind": q.item_kind, "today": office_today(), "item_url": item_url}


def item_url(allocation: Allocation) -> str | None:
    """The inventory page of the lent item, for IT (the inventory is theirs); None for the
    others, or while that page does not exist."""
    if not perm.is_it(current_user):
        return None
    try:
        if allocation.device_id is not None:
            return url_for("devices.device", device_id=allocation.device_id)
        return url_for("devices.line", line_id=allocation.line_id)
    except BuildError:
        return None


def load_allocation(allocation_id: int) -> Allocation:
    """The loan, or 404 when it does not exist or the user may not see it."""
    row = db.session.get(Allocation, allocation_id)
    if row is None or not perm.can_view_allocation(current_user, row):
        abort(404)
    return row


# --- my items and receipt ---------------------------------------------------------------------


@bp.get("/my-items")
@login_required
def my_items():
    mine = q.filter_allocations(acting_user(), user_id=current_user.id, state="open")
    past = q.filter_allocations(acting_user(), user_id=current_user.id, state="returned")
    return render_template(
        "devices/my_items.html", items=list(db.session.scalars(mine).unique()),
        past=list(db.session.scalars(past.limit(PAST_ITEMS)).unique()),
        requests=list(db.session.scalars(
            select(DeviceRequest).where(DeviceRequest.user_id == current_user.id)
            .order_by(DeviceRequest.created_at.desc()).limit(PAST_ITEMS))))


def _render_confirm(allocation: Allocation, form: ConfirmForm, *, status: int = 200,
                    errors=()):
    terms = current_terms(q.item_kind(allocation))
    form.terms_version.data = str(terms.version) if terms.version is not None else ""
    return render_template("devices/loan_confirm.html", allocation=allocation, form=form,
                           terms=terms, terms_text=terms.text(select_locale()),
                           errors=list(errors)), status


def _version(raw: str | None) -> int | None | bool:
    """The terms version the page showed: None for "no terms", False for nonsense."""
    raw = (raw or "").strip()
    if not raw:
        return None
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 9 else False


@bp.route("/my-items/<int:allocation_id>/confirm", methods=["GET", "POST"])
@login_required
def confirm(allocation_id: int):
    allocation = load_allocation(allocation_id)
    if allocation.user_id != current_user.id:
        abort(403)
    if request.method == "GET":
        return _render_confirm(allocation, ConfirmForm(formdata=None))
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _render_confirm(allocation, form, status=400)
    try:
        svc.confirm_receipt(allocation, acting_user(),
                            terms_version=_version(form.terms_version.data))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = attach_error(form, exc)
        return _render_confirm(db.session.get(Allocation, allocation_id),
                               ConfirmForm(formdata=None), status=exc.status, errors=errors)
    db.session.commit()
    flash(_("Receipt of %(item)s confirmed. Thank you.", item=svc.allocation_label(allocation)),
          "success")
    return redirect(url_for(".my_items"), 303)


# --- the list of loans --------------------------------------------------------------------------


def _departments() -> list[Department]:
    ids = perm.loan_department_ids(current_user)
    stmt = select(Department)
    if ids is not None:
        stmt = stmt.where(Department.id.in_(ids))
    language = select_locale()
    return sorted(db.session.scalars(stmt), key=lambda d: d.name(language))


def _filters(departments: list[Department]) -> dict:
    """The list filters from the query string; unknown values are ignored."""
    args = request.args
    state = args.get("state") if args.get("state") in q.LOAN_STATES else "open"
    kind = args.get("kind") if args.get("kind") in q.LOAN_KINDS else None
    codes = {d.code: d for d in departments}
    department = codes.get(args.get("department") or "")
    return {"state": state, "kind": kind, "department": department.code if department else None,
            "department_id": department.id if department else None}


@bp.get("/allocations")
@login_required
def allocations():
    if not perm.can_view_loan_lists(current_user):
        abort(403)
    departments = _departments()
    filters = _filters(departments)
    stmt = q.filter_allocations(acting_user(), state=filters["state"], kind=filters["kind"],
                                department_id=filters["department_id"])
    page = paginate(stmt, parse_page(request.args.get("page")), PER_PAGE)
    args = {k: v for k, v in filters.items() if v and k != "department_id"}
    return render_template("devices/allocations.html", page=page, filters=filters, args=args,
                           departments=departments, language=select_locale(),
                           may_allocate=perm.can_allocate(current_user))


# --- lending ------------------------------------------------------------------------------------


def _resolve(form: AllocateForm) -> dict | None:
    """The person, items and request named in the form; None (with field errors) if any
    cannot be found."""
    found: dict = {"devices": [], "lines": [], "request": None}
    user = db.session.scalar(select(User).where(User.login == normalise_login(form.login.data)))
    if user is None:
        form.login.errors = [*form.login.errors, _("No account has this login ID.")]
    found["user"] = user
    for name, finder in (("devices", find_device), ("lines", find_line)):
        field = form[name]
        missing = []
        for token in split_items(field.data):
            item = finder(token)
            (missing.append(token) if item is None else found[name].append(item))
        if missing:
            field.errors = [*field.errors, _("Not found: %(names)s.", names=", ".join(missing))]
    raw = (form.request_id.data or "").strip()
    if raw:
        found["request"] = (db.session.get(DeviceRequest, int(raw))
                            if raw.isdigit() and len(raw) < 10 else None)
        if found["request"] is None:
            return None
    return None if form.errors else found


def _render_allocate(form: AllocateForm, *, status: int = 200, errors=()):
    devices = [d for d in map(find_device, split_items(form.devices.data)) if d is not None]
    installed = list(db.session.scalars(
        select(Line).where(Line.device_id.in_([d.id for d in devices])).order_by(Line.id))
    ) if devices else []
    raw = (form.request_id.data or "").strip()
    device_request = (db.session.get(DeviceRequest, int(raw))
                      if raw.isdigit() and len(raw) < 10 else None)
    return render_template("devices/allocation_new.html", form=form, installed=installed,
                           device_request=device_request, errors=list(errors)), status


@bp.route("/allocations/new", methods=["GET", "POST"])
@roles_required(*IT_ROLES)
def allocate():
    if request.method == "GET":
        form = AllocateForm(formdata=None, login=request.args.get("login", "")[:64],
                            devices=request.args.get("device", "")[:200],
                            lines=request.args.get("line", "")[:200],
                            request_id=request.args.get("request_id", "")[:12])
        return _render_allocate(form)
    form = AllocateForm()
    if not form.validate_on_submit():
        return _render_allocate(form, status=400)
    found = _resolve(form)
    if found is None:
        errors = [] if form.errors else [_("That request no longer exists.")]
        return _render_allocate(form, status=400, errors=errors)
    try:
        rows = svc.allocate_kit(
            acting_user(), user=found["user"], devices=found["devices"], lines=found["lines"],
            include_installed_lines=form.include_installed.data, due_date=form.due_date.data,
            handover_notes=form.handover_notes.data, request=found["request"])
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _render_allocate(form, status=exc.status, errors=attach_error(form, exc))
    db.session.commit()
    flash(_("Lent to %(name)s: %(items)s. They have been asked to confirm receipt.",
            name=found["user"].display_name,
            items=", ".join(svc.allocation_label(r) for r in rows)), "success")
    return redirect(url_for(".allocation", allocation_id=rows[0].id), 303)


# --- one loan and its return --------------------------------------------------------------------


def _render_allocation(allocation: Allocation, *, form: ReturnForm | None = None,
                       status: int = 200, errors=()):
    kit = []
    if allocation.kit_id:
        kit = list(db.session.scalars(
            q.filter_allocations(None, state="all").where(
                Allocation.kit_id == allocation.kit_id, Allocation.id != allocation.id)
        ).unique())
    return render_template(
        "devices/allocation.html", allocation=allocation, kit=kit,
        history=history_view.events_for(allocation_id=allocation.id, oldest_first=True),
        form=form or ReturnForm(formdata=None),
        may_return=allocation.is_open and perm.can_allocate(current_user),
        may_confirm=perm.can_confirm_receipt(current_user, allocation),
        errors=list(errors)), status


@bp.get("/allocations/<int:allocation_id>")
@login_required
def allocation(allocation_id: int):
    return _render_allocation(load_allocation(allocation_id))


@bp.post("/allocations/<int:allocation_id>/return")
@roles_required(*IT_ROLES)
def return_allocation(allocation_id: int):
    row = load_allocation(allocation_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _render_allocation(row, form=form, status=400)
    try:
        rows = svc.return_items(row, acting_user(), condition=form.condition.data,
                                notes=form.notes.data, whole_kit=form.whole_kit.data)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = attach_error(form, exc)
        return _render_allocation(db.session.get(Allocation, allocation_id), form=form,
                                  status=exc.status, errors=errors)
    db.session.commit()
    flash(_("Return recorded: %(items)s.", items=", ".join(svc.allocation_label(r)
                                                            for r in rows)), "success")
    return redirect(url_for(".allocation", allocation_id=allocation_id), 303)


# --- a person's loans, and the leavers ----------------------------------------------------------


@bp.get("/people/<int:user_id>")
@login_required
def person(user_id: int):
    someone = db.session.get(User, user_id)
    if someone is None or not perm.can_view_person_loans(current_user, someone):
        abort(404)
    loans = q.filter_allocations(acting_user(), state="all", user_id=someone.id)
    page = paginate(loans, parse_page(request.args.get("page")), PER_PAGE)
    events = history_view.events_for(user_id=someone.id, limit=PERSON_HISTORY)
    # A person's history covers several items: each event's item, named as the loans name it.
    items = q.item_labels(events)
    return render_template("devices/person.html", person=someone, page=page, history=events,
                           history_items=items, language=select_locale())


@bp.get("/leavers")
@roles_required(*IT_ROLES)
def leavers():
    return render_template("devices/leavers.html", leavers=q.leavers(),
                           language=select_locale())
