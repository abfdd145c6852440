"""Answering a survey: drafts, one submission per person, edits of identified answers.

Decisions recorded here (pages, the API and the tests rely on them):

* **Who and when.** An active person of the audience, while the survey is published and
  open (``permissions.can_answer``); every refusal says why (403 inactive account or not
  asked, 409 not published, not open yet, closed) and writes nothing.
* **One response per person.** Submitting inserts the person's ``SurveyParticipation``
  inside a SAVEPOINT: its unique (survey, person) constraint decides between concurrent
  submits, the loser gets 409 "you have already answered". The response, its answers and
  the deletion of the draft happen in the same transaction.
* **Anonymous surveys** put the answers in the pool (``SurveyPoolEntry``: a random id,
  the answers, no person, no time) and write a participation with no date that is not
  yet ``released``; ``surveys.release`` moves the pool into responses in shuffled batches
  of at least k. Answer rows get random ids too, so neither the responses nor the answers
  are numbered in the order people took part. Nothing here writes the pool id, the
  answers or the (survey, person) pair to the audit log, notifications, job payloads or
  log lines; the log says only that survey N got a response. Anonymous answers can never
  be changed: nothing links them to the person any more.
* **The promise.** The form and the API may send the promise the person was shown
  (anonymous or not); a submit or draft whose promise is not the survey's is refused
  (409 ``promise_changed``) and writes nothing. Anonymity is fixed at publishing, so this
  only catches a page opened before a change that should not have been possible.
* **Identified surveys** fill ``user_id``/``department_id`` and, when
  ``editable_until_close``, the person may change their answers while the survey is open.
* **Drafts** (surveys/drafts.py) are deleted by the submission, in its transaction.
"""

from __future__ import annotations

import json
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from surveys.audience import in_audience
from surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyDraft,
    SurveyParticipation,
    SurveyPoolEntry,
    SurveyQuestion,
    SurveyResponse,
)
from surveys.permissions import get_survey
from surveys.validation import validate_answers
from workhub.clock import office_today, office_zone
from workhub.database import utcnow
from workhub.errors import Conflict, DomainError, Forbidden, NotFound
from workhub.extensions import db
from workhub.org.models import User

log = logging.getLogger(__name__)

# Random answer ids are drawn below PostgreSQL's integer limit.
_ID_LIMIT = 2**31 - 1
PROMISES = ("anonymous", "identified")


def promise_of(survey: Survey) -> str:
    """The promise the answer form shows: "anonymous" or "identified"."""
    return "anonymous" if survey.anonymous else "identified"


def check_promise(survey: Survey, promise) -> None:
    """Refuse answers sent under another promise than the survey's (None: not sent)."""
    if promise is None:
        return
    if promise not in PROMISES:
        raise DomainError(_("The promise must be “anonymous” or “identified”."),
                          field="promise", code="invalid_promise")
    if promise != promise_of(survey):
        raise Conflict(_("This survey's anonymity is not what your page said when you opened "
                         "it. Nothing was saved: reload the page and read it again."),
                       code="promise_changed", field="promise")


def _local(moment: datetime) -> str:
    return moment.astimezone(office_zone()).strftime("%Y-%m-%d %H:%M")


def answer_refusal(survey: Survey, user: User, now: datetime | None = None
                   ) -> DomainError | None:
    """Why ``user`` may not answer ``survey`` now (an error to raise), or None."""
    now = now or utcnow()
    if not getattr(user, "active", False):
        return Forbidden(_("Your account is not active: it cannot answer surveys."),
                         code="inactive")
    if not in_audience(user, survey):
        return Forbidden(_("This survey is not addressed to you."), code="not_in_audience")
    if survey.status == "draft":
        return Conflict(_("This survey has not been published yet."),
                        code="survey_not_published")
    if survey.status == "closed" or (survey.closes_at is not None and now >= survey.closes_at):
        return Conflict(_("This survey is closed: answers are no longer accepted."),
                        code="survey_closed")
    if survey.opens_at is not None and now < survey.opens_at:
        return Conflict(_("This survey opens on %(when)s (Japan time).",
                          when=_local(survey.opens_at)), code="survey_not_open")
    return None


