"""Comparing the online tools (手法比較): after an online meeting the organiser rates it in ten
seconds (sound, picture, connection trouble), and the ratings add up per tool and per
department, for HR and IT deciding which tools to keep.

The rating is one row per meeting (a second rating replaces the first) and keeps the tool and
department the meeting had when it was rated. Services flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from workhub.database import utcnow
from workhub.errors import DomainError, Forbidden
from workhub.extensions import db
from workhub.meetings.models import Meeting
from workhub.meetings.permissions import can_manage_meeting
from workhub.online_meetings.models import SCORES, Rating
from workhub.org.models import Department, User
from workhub.validation import clean_text

VIEW_ROLES = ("hr", "it_admin", "admin")
MAX_COMMENT = 500


def can_see_comparison(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) \
        and user.has_role(*VIEW_ROLES)


def _score(value, field: str, what: str) -> int:
    if isinstance(value, bool) or value not in SCORES:
        raise DomainError(str(_l("Rate %(what)s from 1 (bad) to 5 (good).", what=what)),
                          field=field)
    return value


def rateable(meeting: Meeting) -> bool:
    """An online meeting that has begun."""
    return meeting.online_tool != "none" and meeting.starts_at <= utcnow()


def rate(actor: User, meeting: Meeting, *, sound, picture, trouble, comment=None) -> Rating:
    if not can_manage_meeting(actor, meeting):
        raise Forbidden(str(_l("Only the organiser, the department's secretaries and "
                               "administrators rate this meeting.")))
    if meeting.online_tool == "none":
        raise DomainError(str(_l("Only an online meeting is rated: this one had no online "
                                 "tool.")))
    if meeting.starts_at > utcnow():
        raise DomainError(str(_l("Rate the meeting once it has been held.")))
    sound = _score(sound, "sound", str(_l("the sound")))
    picture = _score(picture, "picture", str(_l("the picture")))
    if not isinstance(trouble, bool):
        raise DomainError(str(_l("Say whether the connection gave trouble.")), field="trouble")
    comment = clean_text(comment, str(_l("Comment")), MAX_COMMENT, name="comment")
    rating = db.session.get(Rating, meeting.id) or Rating(meeting_id=meeting.id)
    rating.tool, rating.department_id = meeting.online_tool, meeting.department_id
    rating.sound, rating.picture, rating.trouble, rating.comment = sound, picture, trouble, \
        comment
    rating.rated_by_id, rating.rated_at = actor.id, utcnow()
    db.session.add(rating)
    db.session.flush()
    return rating


def rating_of(meeting: Meeting) -> Rating | None:
    return db.session.get(Rating, meeting.id)


@dataclass
class Row:
    """The ratings of one tool (and department): how many, the mean scores, the share of
    meetings with connection trouble."""

    tool: str
    department: str | None
    meetings: int
    sound: float
    picture: float
    trouble_share: float


def comparison(*, by_department: bool = False) -> list[Row]:
    """Every tool's ratings (per department too, with ``by_department``), most rated first."""
    columns = [Rating.tool]
    if by_department:
        columns.append(Department.name_ja)
    stmt = (select(*columns, func.count(), func.avg(Rating.sound), func.avg(Rating.picture),
                   func.avg(case((Rating.trouble.is_(True), 1.0), else_=0.0)))
            .group_by(*columns))
    if by_department:
        stmt = stmt.outerjoin(Department, Department.id == Rating.department_id)
    rows = []
    for values in db.session.execute(stmt):
        tool, *rest = values
        department = rest.pop(0) if by_department else None
        count, sound, picture, trouble = rest
        rows.append(Row(tool, department, count, round(float(sound), 2),
                        round(float(picture), 2), round(float(trouble), 3)))
    return sorted(rows, key=lambda r: (-r.meetings, r.tool, r.department or ""))
