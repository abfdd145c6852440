"""Lending devices and lines: allocate one item or a kit, record returns, confirm receipt.

Decisions recorded here (the pages, the API and the jobs rely on them):

* **One open loan per item.** The partial unique indexes of ``allocations`` decide: the
  rows are inserted inside a SAVEPOINT and an IntegrityError becomes a 409 ``Conflict``
  naming the holder. No check before the insert is trusted for this, so two IT staff (or
  two processes) lending the same item at the same moment get one loan and one 409.
* **What can be lent.** A device in repair, lost or retired, a suspended or cancelled line
  is refused (``Refused``, 422, ``code`` names the rule); so is a deactivated holder and a
  due date in the past. An item marked ``allocated`` is not refused here: the insert says
  whether it is really held (409).
* **Kits.** Several items lent together to one person are one unit: all are lent or none,
  and they share a ``kit_id``. Lines installed in a lent device (``Line.device_id``) are
  added when asked (``include_installed_lines``).
* **Returns.** The condition moves the item: a device to stock (good), to repair (damaged,
  faulty) or to lost; a line to stock (good) or suspended (anything else: a damaged, faulty
  or lost SIM must be stopped at the carrier first). A kit can be returned at once.
* **Receipt (受領確認).** Only the holder confirms, once, while the loan is open, accepting
  the loan terms of the item's kind (device kind or ``line``) in the version they were
  shown; terms changed meanwhile refuse the confirmation (409 ``terms_changed``).
* **History.** Every change adds one inventory event carrying the item and the holder, so
  it shows in the item's history and in the person's.

Query functions (open loans, overdue, unconfirmed, holders, leavers) are in
``workhub.devices.loan_queries`` and re-exported here.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from workhub.clock import office_today
from workhub.database import utcnow
from workhub.devices import permissions as perm
from workhub.devices.history import record_event
from workhub.devices.loan_labels import CONDITION_LABELS, KIND_LABELS
from workhub.devices.loan_queries import (  # noqa: F401  (the public query functions)
    filter_allocations,
    holder_of,
    item_kind,
    leavers,
    open_allocations,
    overdue,
    unconfirmed,
)
from workhub.devices.models import (
    RETURN_CONDITIONS,
    Allocation,
    Device,
    DeviceRequest,
    Line,
)
from workhub.devices.terms import current_terms
from workhub.errors import Conflict, DomainError, Forbidden
from workhub.extensions import db
from workhub.notify.services import notify
from workhub.org.models import User
from workhub.validation import clean_text

MAX_KIT_ITEMS = 10
MAX_LOAN_DAYS = 5 * 366
MAX_NOTES = 2000
ALLOCATABLE_DEVICE = ("in_stock", "allocated")
ALLOCATABLE_LINE = ("in_stock", "allocated")
FULFILLABLE_REQUEST = ("approved", "waitlisted")
# Where the item goes back to, by return condition.
DEVICE_AFTER_RETURN = {"good": "in_stock", "damaged": "in_repair", "faulty": "in_repair",
                       "lost": "lost"}
LINE_AFTER_RETURN = {"good": "in_stock", "damaged": "suspended", "faulty": "suspended",
                     "lost": "suspended"}

# Where notifications point; views_loans mounts the pages at these paths.
MY_ITEMS_URL = "/devices/my-items"
ALLOCATION_URL = "/devices/allocations/{id}"
REQUESTS_URL = "/devices/requests"


class Refused(DomainError):
    """A lending rule refuses the request (HTTP 422); ``code`` names the rule:
    ``item_unavailable``, ``holder_inactive``, ``due_in_past``, ``due_too_far``,
    ``request_mismatch``, ``start_in_past``, ``end_before_start``."""

    status = 422
    code = "refused"


def item_label(item: Device | Line) -> str:
    """How people name the item: the asset tag of a device, the number or id of a line."""
    return item.asset_tag if isinstance(item, Device) else item.label


def allocation_label(allocation: Allocation) -> str:
    return item_label(allocation.device or allocation.line)


def check_due_date(due_date, today: date) -> date:
    """The expected return date: required, not in the past, at most about five years on."""
    if due_date is None:
        raise DomainError(str(_l("Enter the expected return date.")), field="due_date")
    if not isinstance(due_date, date) or isinstance(due_date, datetime):
        raise DomainError(str(_l("The expected return date must be a date.")), field="due_date")
    if due_date < today:
        raise Refused(str(_l("The expected return date %(day)s is in the past.",
                             day=due_date.isoformat())), code="due_in_past", field="due_date")
    if due_date > today + timedelta(days=MAX_LOAN_DAYS):
        raise Refused(str(_l("A loan lasts at most five years: choose an earlier return "
                             "date.")), code="due_too_far", field="due_date")
    return due_date


def _check_available(item: Device | Line) -> None:
    if isinstance(item, Device):
        if item.status not in ALLOCATABLE_DEVICE:
            raise Refused(str(_l("Device %(tag)s cannot be lent: it is %(status)s.",
                                 tag=item.asset_tag, status=_status_text(item.status))),
                          code="item_unavailable")
    elif item.status not in ALLOCATABLE_LINE:
        raise Refused(str(_l("Line %(line)s cannot be lent: it is %(status)s.",
                             line=item.label, status=_status_text(item.status))),
                      code="item_unavailable")


def _status_text(status: str) -> str:
    labels = {"in_repair": _l("in repair"), "lost": _l("lost"), "retired": _l("retired"),
              "suspended": _l("suspended"), "cancelled": _l("cancelled")}
    return str(labels.get(status, status))


def _check_request(request: DeviceRequest, user: User, items: list) -> None:
    if request.status not in FULFILLABLE_REQUEST:
        raise Conflict(str(_l("Request %(id)d cannot be fulfilled now: it is not approved "
                              "or waitlisted.", id=request.id)), code="request_not_open")
    if request.user_id != user.id:
        raise Refused(str(_l("Request %(id)d is from someone else: lend the items to the "
                             "person who asked.", id=request.id)), code="request_mismatch")
    kinds = {"line" if isinstance(i, Line) else i.model.kind for i in items}
    if request.kind not in kinds:
        raise Refused(str(_l("Request %(id)d asks for another kind of item.", id=request.id)),
                      code="request_mismatch")


def _items(devices, lines, include_installed_lines: bool) -> list[Device | Line]:
    items: list[Device | Line] = list(dict.fromkeys(devices or ()))
    chosen_lines = list(dict.fromkeys(lines or ()))
    if include_installed_lines and items:
        installed = db.session.scalars(
            select(Line).where(Line.device_id.in_([d.id for d in items])).order_by(Line.id))
        chosen_lines += [line for line in installed if line not in chosen_lines]
    items += chosen_lines
    if not items:
        raise DomainError(str(_l("Choose at least one device or line.")), field="devices")
    if len(items) > MAX_KIT_ITEMS:
        raise DomainError(str(_l("A kit holds at most %(n)d items.", n=MAX_KIT_ITEMS)),
                          field="devices")
    return items


def _held_conflict(item: Device | Line) -> Conflict:
    current = holder_of(item)
    if current is None:
        return Conflict(str(_l("%(item)s was being lent by someone else at the same moment: "
                               "reload and try again.", item=item_label(item))),
                        code="already_allocated")
    return Conflict(str(_l("%(item)s is already allocated to %(name)s (%(login)s).",
                           item=item_label(item), name=current.user.display_name,
                           login=current.user.login)), code="already_allocated")


def allocate_kit(actor: User, *, user: User, devices=(), lines=(),
                 include_installed_lines: bool = False, due_date: date,
                 handover_notes: str | None = None, request: DeviceRequest | None = None,
                 kit_id: str | None = None, now: datetime | None = None) -> list[Allocation]:
    """Lend ``devices`` and ``lines`` to ``user`` together, all or nothing; return the
    allocations. More than one item makes a kit (one shared ``kit_id``).

    ``include_installed_lines`` adds the lines installed in the devices. ``request``, an
    approved or waitlisted request of ``user`` for one of the kinds lent, becomes fulfilled.
    Raises Forbidden (not IT), DomainError (bad input), Refused (422, a rule), Conflict (409:
    an item is already lent; the request is no longer open).
    """
    if not perm.can_allocate(actor):
        raise Forbidden(str(_l("Only IT staff can lend devices and lines.")))
    now = now or utcnow()
    items = _items(devices, lines, include_installed_lines)
    handover_notes = clean_text(handover_notes, _l("Handover notes"), MAX_NOTES,
                                multiline=True, name="handover_notes")
    if not user.active:
        raise Refused(str(_l("The account %(login)s is deactivated: nothing can be lent to it.",
                             login=user.login)), code="holder_inactive", field="user")
    due_date = check_due_date(due_date, office_today(now))
    for item in items:
        _check_available(item)
    if request is not None:
        db.session.refresh(request, with_for_update=True)
        _check_request(request, user, items)
    if len(items) > 1:
        kit_id = kit_id or str(uuid.uuid4())
    rows: list[Allocation] = []
    before: dict[int, str] = {}
    current: Device | Line | None = None
    try:
        with db.session.begin_nested():
            for current in items:
                row = Allocation(
                    device_id=current.id if isinstance(current, Device) else None,
                    line_id=current.id if isinstance(current, Line) else None,
                    user_id=user.id, kit_id=kit_id, allocated_by_id=actor.id, allocated_at=now,
                    due_date=due_date, handover_notes=handover_notes,
                    request_id=request.id if request is not None else None)
                db.session.add(row)
                db.session.flush()  # one at a time, to name the item that is already lent
                before[row.id] = current.status
                _mark_allocated(current)
                rows.append(row)
    except IntegrityError as exc:
        if current is None or not (_is_open_index(exc) or holder_of(current) is not None):
            raise
        raise _held_conflict(current) from exc
    for item, row in zip(items, rows, strict=True):
        record_event("allocated", actor=actor, user_id=user.id, allocation_id=row.id,
                     due_date=due_date, kit_id=kit_id,
                     changes={"status": [before[row.id], "allocated"]}, **_item_ids(item))
    if request is not None:
        request.status = "fulfilled"
        record_event("request_fulfilled", actor=actor, user_id=user.id, request_id=request.id,
                     allocation_ids=[r.id for r in rows])
    db.session.flush()
    notify(user, "devices.allocated", "devices_allocated",
           url=MY_ITEMS_URL, essential=True, allocations=rows, actor=actor, request=request,
           labels=[allocation_label(r) for r in rows])
    return rows


def _mark_allocated(item: Device | Line) -> None:
    """Set the item's status in one conditional statement: a status changed meanwhile (the
    item retired or sent to repair since it was read) refuses the loan instead of being
    overwritten."""
    model = type(item)
    allowed = ALLOCATABLE_DEVICE if model is Device else ALLOCATABLE_LINE
    done = db.session.execute(
        update(model).where(model.id == item.id, model.status.in_(allowed))
        .values(status="allocated").execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise Conflict(str(_l("The status of %(item)s was changed meanwhile. Reload and try "
                              "again.", item=item_label(item))), code="stale")
    db.session.refresh(item, ["status"])


def _is_open_index(exc: IntegrityError) -> bool:
    text = str(exc.orig)
    return "uq_allocations_" in text or "allocations.device_id" in text \
        or "allocations.line_id" in text


def _item_ids(item: Device | Line) -> dict:
    return {"device_id": item.id} if isinstance(item, Device) else {"line_id": item.id}


def allocate(actor: User, *, user: User, device: Device | None = None,
             line: Line | None = None, due_date: date, handover_notes: str | None = None,
             request: DeviceRequest | None = None, kit_id: str | None = None,
             now: datetime | None = None) -> Allocation:
    """Lend one ``device`` or one ``line`` to ``user`` (see ``allocate_kit``)."""
    if (device is None) == (line is None):
        raise DomainError(str(_l("Choose one device or one line.")), field="devices")
    return allocate_kit(actor, user=user, devices=[device] if device else (),
                        lines=[line] if line else (), due_date=due_date,
                        handover_notes=handover_notes, request=request, kit_id=kit_id,
                        now=now)[0]


# --- returns --------------------------------------------------------------------------------


def return_items(allocation: Allocation, actor: User, *, condition: str,
                 notes: str | None = None, whole_kit: bool = False,
                 now: datetime | None = None) -> list[Allocation]:
    """Record the return of ``allocation`` (with ``whole_kit``, of every open loan of its
    kit) in ``condition``; move each item to stock, repair, lost or suspended. Returns the
    allocations closed. Conflict when it was already returned."""
    if not perm.can_allocate(actor):
        raise Forbidden(str(_l("Only IT staff can record returns.")))
    if condition not in RETURN_CONDITIONS:
        raise DomainError(str(_l("Choose the condition: good, damaged, faulty or lost.")),
                          field="condition")
    notes = clean_text(notes, _l("Return notes"), MAX_NOTES, multiline=True, name="notes")
    if condition != "good" and notes is None:
        raise DomainError(str(_l("Describe the damage, fault or loss in the notes.")),
                          field="notes")
    now = now or utcnow()
    # Two people recording the same return at once: the second waits, then sees it done.
    db.session.refresh(allocation, with_for_update=True)
    if allocation.returned_at is not None:
        raise Conflict(str(_l("%(item)s was already returned.",
                              item=allocation_label(allocation))), code="already_returned")
    rows = [allocation]
    if whole_kit and allocation.kit_id:
        rows += list(db.session.scalars(
            select(Allocation).where(Allocation.kit_id == allocation.kit_id,
                                     Allocation.returned_at.is_(None),
                                     Allocation.id != allocation.id)
            .order_by(Allocation.id).with_for_update()))
    back_in_stock: set[str] = set()
    for row in rows:
        item = row.device or row.line
        after = (DEVICE_AFTER_RETURN if row.device else LINE_AFTER_RETURN)[condition]
        row.returned_at = max(now, row.allocated_at)
        row.returned_by_id = actor.id
        row.return_condition = condition
        row.return_notes = notes
        before, item.status = item.status, after
        record_event("returned", actor=actor, user_id=row.user_id, allocation_id=row.id,
                     condition=condition, notes=notes,
                     changes={"status": [before, after]}, **_item_ids(item))
        if after == "in_stock":
            back_in_stock.add(item_kind(row))
    db.session.flush()
    notify(rows[0].user, "devices.returned", "devices_returned", url=MY_ITEMS_URL,
           allocations=rows, labels=[allocation_label(r) for r in rows],
           condition=CONDITION_LABELS[condition], actor=actor)
    notify_waitlist(back_in_stock)
    return rows


def notify_waitlist(kinds: set[str]) -> None:
    """Items of ``kinds`` (device kinds or ``line``) are in stock again, back from a loan or
    new: tell IT when requests of those kinds wait on the waitlist."""
    if not kinds:
        return
    waiting = dict(db.session.execute(
        select(DeviceRequest.kind, func.count(DeviceRequest.id))
        .where(DeviceRequest.status == "waitlisted", DeviceRequest.kind.in_(kinds))
        .group_by(DeviceRequest.kind)).all())
    if not waiting:
        return
    for person in perm.it_staff():
        notify(person, "devices.waitlist_available", "devices_waitlist_available",
               url=REQUESTS_URL + "?status=waitlisted",
               waiting=[(KIND_LABELS[kind], count) for kind, count in sorted(waiting.items())])


# --- receipt confirmation ---------------------------------------------------------------------


def confirm_receipt(allocation: Allocation, actor: User, *, terms_version: int | None,
                    now: datetime | None = None) -> Allocation:
    """The holder confirms receipt of ``allocation`` and accepts the loan terms of its kind
    in ``terms_version`` (what their page showed; None when there were no terms).

    Forbidden for anyone but the holder; Conflict when already confirmed or returned, or when
    the terms changed since the page was shown (``terms_changed``)."""
    if actor.id != allocation.user_id or not actor.active:
        raise Forbidden(str(_l("Only the holder can confirm receipt.")))
    db.session.refresh(allocation, with_for_update=True)
    if allocation.returned_at is not None:
        raise Conflict(str(_l("This loan has been returned: there is nothing to confirm.")),
                       code="already_returned")
    if allocation.confirmed_at is not None:
        raise Conflict(str(_l("You already confirmed receipt of %(item)s.",
                              item=allocation_label(allocation))), code="already_confirmed")
    current = current_terms(item_kind(allocation)).version
    if isinstance(terms_version, bool) or terms_version != current:
        raise Conflict(str(_l("The loan terms have changed since the page was opened. Read "
                              "them again, then confirm.")), code="terms_changed")
    allocation.confirmed_at = now or utcnow()
    allocation.terms_version = current
    record_event("confirmed", actor=actor, user_id=actor.id, allocation_id=allocation.id,
                 terms_version=current, **_item_ids(allocation.device or allocation.line))
    db.session.flush()
    return allocation
