"""The surveys a person is asked to answer, and the ones they answered ("My surveys")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from surveys.answering import can_edit_response
from surveys.audience import in_audience
from surveys.models import Survey, SurveyDraft, SurveyParticipation
from surveys.permissions import is_open
from workhub.database import utcnow
from workhub.extensions import db
from workhub.org.models import User

# state: not_started, draft (saved, not submitted), answered, upcoming (not open yet),
# closed (answered, no longer open).
STATES = ("not_started", "draft", "answered", "upcoming", "closed")


@dataclass(frozen=True)
class MySurvey:
    survey: Survey
    state: str
    can_edit: bool = False  # identified answers that may still change
    can_view: bool = False  # identified answers the person may read back


@dataclass(frozen=True)
class MySurveys:
    current: list[MySurvey]  # open (or about to open) and asking me
    past: list[MySurvey]  # no longer open, answered by me


def my_surveys(user: User, now: datetime | None = None) -> MySurveys:
    """What ``user`` is asked now (open or upcoming) and what they answered before."""
    now = now or utcnow()
    answered = set(db.session.scalars(select(SurveyParticipation.survey_id).where(
        SurveyParticipation.user_id == user.id, SurveyParticipation.status == "submitted")))
    drafts = set(db.session.scalars(select(SurveyDraft.survey_id)
                                    .where(SurveyDraft.user_id == user.id)))
    surveys = db.session.scalars(select(Survey).where(Survey.status.in_(("published", "closed")))
                                 .order_by(Survey.closes_at.is_(None), Survey.closes_at,
                                           Survey.id)).all()
    current: list[MySurvey] = []
    past: list[MySurvey] = []
    for survey in surveys:
        done = survey.id in answered
        readable = done and not survey.anonymous
        if is_open(survey, now) and (done or in_audience(user, survey)):
            state = "answered" if done else "draft" if survey.id in drafts else "not_started"
            current.append(MySurvey(survey, state, readable and can_edit_response(
                survey, user, now), readable))
        elif (survey.status == "published" and survey.opens_at is not None
              and now < survey.opens_at and in_audience(user, survey)):
            current.append(MySurvey(survey, "upcoming"))
        elif done:
            past.append(MySurvey(survey, "closed", False, readable))
    past.reverse()  # the most recently closed first
    return MySurveys(current, past)