def check_can_answer(survey: Survey, user: User, now: datetime | None = None) -> None:
    """Raise the reason ``user`` may not answer ``survey`` now, if there is one."""
    refusal = answer_refusal(survey, user, now)
    if refusal is not None:
        raise refusal


def answered_survey(survey_id, user: User) -> Survey:
    """``permissions.get_survey``, and also for someone who answered the survey and is no
    longer asked: their own answers and thank-you page stay theirs to read."""
    try:
        return get_survey(survey_id, user)
    except Forbidden:
        survey = db.session.get(Survey, survey_id)
        if survey is not None and has_answered(survey, user):
            return survey
        raise


def participation_of(survey: Survey, user: User) -> SurveyParticipation | None:
    return db.session.scalar(select(SurveyParticipation).where(
        SurveyParticipation.survey_id == survey.id, SurveyParticipation.user_id == user.id))


def has_answered(survey: Survey, user: User) -> bool:
    row = participation_of(survey, user)
    return row is not None and row.status == "submitted"


def already_answered(survey: Survey) -> Conflict:
    if not survey.anonymous and survey.editable_until_close:
        return Conflict(_("You have already answered this survey. You can change your "
                          "answers until it closes."), code="already_answered")
    return Conflict(_("You have already answered this survey."), code="already_answered")


# --- submitting ------------------------------------------------------------------------------


def _random_ids(count: int) -> list[int]:
    """``count`` unused answer ids drawn at random, so ids carry no order of submission."""
    ids: set[int] = set()
    while len(ids) < count:
        wanted = {secrets.randbelow(_ID_LIMIT - 1) + 1 for _ in range(count - len(ids))}
        taken = set(db.session.scalars(select(SurveyAnswer.id)
                                       .where(SurveyAnswer.id.in_(wanted))))
        ids |= wanted - taken
    return list(ids)[:count]


def answer_rows(survey: Survey, clean: dict[str, Any]) -> list[SurveyAnswer]:
    rows = []
    for question in survey.questions:
        value = clean.get(question.key)
        if value is None:
            continue
        options = {o.key: o.id for o in question.options}
        kind = question.type
        if kind in ("single", "multiple", "likert_matrix") and not _known_options(
                value, options):
            continue  # an option that no longer exists (a pooled answer outlived it)
        if kind == "single":
            rows.append(SurveyAnswer(question_id=question.id, option_id=options[value]))
        elif kind == "multiple":
            rows += [SurveyAnswer(question_id=question.id, option_id=options[key])
                     for key in value]
        elif kind == "likert_matrix":
            rows += [SurveyAnswer(question_id=question.id, option_id=options[key], number=point)
                     for key, point in value.items()]
        elif kind == "date":
            rows.append(SurveyAnswer(question_id=question.id,
                                     date_value=date.fromisoformat(value)))
        elif kind in ("text", "longtext"):
            rows.append(SurveyAnswer(question_id=question.id, text=value))
        else:
            rows.append(SurveyAnswer(question_id=question.id, number=float(value)))
    for row, answer_id in zip(rows, _random_ids(len(rows)), strict=True):
        row.id = answer_id
    return rows


def _known_options(value, options: dict[str, int]) -> bool:
    keys = [value] if isinstance(value, str) else list(value)
    return all(key in options for key in keys)


@dataclass(frozen=True)
class Submitted:
    """What a submission tells its caller: never the response id of an anonymous survey."""

    survey_id: int
    anonymous: bool
    submitted_on: date


