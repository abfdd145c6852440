"""A survey's life as HR builds it: create, edit, publish, close, copy, delete.

* **Times** are aware datetimes stored in UTC; the closing time comes after the opening
  time, and lies in the future when publishing (or when changed on a published survey).
  A survey without an opening time opens when published; without a closing time it stays
  open until closed by hand.
* **Minimum group size k** (``min_group_size``) is at least 3; its default is the
  ``SURVEY_MIN_GROUP_SIZE`` setting. Once published it may be raised, never lowered:
  comparing results under two values of k could reveal a small group.
* **Anonymity** may change while the survey is a draft; publishing fixes it (409
  ``anonymity_locked``): people answer and keep drafts under the promise they were shown.
* **Publishing** checks ``publish_problems``: at least one question, two options for every
  choice or grid question, valid conditions, a future closing time, someone to ask.
* Publishing, closing, copying, deleting and every change of a survey's settings (with
  the old and new values; for texts only which ones changed) are recorded in the audit log.
* **Closing** releases the anonymous responses still waiting for their batch.

Questions, sections and options: surveys/questions.py, sections.py, options.py.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from surveys.audience import audience_size, describe_audience, set_audience
from surveys.layout import OPTION_TYPES, check_conditions, ordered_questions
from surveys.models import (
    DEFAULT_K,
    MIN_K,
    Survey,
    SurveyOption,
    SurveyQuestion,
    SurveySection,
)
from surveys.release import release
from surveys.rules import (
    CLOSES_LABEL,
    DESCRIPTION_MAX,
    OPENS_LABEL,
    TITLE_MAX,
    aware,
    ensure_draft,
    refuse,
    text,
)
from workhub.auth.services import audit
from workhub.database import utcnow
from workhub.errors import Conflict, DomainError
from workhub.extensions import db
from workhub.org.models import User

MAX_K = 1000
MAX_REMINDER_DAYS = 60
SURVEY_FIELDS = {"title_ja", "title_en", "description_ja", "description_en", "anonymous",
                 "opens_at", "closes_at", "min_group_size", "reminder_days",
                 "editable_until_close"}
TEXT_FIELDS = {"title_ja", "title_en", "description_ja", "description_en"}
STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published"), "closed": _l("Closed")}


def default_min_group_size() -> int:
    """The ``SURVEY_MIN_GROUP_SIZE`` setting (never below 3)."""
    return max(MIN_K, int(current_app.config.get("SURVEY_MIN_GROUP_SIZE", DEFAULT_K)))


def _whole(value, what, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DomainError(_("%(what)s must be a whole number from %(low)d to %(high)d.",
                            what=what, low=low, high=high), field=name)
    return value


def _flag(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise DomainError(_("Choose yes or no."), field=name)
    return value


def _apply_texts(survey: Survey, changes: dict) -> None:
    for name, what, limit, needed, multiline in (
            ("title_ja", _l("The Japanese title"), TITLE_MAX, True, False),
            ("title_en", _l("The English title"), TITLE_MAX, False, False),
            ("description_ja", _l("The Japanese description"), DESCRIPTION_MAX, False, True),
            ("description_en", _l("The English description"), DESCRIPTION_MAX, False, True)):
        if name in changes:
            setattr(survey, name, text(changes[name], what, limit, name, required=needed,
                                       multiline=multiline))


def _apply_times(survey: Survey, changes: dict, now) -> None:
    opens = aware(changes.get("opens_at", survey.opens_at), OPENS_LABEL, "opens_at")
    closes = aware(changes.get("closes_at", survey.closes_at), CLOSES_LABEL, "closes_at")
    if opens is not None and closes is not None and closes <= opens:
        raise DomainError(_("The closing time must come after the opening time."),
                          field="closes_at")
    if survey.status == "published":
        if opens != survey.opens_at and (survey.opens_at is None or survey.opens_at <= now):
            raise refuse("opened", _("This survey has already opened: its opening time "
                                     "cannot change."), field="opens_at")
        if closes != survey.closes_at and closes is not None and closes <= now:
            raise DomainError(_("The closing time must be in the future."), field="closes_at")
    survey.opens_at, survey.closes_at = opens, closes


def _apply_settings(survey: Survey, changes: dict) -> None:
    if "anonymous" in changes:
        anonymous = _flag(changes["anonymous"], "anonymous")
        if anonymous != survey.anonymous and survey.status != "draft":
            raise refuse("anonymity_locked", _(
                "The survey is published: whether it is anonymous was fixed then, since people "
                "answer and keep drafts under that promise."), field="anonymous")
        survey.anonymous = anonymous
    if "min_group_size" in changes:
        k = _whole(changes["min_group_size"], _l("The minimum group size"), "min_group_size",
                   MIN_K, MAX_K)
        if survey.status != "draft" and k < survey.min_group_size:
            raise refuse("k_lowered", _("The minimum group size of a published survey may be "
                                        "raised, never lowered."), field="min_group_size")
        survey.min_group_size = k
    if "reminder_days" in changes:
        days = changes["reminder_days"]
        survey.reminder_days = None if days in (None, "", 0) else _whole(
            days, _l("The reminder interval"), "reminder_days", 1, MAX_REMINDER_DAYS)
    if "editable_until_close" in changes:
        survey.editable_until_close = _flag(changes["editable_until_close"],
                                            "editable_until_close")


def _apply(survey: Survey, changes: dict) -> dict:
    """Apply ``changes``; return the ones that changed a value (name → (old, new))."""
    unknown = set(changes) - SURVEY_FIELDS
    if unknown:
        raise DomainError(_("Unknown fields: %(names)s.", names=", ".join(sorted(unknown))))
    # A form sends every field: the ones left as they are are not changes.
    changes = {k: v for k, v in changes.items()
               if k in TEXT_FIELDS or survey.id is None or v != getattr(survey, k)}
    before = {name: getattr(survey, name) for name in changes}
    if survey.status == "closed" and set(changes) - TEXT_FIELDS:
        raise refuse("survey_closed", _("This survey is closed: only its texts may still be "
                                        "corrected."))
    _apply_texts(survey, changes)
    _apply_times(survey, changes, utcnow())
    _apply_settings(survey, changes)
    return {name: (old, getattr(survey, name)) for name, old in before.items()
            if getattr(survey, name) != old}


def _audit_value(name: str, value):
    if name in TEXT_FIELDS:
        return None  # which text changed is recorded, not the text
    return value.isoformat() if hasattr(value, "isoformat") else value


def create_survey(actor: User, **fields) -> Survey:
    """A new draft asking everyone; ``fields`` as in ``SURVEY_FIELDS`` (title_ja needed)."""
    survey = Survey(status="draft", anonymous=True, audience_all=True,
                    min_group_size=default_min_group_size(), created_by_id=actor.id)
    _apply(survey, {"title_ja": None, **fields})
    db.session.add(survey)
    db.session.flush()
    return survey


def update_survey(survey: Survey, actor: User, *, ip: str | None = None, **changes) -> None:
    """Change what ``changes`` names; the rules of this module apply. What changed is
    audited (``survey.updated``)."""
    changed = _apply(survey, changes)
    survey.updated_at = utcnow()
    db.session.flush()
    if changed:
        audit("survey.updated", actor=actor, target=f"survey:{survey.id}", ip=ip,
              status=survey.status, changes={
                  name: {"from": _audit_value(name, old), "to": _audit_value(name, new)}
                  for name, (old, new) in sorted(changed.items())})


def change_audience(survey: Survey, actor: User, *, ip: str | None = None, **audience) -> None:
    """``audience.set_audience``, audited (``survey.audience_changed``) when it changed."""
    before = describe_audience(survey)
    set_audience(survey, **audience)
    after = describe_audience(survey)
    if after != before:
        audit("survey.audience_changed", actor=actor, target=f"survey:{survey.id}", ip=ip,
              status=survey.status, changes={"from": before, "to": after})


def publish_problems(survey: Survey, now=None) -> list[str]:
    """What stands between ``survey`` and publishing (empty when it may be published)."""
    now = now or utcnow()
    problems = []
    questions = ordered_questions(survey)
    if not questions:
        problems.append(_("Add at least one question."))
    for question in questions:
        if question.type in OPTION_TYPES and len(question.options) < 2:
            problems.append(_("Question %(key)s needs at least two options.", key=question.key))
    try:
        check_conditions(survey)
    except DomainError as exc:
        problems.append(exc.message)
    if survey.closes_at is not None and survey.closes_at <= now:
        problems.append(_("The closing time must be in the future."))
    if not survey.audience_all and not survey.audience:
        problems.append(_("Choose who is asked."))
    elif audience_size(survey) == 0:
        problems.append(_("Nobody is asked: no active account is in the audience."))
    return problems


def publish(survey: Survey, actor: User, *, ip: str | None = None) -> None:
    """Publish a ready draft: from its opening time, its audience may answer."""
    ensure_draft(survey, "not_draft", _("Only a draft can be published."))
    problems = publish_problems(survey)
    if problems:
        raise DomainError(" ".join(problems), code="not_ready")
    survey.status = "published"
    survey.published_at = utcnow()
    db.session.flush()
    audit("survey.published", actor=actor, target=f"survey:{survey.id}", ip=ip)


def close(survey: Survey, actor: User, *, ip: str | None = None) -> None:
    """Close a published survey now: no more answers."""
    if survey.status != "published":
        raise Conflict(_("Only a published survey can be closed."), code="not_published")
    survey.status = "closed"
    survey.closed_at = utcnow()
    db.session.flush()
    release(survey, closing=True)
    audit("survey.closed", actor=actor, target=f"survey:{survey.id}", ip=ip)


def delete_survey(survey: Survey, actor: User, *, ip: str | None = None) -> None:
    """Delete a draft (published surveys are closed, not deleted: they hold answers)."""
    ensure_draft(survey, "not_draft", _("Only a draft can be deleted; close a published "
                                        "survey instead."))
    audit("survey.deleted", actor=actor, target=f"survey:{survey.id}", ip=ip,
          title=survey.title_ja)
    db.session.delete(survey)
    db.session.flush()


def _copy_title(title: str | None, suffix: str) -> str | None:
    if not title:
        return title
    return title[:TITLE_MAX - len(suffix)] + suffix


def copy_survey(survey: Survey, actor: User, *, ip: str | None = None) -> Survey:
    """A new draft with the same texts, settings, sections, questions, options, conditions
    and audience (no times, no answers)."""
    copy = Survey(
        title_ja=_copy_title(survey.title_ja, "（コピー）"),
        title_en=_copy_title(survey.title_en, " (copy)"),
        description_ja=survey.description_ja, description_en=survey.description_en,
        anonymous=survey.anonymous, status="draft", audience_all=True,
        min_group_size=survey.min_group_size, reminder_days=survey.reminder_days,
        editable_until_close=survey.editable_until_close, template_key=survey.template_key,
        copied_from_id=survey.id, created_by_id=actor.id)
    db.session.add(copy)
    sections = {}
    for section in survey.sections:
        sections[section.id] = SurveySection(position=section.position,
                                             title_ja=section.title_ja,
                                             title_en=section.title_en)
        copy.sections.append(sections[section.id])
    db.session.flush()
    questions: dict[int, SurveyQuestion] = {}
    for q in ordered_questions(survey):
        new = SurveyQuestion(
            key=q.key, position=q.position, type=q.type, text_ja=q.text_ja, text_en=q.text_en,
            help_ja=q.help_ja, help_en=q.help_en, required=q.required, min_value=q.min_value,
            max_value=q.max_value, max_length=q.max_length,
            section_id=sections[q.section_id].id if q.section_id in sections else None,
            options=[SurveyOption(key=o.key, position=o.position, label_ja=o.label_ja,
                                  label_en=o.label_en) for o in q.options])
        copy.questions.append(new)
        questions[q.id] = new
    db.session.flush()
    for q in survey.questions:
        if q.show_if_question_id in questions:
            questions[q.id].show_if_question_id = questions[q.show_if_question_id].id
            questions[q.id].show_if_option_key = q.show_if_option_key
    audience = describe_audience(survey)
    if not audience["everyone"]:
        set_audience(copy, everyone=False, department_codes=audience["departments"],
                     include_subtree=audience["include_subtree"], roles=audience["roles"])
        # Each department row keeps its own subtree flag.
        flags = {row.department_id: row.include_subtree for row in survey.audience}
        for row in copy.audience:
            if row.department_id in flags:
                row.include_subtree = flags[row.department_id]
    db.session.flush()
    audit("survey.copied", actor=actor, target=f"survey:{copy.id}", ip=ip,
          copied_from=survey.id)
    return copy


def surveys_for_management() -> list[Survey]:
    """Every survey, newest first (the HR list)."""
    return list(db.session.scalars(select(Survey).order_by(Survey.created_at.desc(),
                                                           Survey.id.desc())))
