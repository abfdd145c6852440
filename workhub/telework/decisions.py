"""Decisions on remote-day bookings: approve, reject (one or many) and cancel.

A decision locks the booking's row first, so two managers deciding at once, or a decision
racing a cancel, are taken one after the other and the second sees the first one's status.
Who may decide or cancel is ``permissions``' rule; every change is a ``BookingEvent``.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workhub.auth.services import audit
from workhub.clock import office_today
from workhub.database import utcnow
from workhub.errors import Conflict, DomainError, Forbidden
from workhub.extensions import db
from workhub.notify.services import notify
from workhub.org.models import User
from workhub.telework import permissions as perm
from workhub.telework.bookings import (
    BOOKING_URL,
    MY_BOOKINGS_URL,
    STATUS_LABELS,
    notice_labels,
)
from workhub.telework.models import Booking, BookingEvent
from workhub.validation import clean_text

MAX_BULK = 500


def _lock(booking: Booking) -> None:
    # Two managers deciding at once, or a decision racing a cancel: the second one waits
    # and then sees the first one's status.
    db.session.refresh(booking, with_for_update=True)


def _change(booking: Booking, to_status: str, actor: User, comment: str | None,
            now: datetime) -> None:
    db.session.add(BookingEvent(booking=booking, actor_id=actor.id, from_status=booking.status,
                                to_status=to_status, comment=comment, at=now))
    booking.status = to_status


def _decision_problem(booking: Booking, actor: User) -> DomainError | None:
    if booking.user_id == actor.id:
        return Forbidden(str(_l("You cannot decide on your own booking.")))
    if not perm.can_approve(actor, booking):
        return Forbidden(str(_l("You may not decide on bookings of this person.")))
    if booking.status != "pending":
        return Conflict(str(_l("This booking is no longer waiting for a decision (it is "
                               "%(status)s).", status=STATUS_LABELS[booking.status])))
    return None


def _decide(booking: Booking, actor: User, to_status: str, comment: str | None,
            now: datetime) -> None:
    _change(booking, to_status, actor, comment, now)
    booking.decided_by_id = actor.id
    booking.decided_at = now
    booking.decision_comment = comment


def _notify_decision(owner: User, bookings: list[Booking], to_status: str, actor: User,
                     comment: str | None) -> None:
    url = BOOKING_URL.format(id=bookings[0].id) if len(bookings) == 1 else MY_BOOKINGS_URL
    notify(owner, f"telework.booking_{to_status}", f"telework_booking_{to_status}", url=url,
           essential=True, bookings=bookings, actor=actor, comment=comment, **notice_labels())


def approve(booking: Booking, actor: User, comment: str | None = None, *,
            now: datetime | None = None) -> Booking:
    """Approve a pending booking; tell its owner. Forbidden / Conflict when not possible."""
    return _decide_one(booking, actor, "approved", comment, now)


def reject(booking: Booking, actor: User, comment: str, *, now: datetime | None = None
           ) -> Booking:
    """Reject a pending booking with a comment (required); tell its owner."""
    return _decide_one(booking, actor, "rejected", comment, now)


def _decide_one(booking, actor, to_status, comment, now) -> Booking:
    comment = clean_text(comment, _l("Comment"), 500, multiline=True,
                         required=to_status == "rejected", name="comment")
    _lock(booking)
    problem = _decision_problem(booking, actor)
    if problem is not None:
        raise problem
    _decide(booking, actor, to_status, comment, now or utcnow())
    db.session.flush()
    _notify_decision(booking.user, [booking], to_status, actor, comment)
    return booking


def approve_many(ids, actor: User, comment: str | None = None, *,
                 now: datetime | None = None) -> tuple[list[Booking], list[tuple[int, str]]]:
    """Approve every booking of ``ids`` that ``actor`` may approve; return ``(approved,
    refused)`` where ``refused`` holds ``(id, reason)``. Each owner gets one message."""
    comment = clean_text(comment, _l("Comment"), 500, multiline=True, name="comment")
    if isinstance(ids, str | bytes):
        raise DomainError(str(_l("Booking numbers must be whole numbers.")), field="ids")
    try:
        wanted = list(dict.fromkeys(int(i) for i in ids))
    except (TypeError, ValueError) as exc:
        raise DomainError(str(_l("Booking numbers must be whole numbers.")), field="ids") from exc
    if not wanted:
        raise DomainError(str(_l("Choose at least one booking.")), field="ids")
    if len(wanted) > MAX_BULK:
        raise DomainError(str(_l("At most %(n)d bookings can be approved at once.", n=MAX_BULK)),
                          field="ids")
    now = now or utcnow()
    found = {b.id: b for b in db.session.scalars(
        select(Booking).where(Booking.id.in_(wanted)).with_for_update())}
    approved: list[Booking] = []
    refused: list[tuple[int, str]] = []
    for booking_id in wanted:
        booking = found.get(booking_id)
        if booking is None or not perm.can_view_booking(actor, booking):
            refused.append((booking_id, str(_l("No such booking."))))
            continue
        problem = _decision_problem(booking, actor)
        if problem is not None:
            refused.append((booking_id, problem.message))
            continue
        _decide(booking, actor, "approved", comment, now)
        approved.append(booking)
    db.session.flush()
    by_owner: dict[int, list[Booking]] = {}
    for booking in approved:
        by_owner.setdefault(booking.user_id, []).append(booking)
    for bookings in by_owner.values():
        _notify_decision(bookings[0].user, bookings, "approved", actor, comment)
    return approved, refused


def cancel(booking: Booking, actor: User, reason: str | None = None, *,
           now: datetime | None = None) -> Booking:
    """Cancel a pending or approved booking (see ``permissions.can_cancel_booking``).

    The owner may omit the reason; anyone else must give one, and the owner is told.
    """
    now = now or utcnow()
    _lock(booking)
    role = perm.cancel_role(actor, booking)
    if role is None:
        raise Forbidden(str(_l("You may not cancel this booking.")))
    reason = clean_text(reason, _l("Reason"), 500, multiline=True, required=role != "owner",
                        name="reason")
    if not booking.live:
        raise Conflict(str(_l("This booking is already %(status)s.",
                              status=STATUS_LABELS[booking.status])))
    history = perm.booking_is_history(booking, office_today(now))
    if history and role != "office":
        raise Conflict(str(_l("This remote day is over or was already worked: only HR can "
                              "cancel it now.")))
    _change(booking, "cancelled", actor, reason, now)
    db.session.flush()
    if history:
        audit("telework.override", actor=actor, target=booking.user.login, reason=reason,
              rules=[{"code": "cancel_history", "day": booking.day.isoformat()}],
              booking_ids=[booking.id])
    if actor.id != booking.user_id:
        notify(booking.user, "telework.booking_cancelled", "telework_booking_cancelled",
               url=BOOKING_URL.format(id=booking.id), essential=True, bookings=[booking],
               actor=actor, comment=reason, **notice_labels())
    return booking
