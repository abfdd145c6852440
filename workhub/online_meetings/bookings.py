"""Booking a licence for a meeting, releasing it, and the licences free for a time slot.

A meeting holds a licence for its own time: the booking copies the meeting's start and end
and follows them when the meeting moves (a rule registered with the core meeting service).
The rules, each with a message a person can act on:

* only someone who may manage the meeting books for it, and only a meeting with an end and
  a start still to come;
* the licence is active, of the meeting's online tool (a room kit fits any meeting), big
  enough for its participants, under contract on the meeting's day, and pooled or assigned
  to the organiser or their department;
* one host licence per meeting (a room kit may come beside it);
* never two meetings on one licence at overlapping times: checked here for the message,
  guaranteed by the database (``overlap.py``) when two people book at the same moment.

Services flush, never commit, and take the acting user.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from workhub.clock import office_zone
from workhub.errors import Conflict, DomainError, Forbidden, NotFound
from workhub.extensions import db
from workhub.locking import lock_row
from workhub.meetings.models import Meeting
from workhub.meetings.permissions import can_manage_meeting
from workhub.meetings.services import MeetingData, change_rule
from workhub.online_meetings import overlap
from workhub.online_meetings.models import Licence, LicenceBooking
from workhub.org.models import User


def _clashes(licence_id: int, starts_at: datetime, ends_at: datetime,
             meeting_id: int | None = None):
    """Bookings of ``licence_id`` overlapping ``[starts_at, ends_at)`` (other meetings')."""
    stmt = select(LicenceBooking).where(LicenceBooking.licence_id == licence_id,
                                        LicenceBooking.starts_at < ends_at,
                                        starts_at < LicenceBooking.ends_at)
    if meeting_id is not None:
        stmt = stmt.where(LicenceBooking.meeting_id != meeting_id)
    return db.session.scalars(stmt.order_by(LicenceBooking.starts_at)).all()


def _may_use(licence: Licence, organiser: User | None) -> bool:
    if licence.mode == "pooled":
        return True
    if organiser is None:
        return False
    return licence.assigned_user_id == organiser.id or (
        licence.assigned_department_id is not None
        and licence.assigned_department_id == organiser.department_id)


def _under_contract(licence: Licence, starts_at: datetime) -> bool:
    day = starts_at.astimezone(office_zone()).date()
    return ((licence.contract_start is None or licence.contract_start <= day)
            and (licence.contract_end is None or day <= licence.contract_end))


def _refusal(licence: Licence, *, tool: str, participants: int, starts_at: datetime,
             organiser: User | None) -> str | None:
    """Why ``licence`` cannot serve a meeting like this (None: it can, time apart)."""
    if not licence.active:
        return str(_l("%(name)s is out of use.", name=licence.name))
    if licence.kind == "host" and tool == "none":
        return str(_l("Choose the meeting's online tool before booking a host licence."))
    if licence.kind == "host" and licence.tool != tool:
        return str(_l("%(name)s is a licence of another online tool than the meeting's.",
                      name=licence.name))
    if participants > licence.capacity:
        return str(_l("%(name)s holds %(capacity)d participants; the meeting has %(n)d.",
                      name=licence.name, capacity=licence.capacity, n=participants))
    if not _under_contract(licence, starts_at):
        return str(_l("%(name)s is not under contract on the meeting's day.",
                      name=licence.name))
    if not _may_use(licence, organiser):
        return str(_l("%(name)s is assigned to someone else.", name=licence.name))
    return None


def _participants(meeting: Meeting) -> int:
    return len(meeting.participants)


def book_licence(actor: User, meeting: Meeting, licence_id: int) -> LicenceBooking:
    """Hold licence ``licence_id`` for ``meeting``'s time."""
    if not can_manage_meeting(actor, meeting):
        raise Forbidden(str(_l("Only the organiser, the department's secretaries and "
                               "administrators book a licence for this meeting.")))
    if meeting.ends_at is None:
        raise DomainError(str(_l("Give the meeting an end time before booking a licence.")),
                          field="ends_at")
    if meeting.ends_at <= datetime.now(meeting.ends_at.tzinfo):
        raise DomainError(str(_l("This meeting is over: a licence is booked for meetings "
                                 "still to come.")), field="licence")
    licence = db.session.get(Licence, licence_id)
    if licence is None:
        raise NotFound(str(_l("No such licence.")))
    # One booking of this licence at a time, so the check below sees every earlier booking.
    lock_row(Licence, licence.id)
    why = _refusal(licence, tool=meeting.online_tool, participants=_participants(meeting),
                   starts_at=meeting.starts_at, organiser=meeting.organiser)
    if why:
        raise DomainError(why, field="licence")
    held = db.session.scalar(select(LicenceBooking).where(
        LicenceBooking.meeting_id == meeting.id, LicenceBooking.licence_id == licence.id))
    if held is not None:
        return held
    if licence.kind == "host" and db.session.scalar(
            select(func.count()).select_from(LicenceBooking).join(Licence)
            .where(LicenceBooking.meeting_id == meeting.id, Licence.kind == "host")):
        raise Conflict(str(_l("This meeting already holds a host licence. Release it first.")),
                       field="licence")
    if _clashes(licence.id, meeting.starts_at, meeting.ends_at, meeting.id):
        raise Conflict(_busy(licence), field="licence")
    booking = LicenceBooking(licence_id=licence.id, meeting_id=meeting.id,
                             starts_at=meeting.starts_at, ends_at=meeting.ends_at,
                             booked_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(booking)
            db.session.flush()
    except IntegrityError as exc:
        if overlap.is_overlap(exc):
            raise Conflict(_busy(licence), field="licence") from exc
        raise
    return booking


def _busy(licence: Licence) -> str:
    return str(_l("%(name)s is booked by another meeting at that time. Choose one of the free "
                  "licences.", name=licence.name))


def release_licence(actor: User, meeting: Meeting, licence_id: int) -> None:
    """Give the licence back (nothing happens when the meeting did not hold it)."""
    if not can_manage_meeting(actor, meeting):
        raise Forbidden(str(_l("Only the organiser, the department's secretaries and "
                               "administrators release this meeting's licence.")))
    booking = db.session.scalar(select(LicenceBooking).where(
        LicenceBooking.meeting_id == meeting.id, LicenceBooking.licence_id == licence_id))
    if booking is not None:
        db.session.delete(booking)
        db.session.flush()


def free_licences(*, tool: str, starts_at: datetime, ends_at: datetime, participants: int,
                  organiser: User | None, kind: str = "host",
                  meeting_id: int | None = None) -> list[Licence]:
    """Licences ``organiser`` may book for ``[starts_at, ends_at)``: of ``kind`` (host
    licences of ``tool``), big enough, under contract, not booked by another meeting then.
    The smallest that fits first, so the big rooms and accounts stay free for big meetings."""
    busy = select(LicenceBooking.licence_id).where(
        LicenceBooking.starts_at < ends_at, starts_at < LicenceBooking.ends_at)
    if meeting_id is not None:
        busy = busy.where(LicenceBooking.meeting_id != meeting_id)
    stmt = select(Licence).where(Licence.active.is_(True), Licence.kind == kind,
                                 Licence.capacity >= participants, Licence.id.not_in(busy))
    if kind == "host":
        stmt = stmt.where(Licence.tool == tool)
    mine = [Licence.mode == "pooled"]
    if organiser is not None:
        mine.append(Licence.assigned_user_id == organiser.id)
        if organiser.department_id is not None:
            mine.append(Licence.assigned_department_id == organiser.department_id)
    stmt = stmt.where(or_(*mine)).order_by(Licence.capacity, Licence.name)
    return [licence for licence in db.session.scalars(stmt)
            if _under_contract(licence, starts_at)]


def held_by(meeting: Meeting) -> list[LicenceBooking]:
    """The licences ``meeting`` holds, host licence first."""
    return list(db.session.scalars(
        select(LicenceBooking).join(Licence).where(LicenceBooking.meeting_id == meeting.id)
        .order_by(Licence.kind, Licence.name)))


def bookable(meeting: Meeting) -> bool:
    """Whether the meeting can book a licence at all: it has an end still to come."""
    return meeting.ends_at is not None and meeting.ends_at > datetime.now(meeting.ends_at.tzinfo)


def suggestions(meeting: Meeting, user: User) -> list[Licence]:
    """For whoever manages ``meeting``: the licences free for its time that it could book
    (host licences of its tool unless it holds one, and room kits), smallest first."""
    if not can_manage_meeting(user, meeting) or not bookable(meeting):
        return []
    held = held_by(meeting)
    kinds = {b.licence.kind for b in held}
    found: list[Licence] = []
    for kind in ("host", "room"):
        if kind in kinds or (kind == "host" and meeting.online_tool == "none"):
            continue
        found += free_licences(tool=meeting.online_tool, starts_at=meeting.starts_at,
                               ends_at=meeting.ends_at, participants=_participants(meeting),
                               organiser=meeting.organiser, kind=kind, meeting_id=meeting.id)
    return found


@change_rule
def follow_meeting(meeting: Meeting, data: MeetingData, participants: int) -> None:
    """A meeting that holds licences keeps them only as it stays bookable: the bookings move
    with its time; a change that a held licence cannot follow is refused with the reason."""
    if meeting.id is None:
        return
    bookings = db.session.scalars(select(LicenceBooking).where(
        LicenceBooking.meeting_id == meeting.id)).all()
    if not bookings:
        return
    if data.ends_at is None:
        raise DomainError(str(_l("This meeting holds a licence, so it needs an end time. "
                                 "Release the licence first to leave the end open.")),
                          field="ends_at")
    for booking in bookings:
        licence = booking.licence
        why = _refusal(licence, tool=data.online_tool, participants=participants,
                       starts_at=data.starts_at, organiser=meeting.organiser)
        if why:
            raise DomainError(str(_l("%(why)s Release the licence first to make this change.",
                                     why=why)), field="licence")
        if (booking.starts_at, booking.ends_at) != (data.starts_at, data.ends_at):
            if _clashes(licence.id, data.starts_at, data.ends_at, meeting.id):
                raise Conflict(str(_l("%(name)s is booked by another meeting at the new time. "
                                      "Release it or choose another time.", name=licence.name)),
                               field="starts_at")
            booking.starts_at, booking.ends_at = data.starts_at, data.ends_at
