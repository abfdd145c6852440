"""Check a person's answers against a survey's questions.

Answers are ``{"<question key>": value}``, as the JSON API takes them and as the answer page
builds them from its form:

* ``single``: an option key; ``multiple``: a list of option keys, no duplicates;
* ``likert``: 1–5; ``rating``: a whole number 0–10 (or the question's min/max);
  ``number``: within the question's min/max (digits typed in a form are accepted as text);
* ``date``: an ISO date ``YYYY-MM-DD``;
* ``text`` / ``longtext``: stripped, control characters removed (line breaks kept in long
  text), at most the question's ``max_length`` or 200 / 4000 characters;
* ``likert_matrix``: ``{"<row key>": 1–5}``.

An empty value (``None``, ``""``, ``[]``, ``{}``) is no answer. A question hidden by its
condition is dropped with whatever was given for it; a required visible question must be
answered (unless ``partial``, for drafts). Unknown keys are refused. Every problem names
its question; all of them are reported together in one ``AnswerErrors``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from surveys.layout import ordered_questions
from surveys.models import Survey, SurveyQuestion
from workhub.errors import DomainError
from workhub.web import select_locale

LIKERT_MIN, LIKERT_MAX = 1, 5
RATING_MIN, RATING_MAX = 0, 10
TEXT_MAX = {"text": 200, "longtext": 4000}
# A number question without bounds still refuses absurd values.
NUMBER_LIMIT = 1e12
DATE_RANGE = (date(1900, 1, 1), date(2100, 12, 31))
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_EMPTY = (None, "", [], {})


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one question's answer (``key``: the question's key)."""

    key: str
    message: str


class AnswerErrors(DomainError):
    """The answers break the survey's rules (HTTP 422); ``problems`` lists every one."""

    status = 422
    code = "invalid_answers"

    def __init__(self, problems: list[Problem]):
        super().__init__(" ".join(p.message for p in problems), field=problems[0].key)
        self.problems = list(problems)


class _Bad(Exception):
    """One answer is wrong: the message, without the question's name yet."""


def localized(obj, name: str, language: str | None = None) -> str:
    """``obj.<name>_en`` in English when it is set, else ``obj.<name>_ja``."""
    language = language or select_locale()
    if language == "en" and getattr(obj, f"{name}_en", None):
        return getattr(obj, f"{name}_en")
    return getattr(obj, f"{name}_ja") or ""


def _shown_key(key: str) -> str:
    """An unknown key, as typed by the caller, made safe to show."""
    cleaned = "".join(c for c in str(key) if c.isprintable())[:40]
    return cleaned or "?"


# --- one value -------------------------------------------------------------------------------


def _whole(value, low: int, high: int) -> int:
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if not re.fullmatch(r"[-+]?[0-9]{1,6}", text):
            raise _Bad(_l("enter a whole number from %(low)d to %(high)d.", low=low, high=high))
        value = int(text)
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _Bad(_l("enter a whole number from %(low)d to %(high)d.", low=low, high=high))
    return value


def _bounds(question: SurveyQuestion, low: float, high: float) -> tuple[float, float]:
    return (low if question.min_value is None else question.min_value,
            high if question.max_value is None else question.max_value)


def _number(question: SurveyQuestion, value) -> int | float:
    low, high = _bounds(question, -NUMBER_LIMIT, NUMBER_LIMIT)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
        if not re.fullmatch(r"[-+]?([0-9]{1,15}(\.[0-9]{0,6})?|\.[0-9]{1,6})", text):
            raise _Bad(_l("enter a number."))
        value = float(text)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Bad(_l("enter a number."))
    if not low <= value <= high:
        raise _Bad(_l("enter a number from %(low)s to %(high)s.",
                      low=_plain(low), high=_plain(high)))
    return _plain(value)


def _plain(value: float) -> int | float:
    """3.0 → 3, so numbers read as typed."""
    return int(value) if float(value).is_integer() else value


def _date(value) -> str:
    if isinstance(value, date):
        value = value.isoformat()
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        raise _Bad(_l("enter a date written YYYY-MM-DD."))
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise _Bad(_l("this date does not exist.")) from None
    if not DATE_RANGE[0] <= day <= DATE_RANGE[1]:
        raise _Bad(_l("enter a date between %(first)s and %(last)s.",
                      first=DATE_RANGE[0].isoformat(), last=DATE_RANGE[1].isoformat()))
    return day.isoformat()


