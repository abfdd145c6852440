"""Questions of a survey: add, edit, delete, move, conditions.

After publishing (see surveys/rules.py) types, keys and conditions are fixed, questions and
options cannot be deleted, an optional question cannot become required and limits cannot
shut out answers already given; texts may be corrected and optional questions and options
added at the end.
"""

from __future__ import annotations

import math

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from surveys.layout import (
    MAX_QUESTIONS,
    NUMBER_LIMIT,
    OPTION_TYPES,
    RATING_MAX,
    RATING_MIN,
    TEXT_LIMITS,
    check_conditions,
    dependants,
    new_key,
    ordered_questions,
    question_of,
)
from surveys.models import (
    CHOICE_TYPES,
    QUESTION_TYPES,
    TEXT_TYPES,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
)
from surveys.options import add_option
from surveys.rules import HELP_MAX, QUESTION_TEXT_MAX, check_key, ensure_not_closed, refuse, text
from workhub.errors import DomainError
from workhub.extensions import db

QUESTION_FIELDS = {"type", "key", "text_ja", "text_en", "help_ja", "help_en", "required",
                   "section_id", "min_value", "max_value", "max_length", "show_if_question",
                   "show_if_option_key"}


def _number(value, what, name: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DomainError(_("%(what)s must be a number.", what=what), field=name)
    if not math.isfinite(value) or abs(value) > NUMBER_LIMIT:
        raise DomainError(_("%(what)s must be between -1,000,000,000 and 1,000,000,000.",
                            what=what), field=name)
    return float(value)


def _settings(qtype: str, min_value, max_value, max_length) -> tuple:
    """(min_value, max_value, max_length) as stored for a question of ``qtype``."""
    if qtype == "rating":
        return float(RATING_MIN), float(RATING_MAX), None
    if qtype == "number":
        low = _number(min_value, _l("The smallest value"), "min_value")
        high = _number(max_value, _l("The largest value"), "max_value")
        if low is not None and high is not None and low >= high:
            raise DomainError(_("The largest value must be greater than the smallest."),
                              field="max_value")
        return low, high, None
    if qtype in TEXT_TYPES:
        default, limit = TEXT_LIMITS[qtype]
        if max_length is None or max_length == "":
            return None, None, default
        if isinstance(max_length, bool) or not isinstance(max_length, int) \
                or not 1 <= max_length <= limit:
            raise DomainError(_("The length limit must be a whole number from 1 to %(n)d.",
                                n=limit), field="max_length")
        return None, None, max_length
    return None, None, None


def _check_type(qtype) -> str:
    if qtype not in QUESTION_TYPES:
        raise DomainError(_("Choose a question type from the list."), field="type",
                          code="invalid_type")
    return qtype


def _answer_extent(question: SurveyQuestion) -> tuple:
    """(smallest number, largest number, longest text) among the answers given."""
    if question.id is None:
        return None, None, None
    return tuple(db.session.execute(select(
        func.min(SurveyAnswer.number), func.max(SurveyAnswer.number),
        func.max(func.length(SurveyAnswer.text)),
    ).where(SurveyAnswer.question_id == question.id)).one())


def _section_id(survey: Survey, value) -> int | None:
    if value in (None, "", 0):
        return None
    for section in survey.sections:
        if section.id == value:
            return section.id
    raise DomainError(_("Choose a section of this survey."), field="section_id")


def _check_key_free(survey: Survey, key: str, question: SurveyQuestion | None = None) -> None:
    if any(q.key == key and q is not question for q in survey.questions):
        raise DomainError(_("Another question already has the key %(key)s.", key=key),
                          field="key", code="duplicate_key")


def add_question(survey: Survey, *, type, text_ja, text_en=None, help_ja=None, help_en=None,
                 required=False, key=None, section_id=None, min_value=None, max_value=None,
                 max_length=None, options=(), show_if_question=None,
                 show_if_option_key=None) -> SurveyQuestion:
    """Append a question (to its section). ``options``: labels, or dicts with ``label_ja``,
    ``label_en`` and ``key``. After publishing only optional questions, with no condition."""
    ensure_not_closed(survey)
    qtype = _check_type(type)
    published = survey.status != "draft"
    if published and required:
        raise refuse("new_question_required", _(
            "Questions added after publishing must be optional: people have already answered "
            "without them."), field="required")
    if published and show_if_question not in (None, ""):
        raise refuse("condition_locked", _(
            "Conditions cannot be set once the survey is published."), field="show_if_question")
    if len(survey.questions) >= MAX_QUESTIONS:
        raise DomainError(_("A survey has at most %(n)d questions.", n=MAX_QUESTIONS))
    existing = {q.key for q in survey.questions}
    key = new_key(existing, "q") if key in (None, "") else check_key(key)
    _check_key_free(survey, key)
    low, high, length = _settings(qtype, min_value, max_value, max_length)
    question = SurveyQuestion(
        key=key, type=qtype, required=bool(required),
        text_ja=text(text_ja, _l("The Japanese question"), QUESTION_TEXT_MAX, "text_ja",
                      required=True),
        text_en=text(text_en, _l("The English question"), QUESTION_TEXT_MAX, "text_en"),
        help_ja=text(help_ja, _l("The Japanese help text"), HELP_MAX, "help_ja"),
        help_en=text(help_en, _l("The English help text"), HELP_MAX, "help_en"),
        section_id=_section_id(survey, section_id),
        min_value=low, max_value=high, max_length=length,
        position=max((q.position for q in survey.questions), default=-1) + 1)
    if options and qtype not in OPTION_TYPES:
        raise DomainError(_("This type of question has no options."), field="options")
    if not isinstance(options, (list, tuple)):
        raise DomainError(_("Options must be a list."), field="options")
    survey.questions.append(question)
    db.session.flush()
    for item in options:
        if isinstance(item, dict):
            add_option(question, label_ja=item.get("label_ja"), label_en=item.get("label_en"),
                       key=item.get("key"))
        else:
            add_option(question, label_ja=item)
    if show_if_question not in (None, ""):
        _set_condition(question, show_if_question, show_if_option_key)
    return question


def _set_condition(question: SurveyQuestion, target_ref, option_key) -> None:
    survey = question.survey
    if target_ref in (None, ""):
        question.show_if_question_id = None
        question.show_if_option_key = None
        return
    target = question_of(survey, target_ref)
    if target is question:
        raise DomainError(_("A question cannot depend on itself."), field="show_if_question",
                          code="condition_order")
    if not isinstance(option_key, str) or not option_key:
        raise DomainError(_("Choose the option that shows this question."),
                          field="show_if_option_key")
    before = question.show_if_question_id, question.show_if_option_key
    question.show_if_question_id, question.show_if_option_key = target.id, option_key
    try:
        check_conditions(survey)
    except DomainError:
        question.show_if_question_id, question.show_if_option_key = before
        raise
    db.session.flush()


def update_question(question: SurveyQuestion, **changes) -> None:
    """Change what ``changes`` names (a subset of ``QUESTION_FIELDS``); what is not named
    stays. After publishing the rules in this module's docstring apply."""
    unknown = set(changes) - QUESTION_FIELDS
    if unknown:
        raise DomainError(_("Unknown fields: %(names)s.", names=", ".join(sorted(unknown))))
    survey = question.survey
    published = survey.status != "draft"
    new_type = _check_type(changes.get("type", question.type))
    if published and new_type != question.type:
        raise refuse("type_locked", _("The type of a question cannot change once the survey "
                                      "is published."), field="type")
    if "key" in changes and changes["key"] not in (None, "", question.key):
        if published:
            raise refuse("key_locked", _("Question keys cannot change once the survey is "
                                         "published."), field="key")
        _check_key_free(survey, check_key(changes["key"]), question)
        question.key = changes["key"]
    if published and changes.get("required") and not question.required:
        raise refuse("required_locked", _("An optional question cannot become required once "
                                          "the survey is published."), field="required")
    for name, what, limit, needed in (
            ("text_ja", _l("The Japanese question"), QUESTION_TEXT_MAX, True),
            ("text_en", _l("The English question"), QUESTION_TEXT_MAX, False),
            ("help_ja", _l("The Japanese help text"), HELP_MAX, False),
            ("help_en", _l("The English help text"), HELP_MAX, False)):
        if name in changes:
            setattr(question, name, text(changes[name], what, limit, name, required=needed))
    if "required" in changes:
        question.required = bool(changes["required"])
    if "section_id" in changes:
        section_id = _section_id(survey, changes["section_id"])
        if section_id != question.section_id:  # to the end of its new section
            question.section_id = section_id
            question.position = max((q.position for q in survey.questions), default=-1) + 1
    _update_settings(question, new_type, changes, published)
    if new_type != question.type:
        _change_type(question, new_type)
    if "show_if_question" in changes:
        target = changes["show_if_question"]
        target_id = None if target in (None, "") else question_of(survey, target).id
        option_key = changes.get("show_if_option_key") if target_id else None
        if published and (target_id, option_key) != (question.show_if_question_id,
                                                      question.show_if_option_key):
            raise refuse("condition_locked", _("Conditions cannot change once the survey is "
                                               "published."), field="show_if_question")
        _set_condition(question, target, option_key)
    check_conditions(survey)
    db.session.flush()


def _update_settings(question: SurveyQuestion, qtype: str, changes: dict,
                     published: bool) -> None:
    low, high, length = _settings(
        qtype, changes.get("min_value", question.min_value),
        changes.get("max_value", question.max_value),
        changes.get("max_length", question.max_length if qtype == question.type else None))
    if published:
        smallest, largest, longest = _answer_extent(question)
        if (low is not None and smallest is not None and smallest < low) or (
                high is not None and largest is not None and largest > high):
            raise refuse("range_excludes_answers", _(
                "Answers already given lie between %(low)s and %(high)s: the limits must "
                "keep them.", low=f"{smallest:g}", high=f"{largest:g}"), field="min_value")
        if length is not None and longest is not None and longest > length:
            raise refuse("range_excludes_answers", _(
                "An answer already given has %(n)d characters: the limit cannot be lower.",
                n=longest), field="max_length")
    question.min_value, question.max_value, question.max_length = low, high, length


def _change_type(question: SurveyQuestion, new_type: str) -> None:
    """A draft's question changes type: options go when the new type has none."""
    if new_type not in CHOICE_TYPES and dependants(question):
        raise DomainError(_("Question %(key)s depends on this one: keep a single or multiple "
                            "choice type, or remove that condition first.",
                            key=dependants(question)[0]), field="type",
                          code="condition_depends")
    question.type = new_type
    if new_type not in OPTION_TYPES:
        question.options = []


def delete_question(question: SurveyQuestion) -> None:
    """Delete a draft's question nobody depends on."""
    survey = question.survey
    if survey.status != "draft":
        raise refuse("question_delete_locked", _(
            "Questions of a published survey cannot be deleted: answers may refer to them."))
    waiting = dependants(question)
    if waiting:
        raise DomainError(_("Question %(key)s depends on this one; remove that condition "
                            "first.", key=waiting[0]), code="condition_depends")
    survey.questions.remove(question)
    db.session.flush()


def move_question(question: SurveyQuestion, direction: int) -> None:
    """Swap a question with its neighbour in the same section (-1 up, +1 down)."""
    survey = question.survey
    ensure_not_closed(survey)
    if direction not in (-1, 1):
        raise DomainError(_("Move up or down."), field="direction")
    order = ordered_questions(survey)
    siblings = [q for q in order if q.section_id == question.section_id]
    other = siblings.index(question) + direction
    if 0 <= other < len(siblings):
        a, b = order.index(question), order.index(siblings[other])
        order[a], order[b] = order[b], order[a]
    for position, each in enumerate(order):
        each.position = position
    check_conditions(survey)
    db.session.flush()
