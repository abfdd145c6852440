"""One response per person when the same person submits several times at once: the
database's unique participation decides, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading

import pytest

from surveys import answering
from surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyParticipation,
    SurveyPoolEntry,
    SurveyResponse,
)
from tests.surveys.surveys_answer_data import GOOD, count, full_survey, person, release_all
from workhub.auth.services import create_token
from workhub.errors import Conflict
from workhub.extensions import db

pytestmark = pytest.mark.usefixtures("fast_hashing")

N = 6


def at_once(n: int, work) -> list[str]:
    """Run ``work()`` in ``n`` threads released together; their outcomes."""
    barrier = threading.Barrier(n)
    outcomes: list[str] = []

    def run():
        barrier.wait()
        try:
            outcomes.append(work())
        except Exception as exc:  # noqa: BLE001 - reported by the assertion
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def totals(app) -> tuple[int, int, int]:
    with app.app_context():
        return count(SurveyParticipation), count(SurveyResponse), count(SurveyAnswer)


@pytest.fixture
def emp(app, make_department, make_user):
    make_department("IT", "情報政策課")
    make_user("emp", department="IT")
    with app.app_context():
        _row, secret = create_token(person("emp"), "race")
        survey = full_survey()
        db.session.commit()
        return survey.id, secret


def test_concurrent_api_submits_give_one_201_and_409s(app, emp):
    survey_id, secret = emp

    def submit() -> str:
        client = app.test_client()
        response = client.post(f"/api/v1/surveys/{survey_id}/responses", json={"answers": GOOD},
                               headers={"Authorization": f"Bearer {secret}"})
        return str(response.status_code)

    assert at_once(N, submit) == ["201"] + ["409"] * (N - 1)
    with app.app_context():
        assert count(SurveyPoolEntry) == 1
        release_all(db.session.get(Survey, survey_id))
    assert totals(app) == (1, 1, 12)


def test_concurrent_service_submits_of_an_identified_survey(app, emp):
    with app.app_context():
        survey_id = full_survey(anonymous=False).id

    def submit() -> str:
        with app.app_context():
            try:
                survey = db.session.get(Survey, survey_id)
                answering.submit(survey, person("emp"), GOOD)
                db.session.commit()
                return "submitted"
            except Conflict as exc:
                db.session.rollback()
                return exc.code
            finally:
                db.session.remove()

    assert at_once(N, submit) == ["already_answered"] * (N - 1) + ["submitted"]
    assert totals(app) == (1, 1, 12)
