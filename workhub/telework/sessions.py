"""The session log: what remote work actually happened, and HR's month close.

A session counts for the Japan-time date of its start (``day``) and for the department the
person belonged to then. Start/stop records a session live; ``record_session`` enters one
after the fact. A session is normally linked to the person's approved booking of that day;
without one it is allowed and flagged ``unplanned`` unless the person's policy requires a
booking. Sessions of a month HR has closed cannot be created, changed or deleted until HR
reopens the month.

Every function takes the acting user explicitly, flushes and leaves the commit to the caller.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from workhub.auth.services import audit
from workhub.businessdays import month_bounds, month_of
from workhub.clock import office_today, office_zone
from workhub.database import utcnow
from workhub.errors import Conflict, DomainError, Forbidden, NotFound
from workhub.extensions import db
from workhub.locking import insert_unless_taken, lock_row
from workhub.org.models import User
from workhub.telework.errors import RuleViolation
from workhub.telework.models import PLACES, Booking, TeleworkSession
from workhub.telework.months import check_month, is_closed
from workhub.telework.permissions import can_view_session, is_office
from workhub.telework.policy import effective_policy
from workhub.validation import clean_text

MAX_REPORT_LENGTH = 2000
# A session longer than this is a forgotten stop button, not a working day.
MAX_SESSION = timedelta(hours=24)
_CLOCK = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")


# --- permissions (viewing is decided in permissions.can_view_session) -----------------------


def can_edit_session(user: User | None, session: TeleworkSession) -> bool:
    """The owner, or HR/admin (a correction, audited). Managers may look but not change."""
    return user is not None and bool(user.active) and (
        user.id == session.user_id or is_office(user))


def get_session(session_id: int, viewer: User, *, for_edit: bool = False) -> TeleworkSession:
    """Load a session the viewer may see (or change, with ``for_edit``): 404 / 403 otherwise."""
    session = db.session.get(TeleworkSession, session_id)
    if session is None:
        raise NotFound(str(_l("No such telework session.")))
    allowed = can_edit_session if for_edit else can_view_session
    if not allowed(viewer, session):
        raise Forbidden(str(_l("You may not change this telework session.") if for_edit
                            else _l("You may not see this telework session.")))
    return session


def running_session(user: User) -> TeleworkSession | None:
    """The user's session without an end, if any."""
    return db.session.scalar(
        select(TeleworkSession).where(TeleworkSession.user_id == user.id,
                                      TeleworkSession.ended_at.is_(None))
    )


def user_sessions(user: User, month: str) -> list[TeleworkSession]:
    """The user's sessions of ``month`` ("YYYY-MM"), oldest first."""
    first, last = month_bounds(check_month(month))
    return list(db.session.scalars(
        select(TeleworkSession)
        .where(TeleworkSession.user_id == user.id, TeleworkSession.day.between(first, last))
        .order_by(TeleworkSession.started_at)
    ))


# --- input checks ----------------------------------------------------------------------------


def clean_report(report: str | None) -> str | None:
    """Return the work report trimmed (None when empty); refuse control characters and
    reports over MAX_REPORT_LENGTH. Line breaks and tabs are allowed."""
    return clean_text(report, _l("Work report"), MAX_REPORT_LENGTH, multiline=True,
                      name="report")


def _check_place(place: str | None) -> str:
    if place not in PLACES:
        raise DomainError(str(_l("Choose a place: home, satellite office or other.")),
                          field="place")
    return place


def _parse_day(value: date | str | None) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise DomainError(str(_l("Give the date as YYYY-MM-DD.")), field="date")


def _parse_clock(value: str | None, field: str) -> time:
    match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise DomainError(str(_l("Give the time as HH:MM between 00:00 and 23:59.")),
                          field=field)
    return time(int(match.group(1)), int(match.group(2)))


# --- rules -----------------------------------------------------------------------------------


def _refuse_closed(day: date) -> None:
    if is_closed(month_of(day)):
        raise RuleViolation(
            str(_l("%(month)s has been closed by HR: its sessions can no longer be changed. "
                   "Ask HR to reopen the month.", month=month_of(day))),
            code="month_closed",
        )


def _refuse_overlap(user_id: int, start: datetime, end: datetime | None,
                    exclude_id: int | None = None) -> None:
    """Refuse a session [start, end) that overlaps another of the person's (a running one
    lasts until further notice)."""
    query = select(TeleworkSession.id).where(
        TeleworkSession.user_id == user_id,
        or_(TeleworkSession.ended_at.is_(None), TeleworkSession.ended_at > start),
    )
    if end is not None:
        query = query.where(TeleworkSession.started_at < end)
    if exclude_id is not None:
        query = query.where(TeleworkSession.id != exclude_id)
    if db.session.scalar(query.limit(1)) is not None:
        raise RuleViolation(str(_l("This time overlaps another of your telework sessions.")),
                            code="overlap")


