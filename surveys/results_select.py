"""What a results view asks for: a cross-tab (by department or by another question's
answers) or a filter (the respondents who gave one answer), checked against the survey."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from surveys.layout import LIKERT_POINTS, ordered_questions
from surveys.models import Survey, SurveyQuestion
from surveys.validation import localized
from workhub.errors import DomainError

GROUP_TYPES = ("single", "likert")  # one answer each: their answers split the respondents
# A filter is one group of a cross-tab by the same question (the same numbers, protected
# the same way), so only questions that can split the respondents filter them.
FILTER_TYPES = GROUP_TYPES
MAX_LEVEL = 6


@dataclass(frozen=True)
class Selection:
    """A cross-tab (``by``) or a filter, as asked for."""

    by: str | None = None  # "department" or "question:<key>"
    level: int = 1
    filter: str | None = None  # "<key>:<answer>"

    def args(self) -> dict[str, str]:
        """The query string that asks for this selection again."""
        out = {}
        if self.by:
            out["by"] = self.by
            if self.by == "department":
                out["level"] = str(self.level)
        if self.filter:
            out["filter"] = self.filter
        return out



def _bad(message: str, code: str, name: str) -> DomainError:
    return DomainError(message, code=code, field=name)


def question_by_key(survey: Survey, key: str) -> SurveyQuestion | None:
    return next((q for q in survey.questions if q.key == key), None)


def group_questions(survey: Survey) -> list[SurveyQuestion]:
    """Questions whose answers can split the respondents into cross-tab groups."""
    return [q for q in ordered_questions(survey) if q.type in GROUP_TYPES]


def filter_choices(survey: Survey, language: str) -> list[tuple[SurveyQuestion, list]]:
    """Per filterable question, its answers as (value, label)."""
    out = []
    for question in ordered_questions(survey):
        if question.type == "single":
            out.append((question, [(o.key, localized(o, "label", language))
                                   for o in question.options]))
        elif question.type == "likert":
            out.append((question, [(str(p), f"{p} {label}") for p, label in LIKERT_POINTS]))
    return out


def parse_selection(survey: Survey, *, by: str | None = None, level: str | int | None = None,
                    filter: str | None = None) -> Selection:  # noqa: A002 (the query name)
    """Check a cross-tab or filter as asked for in a query string; DomainError (400) naming
    the parameter when it makes no sense for this survey."""
    by = (by or "").strip() or None
    wanted = (filter or "").strip() or None
    if by and wanted:
        raise _bad(_("Choose either a cross-tab or a filter, not both."), "invalid_selection",
                   "by")
    depth = 1
    if by == "department":
        if survey.anonymous:
            raise _bad(_("Anonymous surveys keep no department with the answers: cross-tab "
                         "by a question instead."), "invalid_by", "by")
        try:
            depth = int(str(level or 1).strip())
        except ValueError:
            depth = 0
        if not 1 <= depth <= MAX_LEVEL:
            raise _bad(_("The department level must be a whole number from 1 to %(most)d.",
                         most=MAX_LEVEL), "invalid_level", "level")
    elif by:
        key = by.removeprefix("question:") if by.startswith("question:") else None
        question = question_by_key(survey, key) if key else None
        if question is None or question.type not in GROUP_TYPES:
            raise _bad(_("Cross-tab by “department” or by “question:<key>” of a single-choice "
                         "or agreement question of this survey."), "invalid_by", "by")
    if wanted:
        key, _sep, value = wanted.partition(":")
        question = question_by_key(survey, key)
        if question is None or question.type not in FILTER_TYPES or value not in (
                _filter_values(question)):
            raise _bad(_("Filter by “<question key>:<answer>”, an answer of a choice or "
                         "agreement question of this survey."), "invalid_filter", "filter")
    return Selection(by, depth, wanted)


def _filter_values(question: SurveyQuestion) -> set[str]:
    if question.type == "likert":
        return {str(p) for p, _label in LIKERT_POINTS}
    return {o.key for o in question.options}


