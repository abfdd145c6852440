"""Anonymity, tried as an adversary would (issue 13), on SQLite and PostgreSQL:

* **the walk**: after answering an anonymous survey (page and API, after a draft), no row of
  any table holds both the person and their answers, before and after the release;
* **differencing**: two views of results, exports, API and response rates taken before and
  after one more colleague answers are the same; they change only by whole batches of k;
* **the database's own bookkeeping**: PostgreSQL's ``xmin``/``ctid``, SQLite's row order,
  id order and time columns pair no participation with a response within a batch; the
  deleted pool entries are gone from the table's pages (PostgreSQL) or the file (SQLite);
* **drafts** of anonymous surveys are sealed: never next to a person in plain text;
* **the promise**: anonymity is fixed at publishing and a submit under another promise is
  refused.
"""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from sqlalchemy import func, select

from surveys import answering, drafts
from surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyDraft,
    SurveyParticipation,
    SurveyPoolEntry,
    SurveyResponse,
)
from tests.office import csrf_token, login
from tests.surveys.surveys_anonymity_data import (
    SECRET_NAME,
    SECRET_WISH,
    linked_rows,
    raw_database_holds,
)
from tests.surveys.surveys_answer_data import GOOD, count, full_survey, person, release_all
from workhub.auth.services import create_token
from workhub.extensions import db

pytestmark = pytest.mark.usefixtures("english", "fast_hashing")





def answer_by_page(client, survey_id: int) -> None:
    token = csrf_token(client, f"/surveys/{survey_id}/answer")
    form = {"q-satisfaction": "2", "q-place": "home", "q-obstacles": "network",
            "q-network_detail": SECRET_NAME, "q-wishes": SECRET_WISH, "csrf_token": token,
            "promise": "anonymous"}
    assert client.post(f"/surveys/{survey_id}/answer",
                       data={**form, "action": "draft"}).status_code == 303
    assert client.post(f"/surveys/{survey_id}/answer",
                       data={**form, "action": "submit"}).status_code == 303


def test_no_row_links_a_person_to_their_anonymous_answers(app, client, respondents, caplog):
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        survey_id = full_survey().id
        _row, secret = create_token(person("mate"), "api")
        db.session.commit()
    login(client, "emp")
    answer_by_page(client, survey_id)
    api = app.test_client()
    mate_answers = {**GOOD, "wishes": SECRET_WISH + " B"}
    assert api.post(f"/api/v1/surveys/{survey_id}/responses", json={"answers": mate_answers},
                    headers={"Authorization": f"Bearer {secret}"}).status_code == 201

    with app.app_context():
        pool = db.session.scalars(select(SurveyPoolEntry)).all()
        assert len(pool) == 2 and count(SurveyResponse) == 0  # waiting for a batch of k
        markers = {e.id for e in pool} | {SECRET_WISH, SECRET_NAME}
        for login_name in ("emp", "mate"):
            assert linked_rows(person(login_name), markers) == []
        assert release_all(db.session.get(Survey, survey_id)) == 2
        responses = db.session.scalars(select(SurveyResponse)).all()
        assert len(responses) == 2 and count(SurveyPoolEntry) == 0
        markers |= {r.id for r in responses}
        for login_name in ("emp", "mate"):
            assert linked_rows(person(login_name), markers) == []
        for response in responses:
            assert response.user_id is None and response.department_id is None
            assert response.updated_at is None
            assert uuid.UUID(response.id).version == 4
        participation = db.session.scalars(select(SurveyParticipation)).all()
        assert {p.user_id for p in participation} == {person("emp").id, person("mate").id}
        assert all(p.submitted_on is None and p.released for p in participation)
        log_text = "\n".join(r.getMessage() for r in caplog.records)
        assert "a response was submitted to survey" in log_text
        for marker in markers:
            assert marker not in log_text
        assert all(r.args in ((), None) or r.args == (survey_id,) for r in caplog.records
                   if "response was submitted" in r.msg)


def test_the_walk_does_find_a_link_when_there_is_one(app, respondents):
    """The check above can fail: an identified survey links person and answers, and so does
    the unsealed draft of an identified survey."""
    with app.app_context():
        survey = full_survey(anonymous=False)
        emp = person("emp")
        answering.submit(survey, emp, {**GOOD, "wishes": SECRET_WISH})
        db.session.commit()
        response = db.session.scalar(select(SurveyResponse))
        assert ("survey_responses", ) == tuple({t for t, _row in
                                                 linked_rows(emp, {response.id})})
        drafts.save_draft(full_survey(anonymous=False), person("mate"),
                             {"wishes": SECRET_WISH})
        assert "survey_drafts" in {t for t, _row in linked_rows(person("mate"), {SECRET_WISH})}


