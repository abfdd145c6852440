"""The answer form, built by hand from the survey's questions (a WTForms class per survey
would add nothing: the rules live in ``surveys.validation``).

Field names: ``q-<key>`` (one value; repeated for multiple choice) and, for a Likert matrix,
``q-<key>-<row key>``. Question and option keys are ``[a-z0-9_]``, so ``-`` separates them.
Element ids follow the names, with ``-<option key>`` or ``-<scale point>`` for each choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from surveys.layout import LIKERT_POINTS, layout
from surveys.models import Survey, SurveyQuestion, SurveySection
from surveys.validation import (
    LIKERT_MAX,
    LIKERT_MIN,
    RATING_MAX,
    RATING_MIN,
    TEXT_MAX,
    localized,
)

LIKERT_LABELS = dict(LIKERT_POINTS)
ACTIONS = ("draft", "submit")


def field_name(question: SurveyQuestion, row: str | None = None) -> str:
    return f"q-{question.key}" if row is None else f"q-{question.key}-{row}"


def answers_from_form(survey: Survey, form) -> dict[str, Any]:
    """The answers a submitted form holds, as text (``validate_answers`` reads them)."""
    answers: dict[str, Any] = {}
    for question in survey.questions:
        name = field_name(question)
        if question.type == "multiple":
            values = form.getlist(name)
            if values:
                answers[question.key] = values
        elif question.type == "likert_matrix":
            rows = {o.key: form.get(field_name(question, o.key)) for o in question.options
                    if form.get(field_name(question, o.key))}
            if rows:
                answers[question.key] = rows
        elif name in form:
            answers[question.key] = form.get(name)
    return answers


def form_values(answers: dict[str, Any]) -> dict[str, Any]:
    """Answers (clean or as typed) as the text the form shows: str, list of str or
    dict of str."""
    out: dict[str, Any] = {}
    for key, value in (answers or {}).items():
        if isinstance(value, list):
            out[key] = [str(v) for v in value]
        elif isinstance(value, dict):
            out[key] = {str(k): str(v) for k, v in value.items()}
        elif value is not None:
            out[key] = str(value)
    return out


def scale(question: SurveyQuestion) -> list[int]:
    """The points offered for a Likert or rating question."""
    if question.type == "rating":
        low = RATING_MIN if question.min_value is None else int(question.min_value)
        high = RATING_MAX if question.max_value is None else int(question.max_value)
        return list(range(low, high + 1))
    return list(range(LIKERT_MIN, LIKERT_MAX + 1))


def number_bounds(question: SurveyQuestion) -> tuple[str, str] | None:
    """The bounds of a number question as text ("—" for an open end), None without any."""
    if question.min_value is None and question.max_value is None:
        return None

    def show(value):
        return "—" if value is None else str(int(value) if value.is_integer() else value)

    return show(question.min_value), show(question.max_value)


def text_limit(question: SurveyQuestion) -> int:
    return question.max_length or TEXT_MAX.get(question.type, TEXT_MAX["text"])


def anchor(question: SurveyQuestion) -> str:
    """The id of the first control of a question: where the error summary's link goes."""
    base = field_name(question)
    if question.type in ("single", "multiple") and question.options:
        return f"{base}-{question.options[0].key}"
    if question.type in ("likert", "rating"):
        return f"{base}-{scale(question)[0]}"
    if question.type == "likert_matrix" and question.options:
        return f"{base}-{question.options[0].key}-{LIKERT_MIN}"
    return base


@dataclass(frozen=True)
class Group:
    """A section (None for questions outside any) and its questions, in order."""

    section: SurveySection | None
    questions: list[SurveyQuestion]


def groups(survey: Survey) -> list[Group]:
    """The questions by section (``layout.layout``), empty sections left out."""
    return [Group(section, questions) for section, questions in layout(survey) if questions]


def condition_of(survey: Survey, question: SurveyQuestion, language: str):
    """(parent question, option label) of a conditional question, else None."""
    if question.show_if_question_id is None:
        return None
    parent = next((q for q in survey.questions if q.id == question.show_if_question_id), None)
    if parent is None:
        return None
    label = next((localized(o, "label", language) for o in parent.options
                  if o.key == question.show_if_option_key), question.show_if_option_key)
    return parent, label


def answer_text(question: SurveyQuestion, value, language: str) -> str:
    """One clean answer as a person reads it."""
    if value is None or value in ("", [], {}):
        return ""
    labels = {o.key: localized(o, "label", language) for o in question.options}
    if question.type == "single":
        return labels.get(value, str(value))
    if question.type == "multiple":
        return "、".join(labels.get(v, str(v)) for v in value) if language == "ja" else \
            ", ".join(labels.get(v, str(v)) for v in value)
    if question.type == "likert":
        return f"{value} — {LIKERT_LABELS.get(int(value), '')}"
    if question.type == "likert_matrix":
        return "; ".join(f"{labels.get(row, row)}: {point} — {LIKERT_LABELS.get(int(point), '')}"
                         for row, point in value.items())
    return str(value)
