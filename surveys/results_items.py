"""Reading a survey's answers for its results: who answered what, per item and category.

An *item* is a question, or one row of an agreement grid. Each item has categories (options,
scale points, months, or just "answered") and, for every response, the categories it falls
under; numbers and texts are kept for means and text lists. "No answer" is not a category
here: ``_Spec.counts`` puts it last.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from surveys.layout import LIKERT_POINTS, RATING_MAX, RATING_MIN
from surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from surveys.validation import localized
from workhub.extensions import db

ANSWERED = "answered"


@dataclass
class Answers:
    responses: list[str]
    departments: dict[str, int | None]
    rows: dict[int, dict[str, list]]  # question id → response id → answer rows


def load(survey: Survey, question_ids: set[int] | None = None) -> Answers:
    """Every response of ``survey`` and its answers (to ``question_ids`` only, if given)."""
    responses = db.session.execute(
        select(SurveyResponse.id, SurveyResponse.department_id)
        .where(SurveyResponse.survey_id == survey.id).order_by(SurveyResponse.id)).all()
    rows: dict[int, dict[str, list]] = {}
    query = (select(SurveyAnswer.response_id, SurveyAnswer.question_id, SurveyAnswer.option_id,
                    SurveyAnswer.number, SurveyAnswer.date_value, SurveyAnswer.text)
             .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
             .where(SurveyResponse.survey_id == survey.id))
    if question_ids is not None:
        query = query.where(SurveyAnswer.question_id.in_(question_ids))
    answers = db.session.execute(query)
    for answer in answers:
        rows.setdefault(answer.question_id, {}).setdefault(answer.response_id, []).append(answer)
    return Answers([r.id for r in responses],
                    {r.id: (None if survey.anonymous else r.department_id) for r in responses},
                    rows)


@dataclass
class Spec:
    """An item ready to count: its categories and what each response falls under."""

    key: str
    label: str | None
    kind: str
    categories: list[tuple[str, str]]
    chosen: dict[str, set[str]]
    numbers: dict[str, float] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    has_stats: bool = False  # a mean and a median of ``numbers``
    groupable: bool = False  # one answer each (single choice, agreement): it splits people

    @property
    def additive(self) -> bool:
        return self.kind != "multiple"

    def counts(self, members: list[str]) -> list[int]:
        """Counts per category for ``members``, "no answer" last."""
        index = {key: i for i, (key, _label) in enumerate(self.categories)}
        out = [0] * (len(self.categories) + 1)
        for rid in members:
            chosen = self.chosen.get(rid)
            if not chosen:
                out[-1] += 1
            for key in chosen or ():
                out[index[key]] += 1
        return out


def _points(low: int, high: int) -> list[tuple[str, str]]:
    return [(str(p), str(p)) for p in range(low, high + 1)]


def _likert() -> list[tuple[str, str]]:
    return [(str(p), f"{p} {label}") for p, label in LIKERT_POINTS]


def _numbers(by_response: dict[str, list]) -> dict[str, float]:
    return {rid: rows[0].number for rid, rows in by_response.items()
            if rows and rows[0].number is not None}


def specs(question: SurveyQuestion, rows: dict[str, list], language: str) -> list[Spec]:
    """The items of ``question`` (one, or one per row of an agreement grid)."""
    kind, key = question.type, question.key
    options = {o.id: o for o in question.options}
    if kind in ("single", "multiple"):
        chosen = {rid: {options[a.option_id].key for a in answers if a.option_id in options}
                  for rid, answers in rows.items()}
        categories = [(o.key, localized(o, "label", language)) for o in question.options]
        return [Spec(key, None, "choice" if kind == "single" else "multiple", categories,
                     chosen, groupable=kind == "single")]
    if kind in ("likert", "rating"):
        numbers = _numbers(rows)
        if kind == "likert":
            categories = _likert()
        else:
            low = int(question.min_value if question.min_value is not None else RATING_MIN)
            high = int(question.max_value if question.max_value is not None else RATING_MAX)
            categories = _points(low, high)
        chosen = {rid: {str(int(n))} for rid, n in numbers.items()}
        return [Spec(key, None, "choice", categories, chosen, numbers, has_stats=True,
                     groupable=kind == "likert")]
    if kind == "likert_matrix":
        specs = []
        for option in question.options:
            numbers = {rid: a.number for rid, answers in rows.items() for a in answers
                       if a.option_id == option.id and a.number is not None}
            specs.append(Spec(f"{key}.{option.key}", localized(option, "label", language),
                              "choice", _likert(), {r: {str(int(n))} for r, n in numbers.items()},
                              numbers, has_stats=True))
        return specs
    if kind == "number":
        numbers = _numbers(rows)
        return [Spec(key, None, "numeric", [(ANSWERED, _("Answered"))],
                     {rid: {ANSWERED} for rid in numbers}, numbers, has_stats=True)]
    if kind == "date":
        months = {rid: answers[0].date_value.strftime("%Y-%m") for rid, answers in rows.items()
                  if answers and answers[0].date_value is not None}
        return [Spec(key, None, "date", _month_range(set(months.values())),
                      {rid: {m} for rid, m in months.items()})]
    texts = {rid: answers[0].text for rid, answers in rows.items()
             if answers and (answers[0].text or "").strip()}
    return [Spec(key, None, "text", [(ANSWERED, _("Answered"))],
                  {rid: {ANSWERED} for rid in texts}, texts=texts)]


def _month_range(months: set[str]) -> list[tuple[str, str]]:
    """Every month from the first to the last answered (empty months shown as 0)."""
    if not months:
        return []
    first, last = min(months), max(months)
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append((f"{year:04d}-{month:02d}", f"{year:04d}-{month:02d}"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
