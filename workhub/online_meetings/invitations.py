"""Invitations: an iCalendar request (METHOD:REQUEST) mailed to a meeting's staff participants,
sent again as an update with a higher SEQUENCE when the meeting changed, and a cancellation
(METHOD:CANCEL). The UID is the meeting's, so mail programs replace the entry in the
calendar instead of adding a second one.

Who may send: whoever manages the meeting; only for a meeting with an end still to come.
Staff without an address or deactivated get nothing (they see the meeting in WorkHub);
external participants are not mailed by WorkHub (the organiser forwards the link). Services
flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event, vCalAddress, vText

from workhub.auth.audit import audit
from workhub.database import utcnow
from workhub.errors import DomainError, Forbidden
from workhub.extensions import db
from workhub.meetings.models import Meeting
from workhub.meetings.permissions import can_manage_meeting
from workhub.notify.services import queue_mail, user_language
from workhub.online_meetings.models import Invitation
from workhub.org.models import User

TEMPLATE = "meetings_invitation"
CANCEL_TEMPLATE = "meetings_invitation_cancelled"


def uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.id}@workhub"


def _address(user: User | None) -> vCalAddress | None:
    if user is None or not user.email:
        return None
    address = vCalAddress(f"mailto:{user.email}")
    address.params["cn"] = vText(user.display_name)
    return address


def build_ics(meeting: Meeting, *, method: str, sequence: int, now: datetime,
              meeting_url: str | None = None) -> str:
    """The iCalendar text of ``meeting`` for ``method`` (REQUEST or CANCEL)."""
    cal = Calendar()
    cal.add("prodid", "-//WorkHub//Meetings//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", uid(meeting))
    event.add("sequence", sequence)
    event.add("dtstamp", now)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", meeting.title)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    where = [part for part in (meeting.place, meeting.join_url) if part]
    if where:
        event.add("location", " / ".join(where))
    if meeting.join_url:
        event.add("url", meeting.join_url)
    description = [part for part in (meeting.join_url, meeting.notes, meeting_url) if part]
    if description:
        event.add("description", "\n\n".join(description))
    organiser = _address(meeting.organiser)
    if organiser is not None:
        event.add("organizer", organiser)
    for person in _staff(meeting):
        attendee = _address(person)
        attendee.params.update({"role": "REQ-PARTICIPANT", "partstat": "NEEDS-ACTION",
                                "rsvp": "TRUE"})
        event.add("attendee", attendee)
    cal.add_component(event)
    return cal.to_ical().decode("utf-8")


def _staff(meeting: Meeting) -> list[User]:
    """The staff participants who can be mailed: an address and an active account."""
    return [p.user for p in meeting.participants
            if p.user is not None and p.user.email and p.user.active]


def state(meeting: Meeting) -> Invitation | None:
    return db.session.get(Invitation, meeting.id)


def outdated(meeting: Meeting, invitation: Invitation | None) -> bool:
    """Whether the meeting changed after its invitation went out."""
    return (invitation is not None and invitation.cancelled_at is None
            and meeting.updated_at is not None and meeting.updated_at > invitation.sent_at)


def _check(actor: User, meeting: Meeting) -> None:
    if not can_manage_meeting(actor, meeting):
        raise Forbidden(str(_l("Only the organiser, the department's secretaries and "
                               "administrators send this meeting's invitations.")))
    if meeting.ends_at is None:
        raise DomainError(str(_l("Give the meeting an end time before inviting.")),
                          field="ends_at")
    if meeting.ends_at <= utcnow():
        raise DomainError(str(_l("This meeting is over: invitations are for meetings still "
                                 "to come.")))


def send(actor: User, meeting: Meeting, *, meeting_url: str | None = None) -> Invitation:
    """Mail the invitation (or, after a first one, the update) to every staff participant."""
    _check(actor, meeting)
    people = _staff(meeting)
    if not people:
        raise DomainError(str(_l("No staff participant has an e-mail address to invite. Add "
                                 "participants to the meeting first.")), field="participants")
    invitation = state(meeting)
    update = invitation is not None and invitation.cancelled_at is None
    if invitation is None:
        invitation = Invitation(meeting_id=meeting.id, sequence=0)
        db.session.add(invitation)
    else:
        invitation.sequence += 1
    now = utcnow()
    invitation.sent_at, invitation.sent_by_id = now, actor.id
    invitation.recipients, invitation.cancelled_at = len(people), None
    ics = build_ics(meeting, method="REQUEST", sequence=invitation.sequence, now=now,
                    meeting_url=meeting_url)
    for person in people:
        queue_mail(person.email, TEMPLATE, language=user_language(person), user=person,
                   requested_by=actor, calendar={"method": "REQUEST", "text": ics},
                   meeting=meeting, update=update, meeting_url=meeting_url)
    audit("meeting.invited", actor=actor, target=meeting.title, meeting_id=meeting.id,
          recipients=len(people), sequence=invitation.sequence)
    db.session.flush()
    return invitation


def cancel(actor: User, meeting: Meeting) -> Invitation:
    """Mail the cancellation to the people the invitation went to."""
    if not can_manage_meeting(actor, meeting):
        raise Forbidden(str(_l("Only the organiser, the department's secretaries and "
                               "administrators send this meeting's invitations.")))
    invitation = state(meeting)
    if invitation is None or invitation.cancelled_at is not None:
        raise DomainError(str(_l("No invitation of this meeting is out to cancel.")))
    if meeting.ends_at is None:
        raise DomainError(str(_l("Give the meeting an end time before inviting.")),
                          field="ends_at")
    invitation.sequence += 1
    now = utcnow()
    invitation.cancelled_at = invitation.sent_at = now
    ics = build_ics(meeting, method="CANCEL", sequence=invitation.sequence, now=now)
    people = _staff(meeting)
    for person in people:
        queue_mail(person.email, CANCEL_TEMPLATE, language=user_language(person), user=person,
                   requested_by=actor, calendar={"method": "CANCEL", "text": ics},
                   meeting=meeting)
    audit("meeting.invitation_cancelled", actor=actor, target=meeting.title,
          meeting_id=meeting.id, recipients=len(people), sequence=invitation.sequence)
    db.session.flush()
    return invitation
