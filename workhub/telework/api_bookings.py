"""JSON API of remote-day bookings (routes on the ``api`` blueprint, under /api/v1).

* ``POST /telework/bookings`` books one date, a range (``end_date``) or a weekly pattern
  (``weeks``, optionally ``weekdays`` 0 = Monday … 6 = Sunday; with ``weekdays`` and no
  ``end_date`` the pattern is the week starting at ``date``) → 201. A broken rule → 422
  with the rule's code; bad JSON, wrong types or unknown fields → 400.
* ``GET /telework/bookings`` lists what the caller may see (``from``, ``to``, ``status``,
  ``page``, ``per_page``); ``GET /telework/bookings/<id>`` one booking. Purpose, place note,
  comments and history only for those who may see the details.
* ``POST /telework/bookings/<id>/approve|reject|cancel`` → 200; not allowed → 403, or 404
  when the caller may not even see the booking.
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

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
from workhub.extensions import db
from workhub.org.models import User
from workhub.pagination import paginate
from workhub.telework import bookings as bk
from workhub.telework import decisions
from workhub.telework import permissions as perm
from workhub.telework.models import BOOKING_STATUSES, Booking, BookingEvent
from workhub.view_helpers import acting_user
from workhub.web import select_locale

CREATE_FIELDS = {"date", "end_date", "weeks", "weekdays", "slot", "place", "note", "purpose",
                 "login", "override_reason"}


def booking_json(booking: Booking, *, details: bool) -> dict:
    """A booking as JSON; the private parts only when ``details``."""
    body = {
        "id": booking.id,
        "date": booking.day.isoformat(),
        "slot": booking.slot,
        "place": booking.place,
        "status": booking.status,
        "user": {"login": booking.user.login, "display_name": booking.user.display_name},
        "series_id": booking.series_id,
        "created_at": booking.created_at.isoformat(),
        "decided_at": booking.decided_at.isoformat() if booking.decided_at else None,
    }
    if details:
        body.update({
            "note": booking.place_note,
            "purpose": booking.purpose,
            "decided_by": booking.decided_by.login if booking.decided_by else None,
            "decision_comment": booking.decision_comment,
            "override_reason": booking.override_reason,
        })
    return body


# --- create and list ------------------------------------------------------------------------


@bp.post("/telework/bookings")
@json_errors
def telework_create_bookings():
    data = json_body(CREATE_FIELDS)
    if data.get("date") is None:
        raise BadRequest(_("date is required (YYYY-MM-DD)."), field="date")
    start = date_value(data["date"], "date")
    end = optional_date(data, "end_date")
    weeks = None if data.get("weeks") is None else whole_number(data["weeks"], "weeks")
    weekdays = data.get("weekdays")
    if weekdays is not None:
        if not isinstance(weekdays, list) or len(weekdays) > 7:
            raise BadRequest(_("weekdays must be a list of numbers from 0 (Monday) to 6 "
                               "(Sunday)."), field="weekdays")
        weekdays = [whole_number(d, "weekdays") for d in weekdays]
        if weeks is not None and end is None:
            end = start + timedelta(days=6)
    actor = acting_user()
    owner = actor
    login = text_value(data, "login")
    if login:
        owner = db.session.scalar(select(User).where(User.login == normalise_login(login)))
        if owner is None or not owner.active:
            raise BadRequest(_("No active account has this login ID."), code="unknown_user",
                             field="login")
    result = bk.create_bookings(
        owner, start=start, end=end, weeks=weeks, weekdays=weekdays,
        slot=text_value(data, "slot", "full"), place=text_value(data, "place", "home"),
        place_note=text_value(data, "note"), purpose=text_value(data, "purpose"), actor=actor,
        override_reason=text_value(data, "override_reason"), language=select_locale(),
    )
    db.session.commit()
    created = result.created
    return jsonify({
        "id": created[0].id,
        "ids": [b.id for b in created],
        "status": created[0].status,
        "created": [booking_json(b, details=True) for b in created],
        "skipped": [{"date": s.day.isoformat(), "kind": s.kind, "reason": s.reason}
                    for s in result.skipped],
        "warnings": [{"code": w.code, "message": w.message,
                      "date": w.day.isoformat() if w.day else None} for w in result.warnings],
        "overridden": [{"code": v.code, "message": v.message,
                        "date": v.day.isoformat() if v.day else None}
                       for v in result.overridden],
    }), 201


@bp.get("/telework/bookings")
@json_errors
def telework_list_bookings():
    args = request.args
    first = None if not args.get("from") else date_value(args["from"], "from")
    last = None if not args.get("to") else date_value(args["to"], "to")
    status = args.get("status") or None
    if status is not None and status not in BOOKING_STATUSES:
        raise BadRequest(_("status must be one of: %(names)s.",
                           names=", ".join(BOOKING_STATUSES)), field="status")
    page, per_page = page_args()
    stmt = perm.bookings_visible_to(current_user).options(
        joinedload(Booking.user), joinedload(Booking.decided_by))
    if first:
        stmt = stmt.where(Booking.day >= first)
    if last:
        stmt = stmt.where(Booking.day <= last)
    if status:
        stmt = stmt.where(Booking.status == status)
    result = paginate(stmt.order_by(Booking.day, Booking.id), page, per_page)
    details: dict[int, bool] = {}  # the rule depends on the owner only: ask once per owner
    items = []
    for booking in result.items:
        if booking.user_id not in details:
            details[booking.user_id] = perm.can_view_booking_details(current_user, booking)
        items.append(booking_json(booking, details=details[booking.user_id]))
    return jsonify({"items": items, "page": result.page, "per_page": result.per_page,
                    "total": result.total})


# --- one booking ------------------------------------------------------------------------------


def _load(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or not perm.can_view_booking(current_user, booking):
        abort(404)
    return booking


@bp.get("/telework/bookings/<int:booking_id>")
@json_errors
def telework_get_booking(booking_id: int):
    booking = _load(booking_id)
    details = perm.can_view_booking_details(current_user, booking)
    body = booking_json(booking, details=details)
    if details:
        events = db.session.scalars(
            select(BookingEvent).where(BookingEvent.booking_id == booking.id)
            .options(joinedload(BookingEvent.actor)).order_by(BookingEvent.at, BookingEvent.id))
        body["history"] = [
            {"at": e.at.isoformat(), "actor": e.actor.login if e.actor else None,
             "from": e.from_status, "to": e.to_status, "comment": e.comment}
            for e in events]
    return jsonify(body)


def _decided(booking: Booking):
    return jsonify(booking_json(booking, details=True))


@bp.post("/telework/bookings/<int:booking_id>/approve")
@json_errors
def telework_approve_booking(booking_id: int):
    booking = _load(booking_id)
    if not perm.can_approve(current_user, booking):
        abort(403)
    data = json_body({"comment"})
    decisions.approve(booking, acting_user(), text_value(data, "comment"))
    db.session.commit()
    return _decided(booking)


@bp.post("/telework/bookings/<int:booking_id>/reject")
@json_errors
def telework_reject_booking(booking_id: int):
    booking = _load(booking_id)
    if not perm.can_approve(current_user, booking):
        abort(403)
    data = json_body({"comment"})
    decisions.reject(booking, acting_user(), text_value(data, "comment"))
    db.session.commit()
    return _decided(booking)


@bp.post("/telework/bookings/<int:booking_id>/cancel")
@json_errors
def telework_cancel_booking(booking_id: int):
    booking = _load(booking_id)
    if perm.cancel_role(current_user, booking) is None:
        abort(403)
    data = json_body({"reason"})
    decisions.cancel(booking, acting_user(), text_value(data, "reason"))
    db.session.commit()
    return _decided(booking)
