"""Sections of a survey: add, rename, delete (with their questions, drafts only), move.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from surveys.layout import MAX_SECTIONS, check_conditions, dependants, swap
from surveys.models import Survey, SurveySection
from surveys.rules import TITLE_MAX, ensure_not_closed, refuse, text
from workhub.errors import DomainError
from workhub.extensions import db


def add_section(survey: Survey, *, title_ja, title_en=None) -> SurveySection:
    """Append a section to ``survey``."""
    ensure_not_closed(survey)
    if len(survey.sections) >= MAX_SECTIONS:
        raise DomainError(_("A survey has at most %(n)d sections.", n=MAX_SECTIONS))
    section = SurveySection(
        title_ja=text(title_ja, _l("The Japanese title"), TITLE_MAX, "title_ja",
                       required=True),
        title_en=text(title_en, _l("The English title"), TITLE_MAX, "title_en"),
        position=max((s.position for s in survey.sections), default=-1) + 1)
    survey.sections.append(section)
    db.session.flush()
    return section


def update_section(section: SurveySection, *, title_ja, title_en=None) -> None:
    """Correct a section's titles (allowed at any time)."""
    section.title_ja = text(title_ja, _l("The Japanese title"), TITLE_MAX, "title_ja",
                             required=True)
    section.title_en = text(title_en, _l("The English title"), TITLE_MAX, "title_en")
    db.session.flush()


def delete_section(section: SurveySection) -> None:
    """Delete a section with its questions (a draft's only, once questions are in it)."""
    survey = section.survey
    inside = [q for q in survey.questions if q.section_id == section.id]
    if inside and survey.status != "draft":
        raise refuse("question_delete_locked", _(
            "Questions of a published survey cannot be deleted: this section holds %(n)d.",
            n=len(inside)))
    ensure_not_closed(survey)
    for question in inside:
        others = [k for k in dependants(question) if k not in {q.key for q in inside}]
        if others:
            raise DomainError(_("Question %(key)s depends on a question of this section; "
                                "remove that condition first.", key=others[0]),
                              code="condition_depends")
    for question in inside:
        survey.questions.remove(question)
    survey.sections.remove(section)
    db.session.flush()


def move_section(section: SurveySection, direction: int) -> None:
    """Swap a section with the one before (``direction`` -1) or after (+1)."""
    survey = section.survey
    ensure_not_closed(survey)
    swap(sorted(survey.sections, key=lambda s: s.position), section, direction)
    check_conditions(survey)
    db.session.flush()
    db.session.expire(survey, ["sections"])  # reload in the new order
