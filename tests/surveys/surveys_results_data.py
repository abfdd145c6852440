"""Surveys and responses for the results tests, built straight from the models the way
answering stores them: random UUID4 response ids, random answer ids, the ISO week only, and
no person or department in an anonymous survey."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from surveys.models import Survey, SurveyAnswer, SurveyOption, SurveyQuestion, SurveyResponse
from workhub.extensions import db
from workhub.org.models import Department


def options(*keys: str) -> list[SurveyOption]:
    return [SurveyOption(key=key, label_ja=f"{key}（選択肢）", label_en=key.title(), position=i)
            for i, key in enumerate(keys)]


def make_survey(*, k: int = 5, anonymous: bool = True, status: str = "published") -> Survey:
    """A survey with one question of each kind. Committed."""
    now = datetime.now(UTC)
    survey = Survey(title_ja="働き方アンケート", title_en="Work-style survey", anonymous=anonymous,
                    status=status, min_group_size=k, opens_at=now - timedelta(days=2),
                    closes_at=now + timedelta(days=10),
                    published_at=now - timedelta(days=2) if status != "draft" else None)
    survey.questions = [
        SurveyQuestion(key="bureau", type="single", position=0, text_ja="所属局",
                       text_en="Bureau", options=options("a", "b", "c")),
        SurveyQuestion(key="sat", type="likert", position=1, text_ja="在宅勤務に満足している",
                       text_en="I am satisfied"),
        SurveyQuestion(key="obstacles", type="multiple", position=2, text_ja="困っていること",
                       text_en="Obstacles", options=options("network", "devices", "comm")),
        SurveyQuestion(key="recommend", type="rating", position=3, text_ja="推奨度",
                       text_en="Recommend"),
        SurveyQuestion(key="days", type="number", position=4, text_ja="週の在宅日数",
                       text_en="Remote days", min_value=0, max_value=5),
        SurveyQuestion(key="since", type="date", position=5, text_ja="開始日",
                       text_en="Since"),
        SurveyQuestion(key="wishes", type="longtext", position=6, text_ja="ご要望",
                       text_en="Wishes"),
        SurveyQuestion(key="tools", type="likert_matrix", position=7,
                       text_ja="ツールの使いやすさ", text_en="Tools",
                       options=options("chat", "video")),
    ]
    db.session.add(survey)
    db.session.commit()
    return survey


_USED: set[int] = set()


def _random_id() -> int:
    """A random answer id, as answering draws them (never the same one twice here)."""
    while True:
        value = secrets.randbelow(2**31 - 2) + 1
        if value not in _USED:
            _USED.add(value)
            return value


def department_id(code: str) -> int:
    return db.session.scalar(select(Department.id).where(Department.code == code))


def add_response(survey: Survey, answers: dict, *, department: str | None = None,
                 user_id: int | None = None) -> None:
    """Store one response as answering does (flushes, does not commit)."""
    questions = {q.key: q for q in survey.questions}
    response = SurveyResponse(id=str(uuid.uuid4()), survey_id=survey.id)
    if not survey.anonymous:
        response.user_id = user_id
        response.department_id = department_id(department) if department else None
    rows = []
    for key, value in answers.items():
        question = questions[key]
        opts = {o.key: o.id for o in question.options}
        if question.type == "single":
            rows.append(SurveyAnswer(question_id=question.id, option_id=opts[value]))
        elif question.type == "multiple":
            rows += [SurveyAnswer(question_id=question.id, option_id=opts[v]) for v in value]
        elif question.type == "likert_matrix":
            rows += [SurveyAnswer(question_id=question.id, option_id=opts[row], number=point)
                     for row, point in value.items()]
        elif question.type == "date":
            rows.append(SurveyAnswer(question_id=question.id,
                                     date_value=date.fromisoformat(value)))
        elif question.type in ("text", "longtext"):
            rows.append(SurveyAnswer(question_id=question.id, text=value))
        else:
            rows.append(SurveyAnswer(question_id=question.id, number=float(value)))
    for row in rows:
        row.id = _random_id()
    response.answers = rows
    db.session.add(response)
    db.session.flush()


def add_many(survey: Survey, count: int, answers: dict, **kwargs) -> None:
    for _ in range(count):
        add_response(survey, answers, **kwargs)