def submit(survey: Survey, user: User, answers, *, promise=None,
           now: datetime | None = None) -> Submitted:
    """Record ``user``'s one response to ``survey``; the draft goes in the same transaction.
    An anonymous response goes to the pool, to be released with at least k - 1 others.

    Raises Forbidden / Conflict when the person may not answer (or already did, including
    at the same moment from elsewhere, or under another promise) and ``AnswerErrors`` for
    wrong answers."""
    now = now or utcnow()
    check_can_answer(survey, user, now)
    check_promise(survey, promise)
    if participation_of(survey, user) is not None:
        raise already_answered(survey)
    clean = validate_answers(survey, answers)
    today = office_today(now)
    anonymous = bool(survey.anonymous)
    # A release of this survey's pool waits for submissions under way, and they for it.
    db.session.execute(select(Survey.id).where(Survey.id == survey.id)
                       .with_for_update(read=True))
    try:
        with db.session.begin_nested():
            db.session.add(SurveyParticipation(
                survey_id=survey.id, user_id=user.id, department_id=user.department_id,
                status="submitted", submitted_on=None if anonymous else today,
                released=not anonymous))
    except IntegrityError:
        raise already_answered(survey) from None
    if anonymous:
        db.session.add(SurveyPoolEntry(
            id=str(uuid.uuid4()), survey_id=survey.id,
            answers_json=json.dumps(clean, ensure_ascii=False, sort_keys=True)))
    else:
        response = SurveyResponse(id=str(uuid.uuid4()), survey_id=survey.id,
                                  user_id=user.id, department_id=user.department_id)
        response.answers = answer_rows(survey, clean)
        db.session.add(response)
    db.session.execute(delete(SurveyDraft).where(SurveyDraft.survey_id == survey.id,
                                                 SurveyDraft.user_id == user.id))
    db.session.flush()
    log.info("a response was submitted to survey %d", survey.id)
    return Submitted(survey.id, anonymous, today)


# --- identified answers ----------------------------------------------------------------------


def own_response(survey: Survey, user: User) -> SurveyResponse:
    """``user``'s response to an identified survey; NotFound for an anonymous survey (there
    is nothing to find) or before they answered."""
    if survey.anonymous:
        raise NotFound(_("Answers to an anonymous survey are not linked to you, so they "
                         "cannot be shown or changed."), code="anonymous")
    response = db.session.scalar(select(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id, SurveyResponse.user_id == user.id))
    if response is None:
        raise NotFound(_("You have not answered this survey."), code="not_answered")
    return response


def can_edit_response(survey: Survey, user: User, now: datetime | None = None) -> bool:
    """Whether ``user`` may still change their answers to ``survey``."""
    return (not survey.anonymous and bool(survey.editable_until_close)
            and answer_refusal(survey, user, now) is None and has_answered(survey, user))


def update_response(survey: Survey, user: User, answers, *, now: datetime | None = None
                    ) -> SurveyResponse:
    """Replace ``user``'s answers to an identified survey that allows it, while it is open."""
    now = now or utcnow()
    if survey.anonymous:
        raise Conflict(_("Answers to an anonymous survey cannot be changed: nothing links "
                         "them to you."), code="anonymous")
    check_can_answer(survey, user, now)
    if not survey.editable_until_close:
        raise Conflict(_("This survey does not allow changing answers once submitted."),
                       code="not_editable")
    response = own_response(survey, user)
    db.session.refresh(response, with_for_update=True)  # two edits at once: one after the other
    clean = validate_answers(survey, answers)
    response.answers = []
    db.session.flush()
    response.answers = answer_rows(survey, clean)
    response.updated_at = now
    db.session.flush()
    return response


def answers_of(survey: Survey, response: SurveyResponse) -> dict[str, Any]:
    """The answers of ``response`` in the shape the form and the API use."""
    questions: dict[int, SurveyQuestion] = {q.id: q for q in survey.questions}
    out: dict[str, Any] = {}
    for row in response.answers:
        question = questions.get(row.question_id)
        if question is None:
            continue
        option = {o.id: o.key for o in question.options}.get(row.option_id)
        if question.type == "single":
            out[question.key] = option
        elif question.type == "multiple":
            out.setdefault(question.key, []).append(option)
        elif question.type == "likert_matrix":
            out.setdefault(question.key, {})[option] = int(row.number)
        elif question.type == "date":
            out[question.key] = row.date_value.isoformat() if row.date_value else None
        elif question.type in ("text", "longtext"):
            out[question.key] = row.text
        elif row.number is not None:
            out[question.key] = int(row.number) if row.number.is_integer() else row.number
    for question in survey.questions:
        if question.type == "multiple" and question.key in out:
            order = [o.key for o in question.options]
            out[question.key].sort(key=order.index)
    return out