def test_an_anonymous_draft_is_sealed_next_to_the_person(app, client, respondents):
    """A draft of an anonymous survey sits next to its author, but only as ciphertext whose
    key the browser keeps: the walk finds no answer, and neither does a look at the file."""
    with app.app_context():
        survey_id = full_survey().id
    login(client, "emp")
    token = csrf_token(client, f"/surveys/{survey_id}/answer")
    marker = "下書きの秘密 a41c"
    response = client.post(f"/surveys/{survey_id}/answer", data={
        "q-wishes": marker, "csrf_token": token, "action": "draft", "promise": "anonymous"})
    assert response.status_code == 303
    cookie = client.get_cookie(f"workhub_draft_{survey_id}", path=f"/surveys/{survey_id}/")
    assert cookie is not None and cookie.http_only and len(cookie.value) == 44
    assert marker in client.get(f"/surveys/{survey_id}/answer").get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(select(SurveyDraft))
        assert row.sealed and marker not in row.answers_json
        assert cookie.value not in json.dumps([str(v) for v in row.__dict__.values()])
        assert linked_rows(person("emp"), {marker, "wishes"}) == []
        assert raw_database_holds(marker) is False
    # Another browser of the same person sees that a draft exists, not what it says.
    other = app.test_client()
    login(other, "emp")
    html = other.get(f"/surveys/{survey_id}/answer").get_data(as_text=True)
    assert 'id="draft-sealed"' in html and marker not in html
    # Submitting forgets the key in the browser.
    token = csrf_token(client, f"/surveys/{survey_id}/answer")
    form = {"q-satisfaction": "2", "q-place": "home", "csrf_token": token, "action": "submit"}
    assert client.post(f"/surveys/{survey_id}/answer", data=form).status_code == 303
    assert client.get_cookie(f"workhub_draft_{survey_id}",
                             path=f"/surveys/{survey_id}/") is None


# --- the promise ----------------------------------------------------------------------------


def test_anonymity_is_fixed_at_publishing_and_the_promise_is_checked(app, client, respondents):
    from surveys import building
    from workhub.errors import Conflict

    with app.app_context():
        survey = full_survey()
        survey_id = survey.id
        with pytest.raises(Conflict) as err:
            building.update_survey(survey, person("hr"), anonymous=False)
        assert err.value.code == "anonymity_locked"
        db.session.rollback()
    login(client, "emp")
    token = csrf_token(client, f"/surveys/{survey_id}/answer")
    page = client.get(f"/surveys/{survey_id}/answer").get_data(as_text=True)
    assert 'name="promise" value="anonymous"' in page
    # A page that promised identified answers (opened before a change that cannot happen
    # any more, or forged) is refused and nothing is written.
    form = {"q-satisfaction": "2", "q-place": "home", "csrf_token": token,
            "promise": "identified"}
    for action in ("submit", "draft"):
        response = client.post(f"/surveys/{survey_id}/answer", data={**form, "action": action})
        assert response.status_code == 409
        assert "anonymity" in response.get_data(as_text=True)
    wrong = client.post(f"/surveys/{survey_id}/answer",
                        data={**form, "promise": "whatever", "action": "submit"})
    assert wrong.status_code == 400
    with app.app_context():
        assert (count(SurveyParticipation), count(SurveyPoolEntry), count(SurveyDraft)) == (
            0, 0, 0)
        _row, secret = create_token(person("mate"), "api")
        db.session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    refused = api.post(f"/api/v1/surveys/{survey_id}/responses",
                       json={"answers": GOOD, "promise": "identified"}, headers=headers)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "promise_changed"
    for bad in (1, ["anonymous"], "secret"):
        response = api.post(f"/api/v1/surveys/{survey_id}/responses",
                            json={"answers": GOOD, "promise": bad}, headers=headers)
        assert response.status_code == 400, bad
    assert api.post(f"/api/v1/surveys/{survey_id}/responses",
                    json={"answers": GOOD, "promise": "anonymous"},
                    headers=headers).status_code == 201


def test_the_audit_log_and_notifications_stay_silent(app, client, respondents):
    from workhub.auth.models import AuditEvent
    from workhub.jobs.models import Job
    from workhub.notify.models import Notification

    with app.app_context():
        survey_id = full_survey().id
        before = (db.session.query(AuditEvent).count(), db.session.query(Job).count(),
                  db.session.query(Notification).count())
    login(client, "emp")
    answer_by_page(client, survey_id)
    with app.app_context():
        release_all(db.session.get(Survey, survey_id))
        events = db.session.scalars(select(AuditEvent)).all()
        # Signing in is audited; answering is not.
        assert not [e for e in events if e.event.startswith("survey")
                    and "response" in json.dumps(e.detail)]
        assert (db.session.query(Job).count(), db.session.query(Notification).count()) == \
            before[1:]
        assert db.session.scalar(select(func.count()).select_from(SurveyAnswer)) > 0
