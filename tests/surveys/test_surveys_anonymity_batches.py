"""Anonymity against comparison (issue 13): two views of results, exports, API and
response rates taken before and after one more colleague answers are the same; they move
only by whole released batches of at least k, and closing releases what is left."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from surveys import building
from surveys.jobs import release_due
from surveys.models import Survey, SurveyPoolEntry, SurveyResponse
from surveys.release import release
from tests.office import login
from tests.surveys.surveys_anonymity_data import SECRET_WISH, answer_as
from tests.surveys.surveys_answer_data import count, full_survey, person
from workhub.auth.services import create_token
from workhub.extensions import db

pytestmark = pytest.mark.usefixtures("english", "fast_hashing")


def _canonical(value):
    """Lists in a fixed order (free texts and shuffled columns come in random order)."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((_canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def _columns(csv_bytes: bytes) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"))))
    return [sorted(column) for column in zip(*rows, strict=True)] if rows else []


def views(client, hr_token: str, survey_id: int) -> dict:
    """What HR can see of a survey: the API results, both exports and the response rates."""
    api = client.get(f"/api/v1/surveys/{survey_id}/results",
                     headers={"Authorization": f"Bearer {hr_token}"})
    assert api.status_code == 200
    body = api.json
    body.pop("pending", None)  # how many wait: counts people, not answers (see below)
    results_csv = client.get(f"/surveys/{survey_id}/results/export.csv")
    responses_csv = client.get(f"/surveys/{survey_id}/responses/export.csv")
    page = client.get(f"/surveys/{survey_id}/results").get_data(as_text=True)
    rates = re.search(r'<table[^>]*id="rates".*?</table>', page, re.S).group(0)
    respondents = re.search(r'id="respondents">(.*?)</dd>', page, re.S).group(1)
    return {
        "api": _canonical(body),
        "results_csv": sorted(results_csv.get_data(as_text=True).splitlines()),
        "responses_csv": (responses_csv.status_code, _columns(responses_csv.data)
                          if responses_csv.status_code == 200 else None),
        "rates": rates, "respondents": respondents,
    }


def test_the_differencing_attack_learns_nothing_between_batches(app, client, respondents):
    """Export at n responses, let one colleague answer, export again: nothing changed. The
    views move only when a batch of at least k is released."""
    with app.app_context():
        survey_id = full_survey(min_group_size=3).id
        _row, hr_token = create_token(person("hr"), "results")
        db.session.commit()
        for number in range(3):
            answer_as(survey_id, f"p{number}", f"要望 {number}", number)
        assert release(db.session.get(Survey, survey_id)) == 3
        db.session.commit()
    login(client, "hr")
    first = views(client, hr_token, survey_id)
    assert first["respondents"].strip() == "3"

    with app.app_context():
        answer_as(survey_id, "p3", SECRET_WISH, 10)  # the colleague
        assert release(db.session.get(Survey, survey_id)) == 0  # 1 waiting < k
        db.session.commit()
    second = views(client, hr_token, survey_id)
    assert second == first
    assert SECRET_WISH not in json.dumps(second, ensure_ascii=False)
    page = client.get(f"/surveys/{survey_id}/results").get_data(as_text=True)
    assert 'id="snapshot-note"' in page and "1 more response is waiting" in page
    api = client.get(f"/api/v1/surveys/{survey_id}/results",
                     headers={"Authorization": f"Bearer {hr_token}"})
    assert api.json["pending"] == 1

    with app.app_context():
        answer_as(survey_id, "p4", "要望 4", 4)
        assert release(db.session.get(Survey, survey_id)) == 0  # 2 waiting
        db.session.commit()
    assert views(client, hr_token, survey_id) == first
    with app.app_context():
        answer_as(survey_id, "p5", "要望 5", 5)
        assert release(db.session.get(Survey, survey_id)) == 3  # a batch of k
        db.session.commit()
    third = views(client, hr_token, survey_id)
    assert third["respondents"].strip() == "6" and third["rates"] != first["rates"]
    # The colleague's answer is in, among k new ones: nothing says which is theirs.
    assert third["api"] != first["api"]


def test_closing_releases_what_is_left(app, respondents):

    with app.app_context():
        survey = full_survey(min_group_size=3)
        answer_as(survey.id, "p0", "要望", 1)
        assert release(survey) == 0
        building.close(survey, person("hr"))
        db.session.commit()
        assert (count(SurveyPoolEntry), count(SurveyResponse)) == (0, 1)


def test_the_release_job_releases_due_pools_only(app, respondents, time_machine):


    with app.app_context():
        due = full_survey(min_group_size=3)
        waiting = full_survey(min_group_size=5)
        ended = full_survey(min_group_size=5)
        for number in range(3):
            for survey in (due, waiting):
                answer_as(survey.id, f"p{number}", "要望", number)
        answer_as(ended.id, "p0", "要望", 0)
        time_machine.move_to(ended.closes_at + timedelta(minutes=1), tick=False)
        ended_id = ended.id
        db.session.get(Survey, due.id).closes_at = ended.closes_at + timedelta(days=3)
        db.session.get(Survey, waiting.id).closes_at = ended.closes_at + timedelta(days=3)
        db.session.commit()
        assert release_due() == {"surveys": 2, "released": 4}
        left = db.session.scalars(select(SurveyPoolEntry.survey_id)).all()
        assert left == [waiting.id] * 3 and ended_id not in left
        assert release_due() == {"surveys": 0, "released": 0}


