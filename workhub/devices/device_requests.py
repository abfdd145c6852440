"""Employees ask for a device or a line for telework; managers approve; IT fulfils or waitlists.

Decisions recorded here:

* **Statuses.** ``pending`` (waiting for a manager) → ``approved`` or ``rejected``;
  ``approved`` → ``waitlisted`` (nothing in stock) → ``fulfilled`` (IT lent an item, see
  ``allocations.allocate_kit(request=…)``); ``pending``, ``approved`` and ``waitlisted`` can
  be ``cancelled``. Finished requests never change again.
* **Approval.** With ``DEVICE_REQUEST_APPROVAL`` on (the default) a new request is pending
  and the managers of the requester's department (or an ancestor) are asked; with nobody to
  ask, the administrators. With it off the request is approved at once and goes to IT.
* **One open request per kind.** A person with an open request for a kind cannot open a
  second one for it (409): a double submit is not two requests.
* **Waitlist.** The position is by request time among the waitlisted requests of the kind.
  When an item of that kind comes back to stock, IT is told (``allocations``).
* **Notifications.** Everyone concerned hears of each step, in the app and by mail: the
  approvers of a new request, IT of a request to fulfil, the requester of every decision,
  IT of a cancelled approved request.
* **History.** Each step is an inventory event of the requester (``request_…``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from workhub.clock import office_today
from workhub.database import utcnow
from workhub.devices import permissions as perm
from workhub.devices.allocations import Refused, allocate_kit
from workhub.devices.history import record_event
from workhub.devices.loan_labels import KIND_LABELS
from workhub.devices.loan_labels import REQUEST_STATUS_LABELS as STATUS_LABELS
from workhub.devices.models import (
    OPEN_REQUEST_STATUSES,
    REQUEST_KINDS,
    Allocation,
    DeviceRequest,
)
from workhub.errors import Conflict, DomainError, Forbidden
from workhub.extensions import db
from workhub.locking import lock_row
from workhub.notify.services import notify
from workhub.org.models import User
from workhub.validation import clean_text

MAX_PURPOSE = 500
MAX_COMMENT = 500
MAX_DAYS_AHEAD = 366
MAX_SPAN_DAYS = 3 * 366
REQUEST_URL = "/devices/requests/{id}"



def _date(value, what, name: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise DomainError(str(_l("%(what)s must be a date.", what=what)), field=name)
    return value


def _check_dates(start, end, today: date) -> tuple[date, date | None]:
    start = _date(start, _l("The first day"), "start_date")
    end = None if end is None else _date(end, _l("The last day"), "end_date")
    if start < today:
        raise Refused(str(_l("The first day %(day)s is in the past.", day=start.isoformat())),
                      code="start_in_past", field="start_date")
    if start > today + timedelta(days=MAX_DAYS_AHEAD):
        raise Refused(str(_l("Requests are made at most a year ahead.")),
                      code="start_too_far", field="start_date")
    if end is not None and end < start:
        raise Refused(str(_l("The last day is before the first day.")),
                      code="end_before_start", field="end_date")
    if end is not None and end > start + timedelta(days=MAX_SPAN_DAYS):
        raise Refused(str(_l("A loan lasts at most three years: choose an earlier last day.")),
                      code="end_too_far", field="end_date")
    return start, end


def _notify_requester(device_request: DeviceRequest, template: str, actor: User,
                      comment: str | None = None, **context) -> None:
    notify(device_request.user, f"devices.request_{device_request.status}", template,
           url=REQUEST_URL.format(id=device_request.id), essential=True,
           device_request=device_request, kind=KIND_LABELS[device_request.kind],
           status=STATUS_LABELS[device_request.status], actor=actor, comment=comment, **context)


def _notify_it(device_request: DeviceRequest) -> None:
    for person in perm.it_staff():
        notify(person, "devices.request_to_fulfil", "devices_request_to_fulfil",
               url=REQUEST_URL.format(id=device_request.id), device_request=device_request,
               kind=KIND_LABELS[device_request.kind])


def _event(device_request: DeviceRequest, action: str, actor: User, **detail) -> None:
    record_event(f"request_{action}", actor=actor, user_id=device_request.user_id,
                 request_id=device_request.id, **detail)


def create_request(user: User, *, kind: str, start_date: date, end_date: date | None = None,
                   purpose: str | None, actor: User, needs_approval: bool | None = None,
                   now: datetime | None = None) -> DeviceRequest:
    """``user`` asks for an item of ``kind`` from ``start_date`` (to ``end_date``) for
    ``purpose``. Only for oneself (Forbidden otherwise). ``needs_approval`` defaults to the
    ``DEVICE_REQUEST_APPROVAL`` setting. Notifies the approvers, or IT when no approval is
    needed. Conflict when the person already has an open request for that kind."""
    if actor.id != user.id:
        raise Forbidden(str(_l("You can only request devices for yourself.")))
    if kind not in REQUEST_KINDS:
        raise DomainError(str(_l("Choose a laptop, tablet, smartphone, router or line.")),
                          field="kind")
    purpose = clean_text(purpose, _l("Purpose"), MAX_PURPOSE, required=True, multiline=True,
                         name="purpose")
    now = now or utcnow()
    start_date, end_date = _check_dates(start_date, end_date, office_today(now))
    if not user.active:
        raise Refused(str(_l("The account %(login)s is deactivated.", login=user.login)),
                      code="holder_inactive")
    # Serialise one person's requests so a double submit cannot open two.
    lock_row(User, user.id)
    existing = db.session.scalar(select(DeviceRequest.id).where(
        DeviceRequest.user_id == user.id, DeviceRequest.kind == kind,
        DeviceRequest.status.in_(OPEN_REQUEST_STATUSES)))
    if existing is not None:
        raise Conflict(str(_l("You already have an open request for this kind of item "
                              "(request %(id)d).", id=existing)), code="request_open")
    if needs_approval is None:
        needs_approval = bool(current_app.config.get("DEVICE_REQUEST_APPROVAL", True))
    row = DeviceRequest(user_id=user.id, kind=kind, start_date=start_date, end_date=end_date,
                        purpose=purpose, needs_approval=needs_approval,
                        status="pending" if needs_approval else "approved", created_at=now)
    db.session.add(row)
    db.session.flush()
    _event(row, "created", actor, kind=kind, status=row.status)
    if needs_approval:
        for approver in perm.request_approvers(user):
            notify(approver, "devices.request_submitted", "devices_request_submitted",
                   url=REQUEST_URL.format(id=row.id), essential=True, device_request=row,
                   kind=KIND_LABELS[kind])
    else:
        _notify_it(row)
    db.session.flush()
    return row


def _lock_open(device_request: DeviceRequest, allowed: tuple[str, ...]) -> None:
    # Two people deciding at once, or a decision racing a cancel: the second one waits and
    # then sees the first one's status.
    db.session.refresh(device_request, with_for_update=True)
    if device_request.status not in allowed:
        raise Conflict(str(_l("This request can no longer be changed this way (it is "
                              "%(status)s).", status=STATUS_LABELS[device_request.status])),
                       code="wrong_status")


def decide_request(device_request: DeviceRequest, actor: User, *, approve: bool,
                   comment: str | None = None, now: datetime | None = None) -> DeviceRequest:
    """Approve or reject a pending request (a comment is required to reject); tell the
    requester, and IT when approved."""
    if not perm.can_decide_request(actor, device_request):
        raise Forbidden(str(_l("You may not decide on this request.")))
    comment = clean_text(comment, _l("Comment"), MAX_COMMENT, multiline=True,
                         required=not approve, name="comment")
    _lock_open(device_request, ("pending",))
    device_request.status = "approved" if approve else "rejected"
    device_request.decided_by_id = actor.id
    device_request.decided_at = now or utcnow()
    device_request.decision_comment = comment
    _event(device_request, device_request.status, actor, comment=comment)
    db.session.flush()
    _notify_requester(device_request, "devices_request_decided", actor, comment)
    if approve:
        _notify_it(device_request)
    return device_request


def waitlist_position(device_request: DeviceRequest) -> int | None:
    """1 for the first in line among the waitlisted requests of its kind; None when it is
    not waitlisted."""
    if device_request.status != "waitlisted":
        return None
    ahead = db.session.scalar(select(func.count(DeviceRequest.id)).where(
        DeviceRequest.status == "waitlisted", DeviceRequest.kind == device_request.kind,
        (DeviceRequest.created_at < device_request.created_at)
        | ((DeviceRequest.created_at == device_request.created_at)
           & (DeviceRequest.id < device_request.id))))
    return (ahead or 0) + 1


def waitlist_request(device_request: DeviceRequest, actor: User, *,
                     comment: str | None = None) -> DeviceRequest:
    """IT puts an approved request on the waitlist; the requester learns their position."""
    if not perm.can_fulfil_request(actor, device_request):
        raise Forbidden(str(_l("Only IT staff can put requests on the waitlist.")))
    comment = clean_text(comment, _l("Comment"), MAX_COMMENT, multiline=True, name="comment")
    _lock_open(device_request, ("approved",))
    device_request.status = "waitlisted"
    _event(device_request, "waitlisted", actor, comment=comment)
    db.session.flush()
    _notify_requester(device_request, "devices_request_decided", actor, comment,
                      position=waitlist_position(device_request))
    return device_request


def fulfil_request(device_request: DeviceRequest, actor: User, *, devices=(), lines=(),
                   include_installed_lines: bool = False, due_date: date | None = None,
                   handover_notes: str | None = None, now: datetime | None = None
                   ) -> list[Allocation]:
    """IT lends items to the requester for an approved or waitlisted request (see
    ``allocations.allocate_kit``): the request becomes fulfilled. The due date defaults to
    the request's last day."""
    if not perm.can_fulfil_request(actor, device_request):
        raise Forbidden(str(_l("Only IT staff can fulfil requests.")))
    return allocate_kit(actor, user=device_request.user, devices=devices, lines=lines,
                        include_installed_lines=include_installed_lines,
                        due_date=due_date or device_request.end_date,
                        handover_notes=handover_notes, request=device_request, now=now)


def cancel_request(device_request: DeviceRequest, actor: User, *, reason: str | None = None
                   ) -> DeviceRequest:
    """Withdraw an open request: the requester at any time (no reason needed), IT with a
    reason (the requester is told). IT hears of a cancelled approved or waitlisted request."""
    if not perm.can_cancel_request(actor, device_request):
        raise Forbidden(str(_l("You may not cancel this request.")))
    own = actor.id == device_request.user_id
    reason = clean_text(reason, _l("Reason"), MAX_COMMENT, multiline=True, required=not own,
                        name="reason")
    _lock_open(device_request, OPEN_REQUEST_STATUSES)
    was = device_request.status
    device_request.status = "cancelled"
    _event(device_request, "cancelled", actor, comment=reason,
           changes={"status": [was, "cancelled"]})
    db.session.flush()
    if not own:
        _notify_requester(device_request, "devices_request_decided", actor, reason)
    elif was in ("approved", "waitlisted"):
        for person in perm.it_staff():
            notify(person, "devices.request_cancelled", "devices_request_cancelled",
                   url=REQUEST_URL.format(id=device_request.id),
                   device_request=device_request, kind=KIND_LABELS[device_request.kind])
    return device_request
