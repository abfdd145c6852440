"""A survey's definition as plain data (the JSON API, and anyone needing the questions by
key): texts in both languages, questions in order with their settings, options and
conditions. Never holds answers."""

from __future__ import annotations

from surveys.audience import describe_audience
from surveys.layout import LIKERT_POINTS, OPTION_TYPES, layout, ordered_questions
from surveys.models import Survey, SurveyQuestion
from surveys.validation import TEXT_MAX


def _stamp(value) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: float | None):
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def question_json(question: SurveyQuestion, keys: dict[int, str]) -> dict:
    """One question: key, type, texts, settings, options (keys and labels), condition."""
    body = {
        "key": question.key, "type": question.type, "required": question.required,
        "text": question.text_ja, "text_en": question.text_en,
        "help": question.help_ja, "help_en": question.help_en,
    }
    if question.type in OPTION_TYPES:
        body["options"] = [{"key": o.key, "label": o.label_ja, "label_en": o.label_en}
                           for o in sorted(question.options, key=lambda o: o.position)]
    if question.type in ("likert", "likert_matrix"):
        body["scale"] = [value for value, _label in LIKERT_POINTS]
    if question.type in ("rating", "number"):
        body["min"] = _number(question.min_value)
        body["max"] = _number(question.max_value)
    if question.type in ("text", "longtext"):
        # What answers are checked against: the stored limit, else the type's.
        body["max_length"] = question.max_length or TEXT_MAX[question.type]
    body["show_if"] = ({"question": keys.get(question.show_if_question_id),
                        "option": question.show_if_option_key}
                       if question.show_if_question_id else None)
    return body


def survey_summary(survey: Survey) -> dict:
    """What a list shows: id, titles, status, anonymity, times."""
    return {
        "id": survey.id, "title": survey.title_ja, "title_en": survey.title_en,
        "status": survey.status, "anonymous": survey.anonymous,
        "opens_at": _stamp(survey.opens_at), "closes_at": _stamp(survey.closes_at),
    }


def survey_json(survey: Survey, *, manage: bool) -> dict:
    """The whole definition; the audience and management settings only when ``manage``."""
    keys = {q.id: q.key for q in survey.questions}
    body = {
        **survey_summary(survey),
        "description": survey.description_ja, "description_en": survey.description_en,
        "sections": [{"title": s.title_ja, "title_en": s.title_en,
                      "questions": [q.key for q in questions]}
                     for s, questions in layout(survey) if s is not None],
        "questions": [question_json(q, keys) for q in ordered_questions(survey)],
    }
    if manage:
        audience = describe_audience(survey)
        body.update({
            "audience": "all" if audience["everyone"] else {
                "departments": audience["departments"],
                "include_subtree": audience["include_subtree"], "roles": audience["roles"]},
            "min_group_size": survey.min_group_size, "reminder_days": survey.reminder_days,
            "editable_until_close": survey.editable_until_close,
            "published_at": _stamp(survey.published_at), "closed_at": _stamp(survey.closed_at),
            "copied_from": survey.copied_from_id, "template": survey.template_key,
        })
    return body
