"""Who may see and manage a meeting, as the editor, minutes, exports and search need it.

The rules themselves live in ``transcription.permissions`` (helper W1) once it exists; this
module is the editor side's one door to them, plus the list query search needs:

* seeing a meeting: the organiser, its staff participants, the secretaries of its
  department, administrators;
* managing it (editing the transcript, writing the minutes, draft minutes): the organiser,
  the department's secretaries, administrators.
"""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select

from transcription.models import Meeting, MeetingParticipant
from workhub.org.models import User


def _active(user: User | None) -> bool:
    return user is not None and bool(getattr(user, "active", False))


def _secretary_of(user: User, meeting: Meeting) -> bool:
    return (user.has_role("secretary") and meeting.department_id is not None
            and user.department_id == meeting.department_id)


def can_manage_meeting(user: User | None, meeting: Meeting) -> bool:
    """Whether ``user`` may edit the transcript and minutes of ``meeting``."""
    if not _active(user):
        return False
    return (user.has_role("admin") or meeting.organiser_id == user.id
            or _secretary_of(user, meeting))


def can_view_meeting(user: User | None, meeting: Meeting) -> bool:
    """Whether ``user`` may see ``meeting``, its transcript and its final minutes."""
    if not _active(user):
        return False
    if can_manage_meeting(user, meeting):
        return True
    return any(p.user_id == user.id for p in meeting.participants)


def _ids(user: User | None, *, participants: bool) -> Select:
    stmt = select(Meeting.id)
    if not _active(user):
        return stmt.where(false())
    if user.has_role("admin"):
        return stmt
    conditions = [Meeting.organiser_id == user.id]
    if user.has_role("secretary") and user.department_id is not None:
        conditions.append(Meeting.department_id == user.department_id)
    if participants:
        conditions.append(Meeting.id.in_(select(MeetingParticipant.meeting_id).where(
            MeetingParticipant.user_id == user.id)))
    return stmt.where(or_(*conditions))


def managed_meeting_ids(user: User | None) -> Select:
    """A ``select(Meeting.id)`` of the meetings ``user`` may manage."""
    return _ids(user, participants=False)


def visible_meeting_ids(user: User | None) -> Select:
    """A ``select(Meeting.id)`` of the meetings ``user`` may see."""
    return _ids(user, participants=True)
