"""Response rates by department: how many people were asked and how many answered.

Counts only, from participation (never from responses): who answered is counted in the
department they belonged to when they answered (``SurveyParticipation.department_id``);
the people asked who have not answered yet are counted in their current department. So a
department's audience is "not answered yet, there now" plus "answered, there then", the
rate never passes 100 % and the totals add up. People who answered and have since left
the audience still count as asked: they were asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from surveys.audience import audience_query
from surveys.models import Survey, SurveyParticipation
from workhub.extensions import db
from workhub.org.models import Department, User


@dataclass(frozen=True)
class DepartmentRate:
    """One department's row (``department`` is None for people without one)."""

    department: Department | None
    audience: int
    answered: int

    @property
    def rate(self) -> float | None:
        """Answered / asked, None when nobody was asked."""
        return self.answered / self.audience if self.audience else None


@dataclass(frozen=True)
class ResponseRates:
    departments: list[DepartmentRate]
    audience: int
    answered: int

    @property
    def rate(self) -> float | None:
        return self.answered / self.audience if self.audience else None


def response_rates(survey: Survey) -> ResponseRates:
    """The response rate of ``survey`` per department and in total (departments by code,
    people without a department last)."""
    counted = (SurveyParticipation.survey_id == survey.id,
               SurveyParticipation.status == "submitted", SurveyParticipation.released)
    answered = dict(db.session.execute(
        select(SurveyParticipation.department_id, func.count())
        .where(*counted).group_by(SurveyParticipation.department_id)).all())
    answered_ids = select(SurveyParticipation.user_id).where(*counted)
    asked = audience_query(survey).subquery()
    waiting = dict(db.session.execute(
        select(User.department_id, func.count())
        .join(asked, asked.c.id == User.id)
        .where(User.id.not_in(answered_ids))
        .group_by(User.department_id)).all())
    ids = set(answered) | set(waiting)
    departments = {d.id: d for d in db.session.scalars(
        select(Department).where(Department.id.in_([i for i in ids if i is not None])))}
    rows = [DepartmentRate(departments.get(i), waiting.get(i, 0) + answered.get(i, 0),
                           answered.get(i, 0)) for i in ids]
    rows.sort(key=lambda r: (r.department is None, r.department.code if r.department else ""))
    return ResponseRates(rows, sum(r.audience for r in rows), sum(r.answered for r in rows))