def _refuse_bad_span(start: datetime, end: datetime | None, now: datetime) -> None:
    if start > now or (end is not None and end > now):
        raise RuleViolation(str(_l("A session cannot be in the future.")), code="future")
    if end is not None and end <= start:
        raise RuleViolation(str(_l("The end must be after the start.")),
                            code="end_before_start")
    if end is not None and end - start > MAX_SESSION:
        raise RuleViolation(str(_l("A session cannot last longer than 24 hours: enter the "
                                   "time you really stopped.")), code="too_long")


def _approved_booking(user: User, day: date, at: time | None = None) -> Booking | None:
    """The user's approved booking of ``day``; with half days, the one covering ``at``."""
    bookings = list(db.session.scalars(
        select(Booking).where(Booking.user_id == user.id, Booking.day == day,
                              Booking.status == "approved").order_by(Booking.id)
    ))
    if at is not None:
        half = "am" if at < time(12) else "pm"
        bookings.sort(key=lambda b: (b.slot not in ("full", half), b.id))
    return bookings[0] if bookings else None


def _link_booking(user: User, day: date, booking_id: int | None, at: time) -> tuple:
    """Return (booking, unplanned) for a session of ``user`` on ``day`` starting ``at``."""
    if booking_id is not None:
        booking = db.session.get(Booking, booking_id) if isinstance(booking_id, int) else None
        if (booking is None or booking.user_id != user.id or booking.day != day
                or booking.status != "approved"):
            raise RuleViolation(str(_l("The booking must be your own approved booking for "
                                       "the session's day.")), code="booking_invalid")
        return booking, False
    booking = _approved_booking(user, day, at)
    if booking is not None:
        return booking, False
    if not effective_policy(user).allow_unplanned_sessions:
        raise RuleViolation(str(_l("Your department requires an approved remote-work booking "
                                   "before a session can be recorded for this day.")),
                            code="booking_required")
    return None, True


def _correction(actor: User, session: TeleworkSession, action: str, ip: str | None,
                **detail) -> None:
    """Audit a change HR or an administrator made to someone else's session."""
    if actor.id != session.user_id:
        owner = db.session.get(User, session.user_id)
        audit("telework.session_corrected", actor=actor, ip=ip,
              target=f"session:{session.id}", action=action,
              user=owner.login if owner else None, day=session.day.isoformat(), **detail)


def _require_actor_for(actor: User, user: User) -> None:
    if actor is None or (actor.id != user.id and not is_office(actor)):
        raise Forbidden(str(_l("Only the person themselves, HR or an administrator may "
                               "record telework sessions.")))


# --- start / stop ----------------------------------------------------------------------------


def start_session(user: User, *, place: str, booking_id: int | None = None,
                  now: datetime | None = None) -> TeleworkSession:
    """Start the user's session now: 409 when one is running; linked to today's approved
    booking when there is one, else unplanned (or refused with ``booking_required``)."""
    now = now or utcnow()
    place = _check_place(place)
    day = office_today(now)
    lock_row(User, user.id)
    if running_session(user) is not None:
        raise Conflict(str(_l("A telework session is already running: stop it first.")),
                       code="session_running")
    _refuse_closed(day)
    _refuse_overlap(user.id, now, None)
    booking, unplanned = _link_booking(user, day, booking_id,
                                       now.astimezone(office_zone()).time())
    # The partial unique index allows one running session per person: should a start get
    # past the lock (another code path), it inserts nothing rather than failing the flush.
    session_id = insert_unless_taken(TeleworkSession, dict(
        user_id=user.id, day=day, started_at=now, ended_at=None, place=place,
        booking_id=booking.id if booking else None, unplanned=unplanned,
        slot=booking.slot if booking else "full", department_id=user.department_id,
    ), ["user_id"], TeleworkSession.ended_at.is_(None))
    if session_id is None:
        raise Conflict(str(_l("A telework session is already running: stop it first.")),
                       code="session_running")
    return db.session.get(TeleworkSession, session_id)


def stop_session(session: TeleworkSession, actor: User, report: str | None = None, *,
                 now: datetime | None = None, ip: str | None = None) -> TeleworkSession:
    """Stop a running session now, with an optional work report."""
    now = now or utcnow()
    if not can_edit_session(actor, session):
        raise Forbidden(str(_l("You may not change this telework session.")))
    if session.ended_at is not None:
        raise Conflict(str(_l("This telework session has already been stopped.")),
                       code="already_stopped")
    text = clean_report(report)
    _refuse_closed(session.day)
    _refuse_bad_span(session.started_at, now, now)
    session.ended_at = now
    if text is not None:
        session.report = text
    db.session.flush()
    _correction(actor, session, "stop", ip)
    return session


