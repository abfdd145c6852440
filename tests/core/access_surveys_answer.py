"""Access-matrix entries for the surveys package (answer): see tests/core/test_access_matrix.py.

``ROUTES`` maps (method, rule) to a ``Call``; ``build`` creates the objects the URL
parameters point at and returns them as ``World.extra`` (use ``lambda w: w.extra["key"]``).
``me`` is the signed-in user (None when anonymous), ``other`` a colleague in the same
section, ``ids`` department codes → ids. Called inside an app context; commit at the end.

Who gets what: everyone signed in answers a survey asked of everyone (save a draft, submit),
and reads the thank-you page, their draft and their own answers to an identified survey
they answered.
"""

from __future__ import annotations

from tests.core.access_common import Call, extra
from tests.surveys.surveys_answer_data import GOOD, full_survey
from workhub.extensions import db
from workhub.org.models import User

ROUTES: dict[tuple[str, str], Call] = {
    ("GET", "/surveys/my"): Call(),
    ("GET", "/surveys/<int:survey_id>/answer"): Call(params={"survey_id": extra("open_survey")}),
    ("POST", "/surveys/<int:survey_id>/answer"): Call(
        params={"survey_id": extra("open_survey")}, data={"action": "draft", "q-days": "2"},
        ok=303),
    ("GET", "/surveys/<int:survey_id>/thanks"): Call(params={"survey_id": extra("answered")}),
    ("GET", "/surveys/<int:survey_id>/my-answers"): Call(params={"survey_id": extra("answered")}),
    # JSON API: the matrix's form-encoded bodies are refused as bad input (400) once the
    # caller is let in; the JSON answers are tested in test_surveys_answer_api.py.
    ("POST", "/api/v1/surveys/<int:survey_id>/responses"): Call(
        params={"survey_id": extra("open_survey")}, ok=400),
    ("GET", "/api/v1/surveys/<int:survey_id>/draft"): Call(params={"survey_id": extra("drafted")}),
    ("PUT", "/api/v1/surveys/<int:survey_id>/draft"): Call(
        params={"survey_id": extra("open_survey")}, ok=400),
    ("GET", "/api/v1/surveys/<int:survey_id>/my-response"): Call(
        params={"survey_id": extra("answered")}),
    ("PUT", "/api/v1/surveys/<int:survey_id>/my-response"): Call(
        params={"survey_id": extra("answered")}, ok=400),
}


def build(app, me, other, ids) -> dict:
    from surveys.answering import submit
    from surveys.drafts import save_draft

    open_survey = full_survey(title="マトリクス調査")
    answered = full_survey(title="回答済み調査", anonymous=False)
    drafted = full_survey(title="下書きあり", anonymous=False)  # anonymous drafts need their key
    if me is not None:
        user = db.session.get(User, me.id)
        submit(answered, user, GOOD)
        save_draft(drafted, user, {"days": 1})
    db.session.commit()
    return {"open_survey": open_survey.id, "answered": answered.id, "drafted": drafted.id}
