"""Access-matrix entries for the surveys package (results): see tests/core/test_access_matrix.py.

``ROUTES`` maps (method, rule) to a ``Call``; ``build`` creates the objects the URL
parameters point at and returns them as ``World.extra`` (use ``lambda w: w.extra["key"]``).
``me`` is the signed-in user (None when anonymous), ``other`` a colleague in the same
section, ``ids`` department codes → ids. Called inside an app context; commit at the end.

Results are HR's and the administrators' (``roles_required("hr", "admin")``). ``build``
makes a published anonymous survey (k = 3) with one single-choice question and three
responses stored as answering stores them, so that every page, chart and export has
something to show.
"""

from __future__ import annotations

import secrets
import uuid

from surveys.models import Survey, SurveyAnswer, SurveyOption, SurveyQuestion, SurveyResponse
from tests.core.access_common import Call
from workhub.extensions import db

SURVEY = {"survey_id": lambda w: w.extra["results_survey"]}

ROUTES: dict[tuple[str, str], Call] = {
    ("GET", "/surveys/<int:survey_id>/results"): Call(params=SURVEY),
    ("GET", "/surveys/<int:survey_id>/results/charts/<key>.svg"): Call(
        params={**SURVEY, "key": lambda w: "place"}),
    ("GET", "/surveys/<int:survey_id>/results/export.csv"): Call(params=SURVEY),
    ("GET", "/surveys/<int:survey_id>/results/export.xlsx"): Call(params=SURVEY),
    ("GET", "/surveys/<int:survey_id>/responses/export.csv"): Call(params=SURVEY),
    ("GET", "/surveys/<int:survey_id>/responses/export.xlsx"): Call(params=SURVEY),
    ("GET", "/api/v1/surveys/<int:survey_id>/results"): Call(params=SURVEY),
}


def build(app, me, other, ids) -> dict:
    survey = Survey(title_ja="行列結果", status="published", min_group_size=3)
    place = SurveyQuestion(key="place", type="single", text_ja="勤務場所", position=0,
                           options=[SurveyOption(key="home", label_ja="自宅", position=0),
                                    SurveyOption(key="office", label_ja="庁舎", position=1)])
    survey.questions = [place]
    db.session.add(survey)
    db.session.flush()
    for _ in range(3):
        db.session.add(SurveyResponse(
            id=str(uuid.uuid4()), survey_id=survey.id,
            answers=[SurveyAnswer(id=secrets.randbelow(2**31 - 2) + 1, question_id=place.id,
                                  option_id=place.options[0].id)]))
    db.session.commit()
    return {"results_survey": survey.id}
