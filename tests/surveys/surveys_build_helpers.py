"""A small organisation and survey drafts for the builder tests, made straight through the
services in the test's own session."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from surveys import building as b
from surveys import questions as qs
from surveys.models import Survey, SurveyAnswer, SurveyResponse
from tests.office import csrf_token
from workhub.extensions import db
from workhub.org.services import create_department, create_user

NOW = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)


def make_env(time_machine) -> SimpleNamespace:
    """SOUMU > JINJI; an HR person and an employee of JINJI; the clock at NOW (call inside
    an app context)."""
    time_machine.move_to(NOW, tick=False)
    create_department("SOUMU", "総務部")
    create_department("JINJI", "人事課", parent_code="SOUMU")
    hr = create_user("hr", display_name="hr", roles=("hr",), password_hash="!x")
    emp = create_user("emp", display_name="emp", roles=("employee",), department_code="JINJI",
                      password_hash="!x")
    return SimpleNamespace(hr=hr, emp=emp)


def survey(env, **fields) -> Survey:
    """A new draft titled 働き方調査."""
    return b.create_survey(env.hr, **{"title_ja": "働き方調査", **fields})


def ready(env, **fields) -> Survey:
    """A draft with a choice question, a dependent text question and a number question."""
    s = survey(env, closes_at=NOW + timedelta(days=7), **fields)
    qs.add_question(s, type="single", text_ja="テレワーク", key="tw", options=["はい", "いいえ"])
    qs.add_question(s, type="text", text_ja="理由", key="why", show_if_question="tw",
                    show_if_option_key="o1")
    qs.add_question(s, type="number", text_ja="日数", key="days", min_value=0, max_value=20)
    db.session.commit()  # a refused change is rolled back to here, as the views do
    return s


def answer(survey, question, **values) -> None:
    """Store one anonymous response with one answer to ``question``."""
    response = SurveyResponse(id=str(uuid.uuid4()), survey_id=survey.id)
    db.session.add(response)
    db.session.flush()
    db.session.add(SurveyAnswer(response_id=response.id, question_id=question.id, **values))
    db.session.flush()


def post(client, url: str, data: dict | None = None):
    """POST a builder form with a valid CSRF token (the signed-in client's)."""
    token = csrf_token(client, "/surveys/build/new")
    return client.post(url, data={**(data or {}), "csrf_token": token})
