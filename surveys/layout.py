"""How a survey reads: question types and their settings, the order of sections and
questions, and the rule of conditional display. Shared by the builder, answering and
results.

Types and their settings:

* ``single``, ``multiple``: options (choices, at least two to publish);
* ``likert``: the 5-point agreement scale ``LIKERT_POINTS`` (values 1–5), no options;
* ``likert_matrix``: options are the rows, each answered on the Likert scale;
* ``rating``: 0–10 (``RATING_MIN``..``RATING_MAX``, stored as min/max);
* ``number``: optional ``min_value``/``max_value``;
* ``date``: a calendar date;
* ``text``/``longtext``: ``max_length`` characters (defaults and limits below).

Order: sections by ``position``; questions by their section's position (questions outside
any section come first), then their own ``position``. ``ordered_questions`` is that order,
and "earlier" in a condition means earlier in it. A question may be shown only when an
earlier single or multiple choice question has a given option among its answers
(``show_if_question_id`` + ``show_if_option_key``).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from surveys.models import CHOICE_TYPES, Survey, SurveyQuestion, SurveySection
from workhub.errors import DomainError

OPTION_TYPES = ("single", "multiple", "likert_matrix")
LIKERT_POINTS = ((1, _l("Strongly disagree")), (2, _l("Disagree")),
                 (3, _l("Neither agree nor disagree")), (4, _l("Agree")),
                 (5, _l("Strongly agree")))
RATING_MIN, RATING_MAX = 0, 10
TEXT_LIMITS = {"text": (200, 500), "longtext": (2000, 10000)}  # (default, at most)
NUMBER_LIMIT = 1e9
MAX_QUESTIONS = 200
# The largest answer form a survey can have: every question a long text at its limit, each
# character sent as "%E3%81%82" (a form) or "\u3042" (JSON). The answer routes take that much
# body (workhub/request_limits.py); every other form stays at the small default.
LARGEST_ANSWER_BYTES = {"form": MAX_QUESTIONS * TEXT_LIMITS["longtext"][1] * 9 + 64 * 1024,
                        "json": MAX_QUESTIONS * TEXT_LIMITS["longtext"][1] * 6 + 64 * 1024}
MAX_SECTIONS = 50
MAX_OPTIONS = 50
TYPE_LABELS = {
    "single": _l("Single choice"), "multiple": _l("Multiple choice"),
    "likert": _l("Agreement (5 points)"), "rating": _l("Rating 0–10"),
    "number": _l("Number"), "date": _l("Date"), "text": _l("Short text"),
    "longtext": _l("Long text"), "likert_matrix": _l("Agreement grid"),
}


def ordered_questions(survey: Survey) -> list[SurveyQuestion]:
    """The questions in the order a respondent sees them."""
    section_pos = {s.id: s.position for s in survey.sections}
    return sorted(survey.questions,
                  key=lambda q: (section_pos.get(q.section_id, -1), q.position, q.id or 0))


def layout(survey: Survey) -> list[tuple[SurveySection | None, list[SurveyQuestion]]]:
    """(section, questions) in order; questions outside any section under ``None`` first."""
    groups: dict[int | None, list[SurveyQuestion]] = {}
    for question in ordered_questions(survey):
        groups.setdefault(question.section_id, []).append(question)
    out = [(None, groups[None])] if groups.get(None) else []
    return out + [(s, groups.get(s.id, [])) for s in sorted(survey.sections,
                                                           key=lambda s: s.position)]


def question_of(survey: Survey, ref) -> SurveyQuestion:
    """A question of ``survey`` by object, id or key (for a condition); refused otherwise."""
    for question in survey.questions:
        if question is ref or (isinstance(ref, int) and not isinstance(ref, bool)
                               and question.id == ref) or (isinstance(ref, str)
                                                           and question.key == ref):
            return question
    raise DomainError(_("Choose an earlier question of this survey."),
                      field="show_if_question", code="condition_order")


def check_conditions(survey: Survey) -> None:
    """Every condition points at an earlier single/multiple question and one of its options
    (so no cycles and no forward references)."""
    order = ordered_questions(survey)
    seen: dict[int, SurveyQuestion] = {}
    for question in order:
        target_id = question.show_if_question_id
        if target_id is not None:
            target = seen.get(target_id)
            if target is None:
                raise DomainError(_("Question %(key)s can only depend on a question before it.",
                                    key=question.key), field="show_if_question",
                                  code="condition_order")
            if target.type not in CHOICE_TYPES:
                raise DomainError(_("Question %(key)s can only depend on a single or multiple "
                                    "choice question.", key=question.key),
                                  field="show_if_question", code="condition_type")
            if question.show_if_option_key not in {o.key for o in target.options}:
                raise DomainError(_("Question %(key)s depends on an option that question "
                                    "%(target)s does not have.", key=question.key,
                                    target=target.key), field="show_if_option_key",
                                  code="condition_option")
        seen[question.id] = question


def dependants(question: SurveyQuestion, option_key: str | None = None) -> list[str]:
    """Keys of the questions shown depending on ``question`` (on ``option_key`` if given)."""
    return [q.key for q in question.survey.questions
            if q.show_if_question_id == question.id
            and (option_key is None or q.show_if_option_key == option_key)]


def swap(items: list, item, direction: int) -> None:
    """Swap ``item`` with its neighbour in ``items`` (ordered by position): -1 up, +1 down."""
    if direction not in (-1, 1):
        raise DomainError(_("Move up or down."), field="direction")
    index = items.index(item)
    other = index + direction
    if not 0 <= other < len(items):
        return
    for position, each in enumerate(items):  # make positions distinct before swapping
        each.position = position
    items[index].position, items[other].position = other, index


def new_key(existing: set[str], prefix: str) -> str:
    """The first free ``prefix``N key, N counting from the number of keys plus one."""
    n = len(existing) + 1
    while f"{prefix}{n}" in existing:
        n += 1
    return f"{prefix}{n}"
