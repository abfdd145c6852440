"""Surveys for the answering tests, built straight from the models (one of each question
type, a section, a condition), and the people who answer them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from surveys.models import (
    Survey,
    SurveyAudience,
    SurveyOption,
    SurveyQuestion,
    SurveySection,
)
from workhub.extensions import db
from workhub.org.models import Department, User

# Answers that satisfy every question of ``full_survey``.
GOOD = {
    "satisfaction": 4,
    "place": "home",
    "obstacles": ["network", "devices"],
    "network_detail": "VPN が遅い",
    "recommend": 8,
    "days": 2,
    "since": "2025-04-01",
    "wishes": "週 3 日の在宅勤務\nを希望します",
    "name": "テスト",
    "tools": {"chat": 5, "video": 3},
}


def _options(pairs) -> list[SurveyOption]:
    return [SurveyOption(key=key, label_ja=ja, label_en=en, position=i)
            for i, (key, ja, en) in enumerate(pairs)]


def _survey(*, anonymous: bool = True, status: str = "published", opens_at=None,
            closes_at=None, audience_all: bool = True, title: str = "働き方アンケート",
            editable: bool = True, reminder_days: int | None = None,
            min_group_size: int = 5) -> Survey:
    now = datetime.now(UTC)
    return Survey(
        title_ja=title, title_en="Work-style survey" if title == "働き方アンケート" else None,
        description_ja="ご協力ください。",
        description_en="Thank you for your help.", anonymous=anonymous, status=status,
        audience_all=audience_all, opens_at=opens_at if opens_at is not None
        else now - timedelta(days=1),
        closes_at=closes_at if closes_at is not None else now + timedelta(days=14),
        editable_until_close=editable, reminder_days=reminder_days, min_group_size=min_group_size,
        published_at=now - timedelta(days=1) if status != "draft" else None,
    )


def _questions(first: SurveySection, second: SurveySection) -> list[SurveyQuestion]:
    """The questions, ``network_detail`` last (its condition needs ``obstacles``'s id)."""
    obstacles = SurveyQuestion(
        key="obstacles", type="multiple", text_ja="困っていること", text_en="Obstacles",
        position=2, section_id=first.id, options=_options(
            [("network", "通信", "Network"), ("devices", "端末", "Devices"),
             ("communication", "コミュニケーション", "Communication")]))
    return [
        SurveyQuestion(key="satisfaction", type="likert", text_ja="在宅勤務に満足している",
                       text_en="I am satisfied with remote work", position=0, required=True,
                       section_id=first.id, help_ja="1 = 全くそう思わない",
                       help_en="1 = not at all"),
        SurveyQuestion(key="place", type="single", text_ja="主な勤務場所",
                       text_en="Main place of work", position=1, required=True,
                       section_id=first.id, options=_options(
                           [("home", "自宅", "Home"), ("office", "庁舎", "Office")])),
        obstacles,
        SurveyQuestion(key="recommend", type="rating", text_ja="同僚に勧めますか",
                       text_en="Would you recommend it?", position=4, section_id=first.id),
        SurveyQuestion(key="days", type="number", text_ja="週の在宅日数",
                       text_en="Remote days a week", position=5, min_value=0, max_value=5,
                       section_id=second.id),
        SurveyQuestion(key="since", type="date", text_ja="開始日", text_en="Since when",
                       position=6, section_id=second.id),
        SurveyQuestion(key="wishes", type="longtext", text_ja="ご要望", text_en="Wishes",
                       position=7, section_id=second.id),
        SurveyQuestion(key="name", type="text", text_ja="呼び名", text_en="Nickname",
                       position=8, max_length=20, section_id=second.id),
        SurveyQuestion(key="tools", type="likert_matrix", text_ja="ツールの使いやすさ",
                       text_en="Tools are easy to use", position=9, section_id=second.id,
                       options=_options([("chat", "チャット", "Chat"),
                                         ("video", "ビデオ会議", "Video meetings")])),
    ]


def _detail(first: SurveySection, obstacles: SurveyQuestion) -> SurveyQuestion:
    return SurveyQuestion(
        key="network_detail", type="text", text_ja="通信の問題の詳細",
        text_en="Network problem details", position=3, required=True, section_id=first.id,
        show_if_question_id=obstacles.id, show_if_option_key="network")


def _sections() -> list[SurveySection]:
    return [SurveySection(title_ja="満足度", title_en="Satisfaction", position=0),
            SurveySection(title_ja="ご意見", title_en="Your views", position=1)]


def memory_survey(**kwargs) -> Survey:
    """``full_survey`` in memory only (ids given by hand), for the rules that need no
    database: quicker for the many cases of answer checking."""
    survey = _survey(**kwargs)
    survey.id = 1
    survey.sections = _sections()
    for number, section in enumerate(survey.sections, 1):
        section.id = number
    survey.questions = _questions(*survey.sections)
    for number, question in enumerate(survey.questions, 1):
        question.id = number
    survey.questions.append(_detail(survey.sections[0], survey.questions[2]))
    survey.questions[-1].id = len(survey.questions)
    return survey


def full_survey(*, departments=(), roles=(), **kwargs) -> Survey:
    """A survey with every kind of question; ``network_detail`` shows only when
    ``obstacles`` holds ``network``. Committed. Keyword arguments: see ``_survey``."""
    survey = _survey(**kwargs)
    survey.sections = _sections()
    db.session.add(survey)
    db.session.flush()
    survey.questions = _questions(*survey.sections)
    db.session.flush()
    obstacles = next(q for q in survey.questions if q.key == "obstacles")
    survey.questions.append(_detail(survey.sections[0], obstacles))
    for code in departments:
        dept = db.session.scalar(select(Department).where(Department.code == code))
        survey.audience.append(SurveyAudience(department_id=dept.id, include_subtree=True))
    for role in roles:
        survey.audience.append(SurveyAudience(role=role))
    db.session.commit()
    db.session.expire(survey, ["questions"])
    return survey


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def person(login: str) -> User:
    return db.session.scalar(select(User).where(User.login == login))


def release_all(survey: Survey) -> int:
    """Release every anonymous response of ``survey`` still in the pool, whatever their number
    (as closing does), and commit; return how many."""
    from surveys.release import release

    released = release(survey, closing=True)
    db.session.commit()
    return released