# --- after the fact --------------------------------------------------------------------------


def _span(day: date, start: str, end: str | None) -> tuple[datetime, datetime | None]:
    """Japan-time ``day`` + "HH:MM" start/end → UTC instants."""
    zone = office_zone()
    begin = _parse_clock(start, "start")
    finish = _parse_clock(end, "end") if end is not None else None
    started = datetime.combine(day, begin, tzinfo=zone).astimezone(UTC)
    ended = (datetime.combine(day, finish, tzinfo=zone).astimezone(UTC)
             if finish is not None else None)
    return started, ended


def record_session(user: User, *, day: date | str, start: str, end: str, place: str,
                   report: str | None = None, booking_id: int | None = None, actor: User,
                   now: datetime | None = None, ip: str | None = None) -> TeleworkSession:
    """Enter a finished session after the fact: ``day`` (Japan time), ``start``/``end``
    "HH:MM" on that day. Refused when in the future, ending before it starts, overlapping
    another session, in a closed month, or (policy) without an approved booking."""
    now = now or utcnow()
    _require_actor_for(actor, user)
    the_day = _parse_day(day)
    if end is None or (isinstance(end, str) and not end.strip()):
        raise DomainError(str(_l("Give the time as HH:MM between 00:00 and 23:59.")),
                          field="end")
    started, ended = _span(the_day, start, end)
    place = _check_place(place)
    text = clean_report(report)
    _refuse_bad_span(started, ended, now)
    _refuse_closed(the_day)
    lock_row(User, user.id)
    _refuse_overlap(user.id, started, ended)
    booking, unplanned = _link_booking(user, the_day, booking_id,
                                       started.astimezone(office_zone()).time())
    session = TeleworkSession(
        user_id=user.id, day=the_day, started_at=started, ended_at=ended, place=place,
        report=text, booking_id=booking.id if booking else None, unplanned=unplanned,
        slot=booking.slot if booking else "full", department_id=user.department_id,
    )
    db.session.add(session)
    db.session.flush()
    _correction(actor, session, "create", ip, start=start, end=end)
    return session


def update_session(session: TeleworkSession, actor: User, *, day: date | str | None = None,
                   start: str | None = None, end: str | None = None, place: str | None = None,
                   report: str | None = None, now: datetime | None = None,
                   ip: str | None = None) -> TeleworkSession:
    """Change a session; arguments left None keep their value (``report=""`` clears it).

    ``start``/``end`` are "HH:MM" on the session's (new) day; giving ``end`` to a running
    session stops it at that time. A new day links that day's approved booking again.
    """
    now = now or utcnow()
    if not can_edit_session(actor, session):
        raise Forbidden(str(_l("You may not change this telework session.")))
    zone = office_zone()
    new_day = _parse_day(day) if day is not None else session.day
    local_start = session.started_at.astimezone(zone).strftime("%H:%M")
    started, ended = _span(new_day, start if start is not None else local_start, end)
    if end is None and session.ended_at is not None:
        # Keep the end, moved with the day (an end after midnight stays after midnight).
        ended = session.ended_at + (new_day - session.day)
    new_place = _check_place(place) if place is not None else session.place
    text = clean_report(report) if report is not None else session.report
    _refuse_closed(session.day)
    _refuse_closed(new_day)
    _refuse_bad_span(started, ended, now)
    lock_row(User, session.user_id)
    _refuse_overlap(session.user_id, started, ended, exclude_id=session.id)
    if new_day != session.day:
        owner = db.session.get(User, session.user_id)
        booking, unplanned = _link_booking(owner, new_day, None, started.astimezone(zone).time())
        session.booking_id, session.unplanned = (booking.id if booking else None), unplanned
        session.slot = booking.slot if booking else "full"
    before = {"day": session.day.isoformat(), "start": local_start, "place": session.place,
              "end": session.ended_at.isoformat() if session.ended_at else None}
    session.day, session.started_at, session.ended_at = new_day, started, ended
    session.place, session.report = new_place, text
    db.session.flush()
    _correction(actor, session, "update", ip, before=before)
    return session


def delete_session(session: TeleworkSession, actor: User, *, ip: str | None = None) -> None:
    """Delete a session (the owner, or HR/admin as a correction)."""
    if not can_edit_session(actor, session):
        raise Forbidden(str(_l("You may not change this telework session.")))
    _refuse_closed(session.day)
    _correction(actor, session, "delete", ip,
                started_at=session.started_at.isoformat(), place=session.place)
    db.session.delete(session)
    db.session.flush()
