"""Shared checks of the survey builder: keys, texts, times, and what a published survey
still allows.

Once a survey is published its questions may only change in ways that keep the answers
already given meaningful (texts, labels and help may be corrected; new optional questions
and options may be added at the end). Every refusal is a ``Conflict`` whose ``code`` names
the rule, so the API and the tests can tell them apart.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from surveys.models import Survey, SurveyParticipation, SurveyResponse
from workhub.clock import office_zone
from workhub.errors import Conflict, DomainError
from workhub.extensions import db
from workhub.validation import clean_text

KEY_RE = re.compile(r"^[a-z0-9_]{1,40}$")
TITLE_MAX = 200
DESCRIPTION_MAX = 5000
QUESTION_TEXT_MAX = 500
HELP_MAX = 500
OPTION_LABEL_MAX = 300



def text(value, what, limit: int, name: str, *, required: bool = False,
         multiline: bool = False) -> str | None:
    """A text field, stripped (None when empty): refused when required and empty, too long,
    or holding control characters (line breaks only when ``multiline``)."""
    return clean_text(value, what, limit, required=required, multiline=multiline, name=name)


def check_key(value, *, field: str = "key") -> str:
    """A key as the API uses it: 1–40 of a–z, 0–9 and _."""
    if not isinstance(value, str) or not KEY_RE.match(value):
        raise DomainError(_("A key is 1 to 40 characters of a–z, 0–9 and _."), field=field,
                          code="invalid_key")
    return value


def has_responses(survey: Survey) -> bool:
    """Whether anybody has answered: a stored response or a submitted participation."""
    if survey.id is None:
        return False
    return bool(db.session.scalar(select(
        exists().where(SurveyResponse.survey_id == survey.id)
        | exists().where(SurveyParticipation.survey_id == survey.id,
                         SurveyParticipation.status == "submitted"))))


def refuse(code: str, message: str, field: str | None = None) -> Conflict:
    """A refused change to a published survey (409), ``code`` naming the rule."""
    return Conflict(message, code=code, field=field)


def ensure_not_closed(survey: Survey) -> None:
    if survey.status == "closed":
        raise refuse("survey_closed", _("This survey is closed: it can no longer change."))


def ensure_draft(survey: Survey, code: str, message: str, field: str | None = None) -> None:
    """Refuse with ``code``/``message`` unless ``survey`` is still a draft."""
    if survey.status != "draft":
        raise refuse(code, message, field)


def aware(value, what, field: str) -> datetime | None:
    """``value`` as an aware UTC datetime (None stays None); naive or other types refused."""
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise DomainError(_("%(what)s must be a date and time with its time zone.", what=what),
                          field=field)
    return value.astimezone(UTC)


OPENS_LABEL = _l("The opening time")
CLOSES_LABEL = _l("The closing time")


def parse_moment(raw: str, *, closing: bool = False) -> datetime:
    """An opening or closing time typed or sent as text: ISO 8601 with or without a time zone
    (none: office time), or a date alone (the start of that day; for a closing time, the end
    of it). ValueError when it is not one."""
    if not isinstance(raw, str) or not 10 <= len(raw.strip()) <= 40:
        raise ValueError(raw)
    raw = raw.strip()
    if not raw[:4].isdigit() or not 2000 <= int(raw[:4]) <= 2100:
        raise ValueError(raw)  # far years overflow when converted, and are typos anyway
    if len(raw) == 10:
        day = date.fromisoformat(raw)
        start = datetime.combine(day + timedelta(days=1 if closing else 0), time(0),
                                 tzinfo=office_zone())
        return start.astimezone(UTC)
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=office_zone())
    return moment.astimezone(UTC)
