"""Who may see and manage a meeting (and so its recordings, transcript and minutes).

* see: the organiser, the participants (staff), the secretaries of the meeting's department,
  administrators;
* manage (edit, upload, transcribe, cancel): the organiser, the department's secretaries,
  administrators.

``visible_meetings`` is the same rule as a query, for lists and search.
"""

from __future__ import annotations

from sqlalchemy import exists, false, or_, select
from sqlalchemy.sql import ColumnElement

from workhub.meetings.models import Meeting, MeetingParticipant
from workhub.org.models import User

# Roles that may create meetings (the organiser then manages it).
CREATE_ROLES = ("secretary", "manager", "admin")


def _signed_in(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_department_secretary(user: User, department_id: int | None) -> bool:
    return (department_id is not None and user.has_role("secretary")
            and user.department_id == department_id)


def can_create_meeting(user: User | None) -> bool:
    return _signed_in(user) and user.has_role(*CREATE_ROLES)


def can_manage_meeting(user: User | None, meeting: Meeting) -> bool:
    if not _signed_in(user):
        return False
    return (user.has_role("admin") or meeting.organiser_id == user.id
            or is_department_secretary(user, meeting.department_id))


def can_view_meeting(user: User | None, meeting: Meeting) -> bool:
    if not _signed_in(user):
        return False
    if can_manage_meeting(user, meeting):
        return True
    return any(p.user_id == user.id for p in meeting.participants)


def visible_meetings(user: User | None) -> ColumnElement[bool]:
    """A WHERE clause on Meeting: the meetings ``user`` may see."""
    if not _signed_in(user):
        return false()
    if user.has_role("admin"):
        return Meeting.id.isnot(None)
    participant = exists(select(MeetingParticipant.id).where(
        MeetingParticipant.meeting_id == Meeting.id, MeetingParticipant.user_id == user.id))
    rules = [Meeting.organiser_id == user.id, participant]
    if user.has_role("secretary") and user.department_id is not None:
        rules.append(Meeting.department_id == user.department_id)
    return or_(*rules)


def managed_meetings(user: User | None) -> ColumnElement[bool]:
    """A WHERE clause on Meeting: the meetings ``user`` may manage (draft minutes, edits)."""
    if not _signed_in(user):
        return false()
    if user.has_role("admin"):
        return Meeting.id.isnot(None)
    rules = [Meeting.organiser_id == user.id]
    if user.has_role("secretary") and user.department_id is not None:
        rules.append(Meeting.department_id == user.department_id)
    return or_(*rules)
