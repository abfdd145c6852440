"""Options of a question (choices, or the rows of an agreement grid): keys that never
change once published, labels that may always be corrected, deletion in drafts only.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from surveys.layout import MAX_OPTIONS, OPTION_TYPES, dependants, new_key, swap
from surveys.models import SurveyOption, SurveyQuestion
from surveys.rules import OPTION_LABEL_MAX, check_key, ensure_not_closed, refuse, text
from workhub.errors import DomainError
from workhub.extensions import db


def add_option(question: SurveyQuestion, *, label_ja, label_en=None, key=None) -> SurveyOption:
    """Append an option (a choice, or a matrix row) with a key that never changes."""
    survey = question.survey
    ensure_not_closed(survey)
    if question.type not in OPTION_TYPES:
        raise DomainError(_("This type of question has no options."), field="options")
    if len(question.options) >= MAX_OPTIONS:
        raise DomainError(_("A question has at most %(n)d options.", n=MAX_OPTIONS),
                          field="options")
    existing = {o.key for o in question.options}
    key = new_key(existing, "o") if key in (None, "") else check_key(key, field="option_key")
    if key in existing:
        raise DomainError(_("Another option already has the key %(key)s.", key=key),
                          field="option_key", code="duplicate_key")
    option = SurveyOption(
        key=key, position=max((o.position for o in question.options), default=-1) + 1,
        label_ja=text(label_ja, _l("The Japanese label"), OPTION_LABEL_MAX, "label_ja",
                       required=True),
        label_en=text(label_en, _l("The English label"), OPTION_LABEL_MAX, "label_en"))
    question.options.append(option)
    db.session.flush()
    return option


def update_option(option: SurveyOption, question: SurveyQuestion, *, label_ja, label_en=None,
                  key=None) -> None:
    """Correct an option's labels; its key only while the survey is a draft."""
    if key not in (None, "", option.key):
        if question.survey.status != "draft":
            raise refuse("key_locked", _("Option keys cannot change once the survey is "
                                         "published."), field="option_key")
        check_key(key, field="option_key")
        if any(o.key == key for o in question.options if o is not option):
            raise DomainError(_("Another option already has the key %(key)s.", key=key),
                              field="option_key", code="duplicate_key")
        if dependants(question, option.key):
            raise DomainError(_("Another question depends on this option; remove that "
                                "condition first."), field="option_key",
                              code="condition_depends")
        option.key = key
    option.label_ja = text(label_ja, _l("The Japanese label"), OPTION_LABEL_MAX, "label_ja",
                            required=True)
    option.label_en = text(label_en, _l("The English label"), OPTION_LABEL_MAX, "label_en")
    db.session.flush()


def delete_option(option: SurveyOption, question: SurveyQuestion) -> None:
    """Delete a draft's option no condition refers to."""
    if question.survey.status != "draft":
        raise refuse("option_delete_locked", _(
            "Options of a published survey cannot be deleted: answers may refer to them."))
    waiting = dependants(question, option.key)
    if waiting:
        raise DomainError(_("Question %(key)s depends on this option; remove that condition "
                            "first.", key=waiting[0]), code="condition_depends")
    question.options.remove(option)
    db.session.flush()


def move_option(option: SurveyOption, question: SurveyQuestion, direction: int) -> None:
    """Swap an option with its neighbour (-1 up, +1 down); keys stay."""
    ensure_not_closed(question.survey)
    swap(sorted(question.options, key=lambda o: o.position), option, direction)
    db.session.flush()
    db.session.expire(question, ["options"])  # reload in the new order