def clean_text(value: str, *, multiline: bool) -> str:
    """``value`` without control or invisible format characters, line breaks kept only when
    ``multiline`` (others become spaces), stripped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for char in value:
        if char == "\n" and multiline:
            out.append(char)
        elif char in "\t\n\v\f\u2028\u2029\x85":
            out.append("\n" if multiline and char in "\u2028\u2029\x85" else " ")
        elif unicodedata.category(char)[0] != "C":
            out.append(char)
    return "".join(out).strip()


def _text(question: SurveyQuestion, value) -> str:
    if not isinstance(value, str):
        raise _Bad(_l("enter text."))
    text = clean_text(value, multiline=question.type == "longtext")
    limit = question.max_length or TEXT_MAX[question.type]
    if len(text) > limit:
        raise _Bad(_l("at most %(n)d characters (you wrote %(len)d).", n=limit, len=len(text)))
    return text


def _option_keys(question: SurveyQuestion) -> list[str]:
    return [option.key for option in question.options]


def _single(question: SurveyQuestion, value) -> str:
    if not isinstance(value, str) or value not in _option_keys(question):
        raise _Bad(_l("choose one of the options."))
    return value


def _multiple(question: SurveyQuestion, value) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Bad(_l("choose from the options."))
    keys = _option_keys(question)
    if len(set(value)) != len(value):
        raise _Bad(_l("each option can be chosen only once."))
    if any(v not in keys for v in value):
        raise _Bad(_l("choose from the options."))
    return [key for key in keys if key in value]


def _matrix(question: SurveyQuestion, value, partial: bool) -> dict[str, int]:
    if not isinstance(value, dict):
        raise _Bad(_l("answer each statement on the 1–5 scale."))
    rows = _option_keys(question)
    unknown = [k for k in value if k not in rows]
    if unknown:
        raise _Bad(_l("there is no statement %(key)s.", key=_shown_key(unknown[0])))
    out = {}
    for row in rows:
        if value.get(row) not in _EMPTY:
            out[row] = _whole(value[row], LIKERT_MIN, LIKERT_MAX)
    if out and question.required and not partial and len(out) < len(rows):
        raise _Bad(_l("answer every statement."))
    return out


def clean_value(question: SurveyQuestion, value, *, partial: bool = False) -> Any:
    """The clean, JSON-ready form of one answer (None for no answer); ``_Bad`` if wrong."""
    if isinstance(value, str) and question.type not in ("text", "longtext") and not value.strip():
        return None
    if value in _EMPTY:
        return None
    kind = question.type
    if kind == "single":
        return _single(question, value)
    if kind == "multiple":
        return _multiple(question, value) or None
    if kind == "likert":
        return _whole(value, LIKERT_MIN, LIKERT_MAX)
    if kind == "rating":
        low, high = _bounds(question, RATING_MIN, RATING_MAX)
        return _whole(value, math.ceil(low), math.floor(high))
    if kind == "number":
        return _number(question, value)
    if kind == "date":
        return _date(value)
    if kind in ("text", "longtext"):
        return _text(question, value) or None
    if kind == "likert_matrix":
        return _matrix(question, value, partial) or None
    raise _Bad(_l("this kind of question cannot be answered."))


# --- the whole set ---------------------------------------------------------------------------


def condition_met(value, option_key: str | None) -> bool:
    """Whether an answer ``value`` holds ``option_key`` (a choice, or a scale point)."""
    if value is None or option_key is None:
        return False
    if isinstance(value, list):
        return option_key in value
    if isinstance(value, dict):
        return False
    return str(value) == option_key


def visible_keys(survey: Survey, answers: dict[str, Any]) -> set[str]:
    """The keys of the questions shown for these (clean) answers: a question with a
    condition is shown when the question it depends on is shown and holds the option."""
    by_id = {q.id: q for q in survey.questions}
    memo: dict[int, bool] = {}

    def shown(question: SurveyQuestion, seen: frozenset[int]) -> bool:
        if question.id in memo:
            return memo[question.id]
        parent = by_id.get(question.show_if_question_id)
        if question.show_if_question_id is None:
            result = True
        elif parent is None or parent.id in seen:
            result = parent is None  # a condition on a deleted question no longer applies
        else:
            result = (shown(parent, seen | {question.id})
                      and condition_met(answers.get(parent.key), question.show_if_option_key))
        memo[question.id] = result
        return result

    return {q.key for q in survey.questions if shown(q, frozenset())}


def validate_answers(survey: Survey, answers, *, partial: bool = False,
                     language: str | None = None) -> dict[str, Any]:
    """Return the clean answers of the shown questions, or raise ``AnswerErrors`` listing
    every problem. ``partial`` (a draft) does not insist on required questions."""
    language = language or select_locale()
    if not isinstance(answers, dict):
        raise AnswerErrors([Problem("answers", str(_l(
            "The answers must be an object of question keys and values.")))])
    questions = {q.key: q for q in survey.questions}
    problems: list[Problem] = []
    for key in answers:
        if key not in questions:
            shown_key = _shown_key(key)
            problems.append(Problem(shown_key, str(_l(
                "There is no question %(key)s in this survey.", key=shown_key))))
    clean: dict[str, Any] = {}
    wrong: dict[str, Problem] = {}
    for key, question in questions.items():
        if key not in answers:
            continue
        try:
            value = clean_value(question, answers[key], partial=partial)
        except _Bad as exc:
            wrong[key] = _problem(question, exc.args[0], language)
            continue
        if value is not None:
            clean[key] = value
    shown = visible_keys(survey, clean)
    for question in ordered_questions(survey):
        if question.key not in shown:
            clean.pop(question.key, None)
        elif question.key in wrong:
            problems.append(wrong[question.key])
        elif question.required and not partial and question.key not in clean:
            problems.append(_problem(question, _l("this question must be answered."), language))
    if problems:
        raise AnswerErrors(problems)
    return clean


def _problem(question: SurveyQuestion, message, language: str) -> Problem:
    return Problem(question.key, str(_l("“%(question)s”: %(problem)s",
                                        question=localized(question, "text", language),
                                        problem=message)))
