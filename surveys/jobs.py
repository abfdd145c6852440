"""Periodic survey jobs: reminders to people who have not answered yet, and the clean-up of
drafts nobody can submit any more.

* **Reminders.** Every business day, for each published, open survey with
  ``reminder_days``: when that many days have passed since the last reminder (or since it
  opened), everyone asked who has not submitted gets an in-app notification and, unless
  they refused reminder mails, a mail. On the last business day before the closing day a
  last reminder goes out even if the interval has not passed. ``Survey.last_reminded_on``
  is set in the same transaction, so a second run that day reminds nobody.
* **What they carry.** The survey's title, its closing time and a link: never who answered
  what. The job's result holds counts only; nothing names a person next to a survey
  beyond the reminder itself (which says they have *not* answered).
* **Drafts** of surveys that have closed are deleted: they can never be submitted.
* **Release.** Every ten minutes, each anonymous survey whose pool holds at least k
  responses (or that has closed, by hand or by its closing time) has its pool released as
  one batch (surveys/release.py), one survey per transaction. The result holds counts only.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select

from surveys.audience import audience_query
from surveys.models import Survey, SurveyDraft, SurveyParticipation, SurveyPoolEntry
from surveys.permissions import is_open
from surveys.release import release
from surveys.validation import localized
from workhub.businessdays import is_business_day
from workhub.clock import office_today, office_zone
from workhub.database import utcnow
from workhub.extensions import db
from workhub.jobs.registry import handler, periodic
from workhub.notify.services import notify, user_language
from workhub.org.models import User

REMINDER_EVENT = "surveys.reminder"
ANSWER_URL = "/surveys/{id}/answer"

periodic("surveys_reminders", "surveys.reminders", "0 9 * * *",
         label=_l("Surveys: remind people who have not answered"))
periodic("surveys_release", "surveys.release", "*/10 * * * *",
         label=_l("Surveys: release anonymous responses in groups of at least k"))


def _local_day(moment: datetime) -> date:
    return moment.astimezone(office_zone()).date()


def _next_business_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def reminder_due(survey: Survey, today: date) -> tuple[bool, bool]:
    """(due, last): whether ``survey`` sends its reminder ``today`` and whether it is the
    last one before it closes."""
    if not survey.reminder_days or survey.last_reminded_on == today:
        return False, False
    closing_day = _local_day(survey.closes_at) if survey.closes_at else None
    last = closing_day is not None and today < closing_day <= _next_business_day(today)
    start = survey.opens_at or survey.published_at or survey.created_at
    since = survey.last_reminded_on or (_local_day(start) if start else today)
    return last or (today - since).days >= survey.reminder_days, last


def waiting_people(survey: Survey) -> list[User]:
    """Everyone asked by ``survey`` (active) who has not submitted an answer."""
    answered = select(SurveyParticipation.user_id).where(
        SurveyParticipation.survey_id == survey.id, SurveyParticipation.status == "submitted")
    return list(db.session.scalars(
        select(User).where(User.id.in_(audience_query(survey)), User.id.not_in(answered))
        .order_by(User.id)))


def remind(survey: Survey, today: date, *, last: bool) -> int:
    """Remind everyone still waiting on ``survey``; return how many were told."""
    people = waiting_people(survey)
    closes = survey.closes_at.astimezone(office_zone()).strftime("%Y-%m-%d %H:%M") \
        if survey.closes_at else None
    for person in people:
        notify(person, REMINDER_EVENT, "surveys_reminder",
               url=ANSWER_URL.format(id=survey.id),
               title=localized(survey, "title", user_language(person)), closes=closes,
               last=last, anonymous=bool(survey.anonymous))
    survey.last_reminded_on = today
    db.session.flush()
    return len(people)


def purge_closed_drafts(now: datetime) -> int:
    """Delete the drafts of surveys that no longer take answers; return how many."""
    closed = select(Survey.id).where(or_(
        Survey.status == "closed", Survey.closes_at <= now))
    result = db.session.execute(delete(SurveyDraft).where(SurveyDraft.survey_id.in_(closed)))
    return result.rowcount or 0


@handler("surveys.reminders", max_attempts=2,
         label=_l("Surveys: remind people who have not answered"))
def reminders(job, ctx):
    """Send the reminders due today and drop the drafts of closed surveys."""
    now = utcnow()
    today = office_today(now)
    purged = purge_closed_drafts(now)
    if not is_business_day(today):
        return {"skipped": "not a business day", "drafts_deleted": purged}
    surveys = db.session.scalars(select(Survey).where(
        Survey.status == "published", Survey.reminder_days.is_not(None)).order_by(Survey.id))
    sent = people = 0
    for survey in surveys:
        if not is_open(survey, now):
            continue
        due, last = reminder_due(survey, today)
        if due:
            people += remind(survey, today, last=last)
            sent += 1
    db.session.flush()
    return {"surveys": sent, "reminded": people, "drafts_deleted": purged}


def release_due(now: datetime | None = None) -> dict[str, int]:
    """Release every anonymous survey's pool that is due: at least k waiting, or closed.
    Commits once per survey; returns counts."""
    now = now or utcnow()
    ids = list(db.session.scalars(select(SurveyPoolEntry.survey_id).distinct()))
    surveys = released = 0
    for survey_id in sorted(ids):
        survey = db.session.get(Survey, survey_id)
        closing = survey.status == "closed" or (
            survey.closes_at is not None and survey.closes_at <= now)
        count = release(survey, closing=closing)
        db.session.commit()
        if count:
            surveys, released = surveys + 1, released + count
    return {"surveys": surveys, "released": released}


@handler("surveys.release", max_attempts=3,
         label=_l("Surveys: release anonymous responses in groups of at least k"))
def release_job(job, ctx):
    """Release the pools that are due (see ``release_due``)."""
    return release_due()
