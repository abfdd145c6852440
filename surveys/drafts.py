"""Drafts of answers: saved, resumed, replaced, discarded; sealed for anonymous surveys.

* Drafts are checked loosely (types and ranges, not required questions) and kept as JSON
  in ``SurveyDraft`` until the submission deletes them (surveys/answering.py).
* A draft of an anonymous survey is **sealed**: encrypted (Fernet) under a key made for it
  and handed to the client (a cookie of the browser, or ``draft_key`` in the API), never
  stored by the server. The database holds ciphertext next to the person. Without the key
  the draft cannot be read (``DraftSealed``, 409); saving again without it starts a new key
  and replaces the draft.
* The same refusals as answering apply (who, when, the promise, already answered).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from surveys.answering import already_answered, check_can_answer, check_promise, has_answered
from surveys.models import Survey, SurveyDraft
from surveys.validation import validate_answers
from workhub.clock import office_today
from workhub.database import utcnow
from workhub.errors import Conflict
from workhub.extensions import db
from workhub.org.models import User


class DraftSealed(Conflict):
    """A sealed draft exists but the key given (if any) does not open it."""

    def __init__(self) -> None:
        super().__init__(_("Your draft of this anonymous survey is sealed with a key kept by "
                           "the browser or program that saved it, and cannot be opened "
                           "here. Open it there, or start again: saving here replaces it."),
                         code="draft_sealed")


def draft_row(survey: Survey, user: User) -> SurveyDraft | None:
    """``user``'s saved draft of ``survey`` (the row), if any."""
    return db.session.scalar(select(SurveyDraft).where(SurveyDraft.survey_id == survey.id,
                                                       SurveyDraft.user_id == user.id))


def _fernet(key: str | None) -> Fernet | None:
    if not key or not isinstance(key, str) or len(key) > 100:
        return None
    try:
        return Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None


def draft_of(survey: Survey, user: User, key: str | None = None) -> dict[str, Any] | None:
    """The answers ``user`` saved as a draft, None when there is no draft; a sealed draft
    needs its ``key`` (``DraftSealed`` without the right one)."""
    row = draft_row(survey, user)
    if row is None:
        return None
    text = row.answers_json or "{}"
    if row.sealed:
        fernet = _fernet(key)
        try:
            text = fernet.decrypt(text.encode("ascii")).decode("utf-8") if fernet else None
        except (InvalidToken, ValueError):
            text = None
        if text is None:
            raise DraftSealed()
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class DraftSaved:
    """What was kept, and for a sealed draft the key the client must keep (else None)."""

    answers: dict[str, Any]
    key: str | None


def save_draft(survey: Survey, user: User, answers, *, key: str | None = None,
               promise=None, now: datetime | None = None) -> DraftSaved:
    """Keep ``answers`` (checked loosely: required questions may still be empty) so that
    ``user`` can resume later. An anonymous survey's draft is sealed under ``key`` (a new
    key when none or a malformed one is given); the key is returned, never stored."""
    now = now or utcnow()
    check_can_answer(survey, user, now)
    check_promise(survey, promise)
    if has_answered(survey, user):
        raise already_answered(survey)
    clean = validate_answers(survey, answers, partial=True)
    text = json.dumps(clean, ensure_ascii=False, sort_keys=True)
    sealed = bool(survey.anonymous)
    if sealed:
        fernet = _fernet(key)
        if fernet is None:
            key = Fernet.generate_key().decode("ascii")
            fernet = Fernet(key.encode("ascii"))
        text = fernet.encrypt(text.encode("utf-8")).decode("ascii")
    else:
        key = None
    today = office_today(now)
    row = draft_row(survey, user)
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(SurveyDraft(survey_id=survey.id, user_id=user.id,
                                           answers_json=text, sealed=sealed, saved_on=today))
        except IntegrityError:
            row = draft_row(survey, user)  # saved at the same moment from another tab
    if row is not None:
        row.answers_json, row.sealed, row.saved_on = text, sealed, today
    db.session.flush()
    return DraftSaved(clean, key)


def discard_draft(survey: Survey, user: User) -> bool:
    """Delete ``user``'s draft of ``survey``; return whether there was one."""
    result = db.session.execute(delete(SurveyDraft).where(SurveyDraft.survey_id == survey.id,
                                                          SurveyDraft.user_id == user.id))
    return bool(result.rowcount)
