"""The answering API: responses, drafts and one's own identified answers, with wrong,
missing, oversized and hostile input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from surveys.layout import LARGEST_ANSWER_BYTES
from surveys.models import SurveyDraft, SurveyParticipation, SurveyPoolEntry, SurveyResponse
from tests.dbstate import snapshot
from tests.surveys.surveys_answer_data import GOOD, count, full_survey, person
from workhub.auth.services import create_token
from workhub.extensions import db

pytestmark = pytest.mark.usefixtures("english", "fast_hashing")


@pytest.fixture
def api(app, client, make_department, make_user):
    """Call the API as a person: ``api(method, path, body, who="emp")``."""
    make_department("IT", "情報政策課")
    make_department("FIN", "財政課")
    secrets = {}
    for login, dept in (("emp", "IT"), ("fin", "FIN")):
        make_user(login, department=dept)
        with app.app_context():
            _row, secrets[login] = create_token(person(login), "test")
            db.session.commit()

    def call(method: str, path: str, body=None, who: str = "emp", raw: bytes | None = None,
             content_type: str = "application/json", headers: dict | None = None):
        data = raw if raw is not None else (None if body is None else json.dumps(body))
        return client.open(path, method=method, data=data, content_type=content_type,
                           headers={"Authorization": f"Bearer {secrets[who]}",
                                    **(headers or {})})

    return call


@pytest.fixture
def make_survey(app):
    def make(**kwargs) -> int:
        with app.app_context():
            return full_survey(**kwargs).id

    return make


def counts(app) -> tuple[int, int, int]:
    """(participations, responses stored — released or waiting in the pool —, drafts)."""
    with app.app_context():
        return (count(SurveyParticipation), count(SurveyResponse) + count(SurveyPoolEntry),
                count(SurveyDraft))


def state(app) -> dict:
    """Every table but the tokens (whose last use each call records)."""
    rows = snapshot(app)
    rows.pop("api_tokens")
    return rows


def error(response) -> dict:
    return response.json["error"]


def test_a_response_is_recorded_once_and_no_id_comes_back(app, api, make_survey):
    survey = make_survey()
    first = api("POST", f"/api/v1/surveys/{survey}/responses", {"answers": GOOD})
    assert first.status_code == 201
    assert first.json == {"status": "submitted"}
    assert counts(app) == (1, 1, 0)
    before = state(app)
    second = api("POST", f"/api/v1/surveys/{survey}/responses", {"answers": GOOD})
    assert second.status_code == 409
    assert error(second) == {"code": "already_answered",
                             "message": "You have already answered this survey."}
    assert state(app) == before


def test_wrong_answers_list_every_problem(app, api, make_survey):
    survey = make_survey()
    before = state(app)
    response = api("POST", f"/api/v1/surveys/{survey}/responses",
                   {"answers": {"satisfaction": 6, "obstacles": ["network", "network"],
                                "nope": 1, "days": "lots"}})
    assert response.status_code == 422
    body = error(response)
    assert body["code"] == "invalid_answers" and body["field"] == "nope"
    assert [d["field"] for d in body["details"]] == [
        "nope", "satisfaction", "place", "obstacles", "days"]
    assert all(d["message"] in body["message"] for d in body["details"])
    assert state(app) == before


@pytest.mark.parametrize("kwargs,who,status,code", [
    ({}, "fin", 201, None),
    ({"audience_all": False, "departments": ["IT"]}, "fin", 403, "forbidden"),
    ({"status": "draft"}, "emp", 404, "not_found"),
    ({"status": "closed"}, "emp", 409, "survey_closed"),
    ({"closes_at": -1}, "emp", 409, "survey_closed"),
    ({"opens_at": 1}, "emp", 409, "survey_not_open"),
])
def test_who_and_when(app, api, make_survey, kwargs, who, status, code):
    now = datetime.now(UTC)
    if "closes_at" in kwargs:
        kwargs = {"opens_at": now - timedelta(days=2), "closes_at": now - timedelta(hours=1)}
    elif "opens_at" in kwargs:
        kwargs = {"opens_at": now + timedelta(hours=1), "closes_at": now + timedelta(days=2)}
    survey = make_survey(**kwargs)
    before = state(app)
    for method, path in (("POST", "responses"), ("PUT", "draft")):
        response = api(method, f"/api/v1/surveys/{survey}/{path}", {"answers": GOOD}, who=who)
        if method == "PUT" and status == 201:
            assert response.status_code == 409  # already answered just before
            continue
        assert response.status_code == status, response.json
        if code:
            assert error(response)["code"] == code
    if status != 201:
        assert state(app) == before


@pytest.mark.parametrize("raw,content_type,status,code", [
    (b"{not json", "application/json", 400, "invalid_json"),
    (b"[1, 2]", "application/json", 400, "invalid_json"),
    (b'"answers"', "application/json", 400, "invalid_json"),
    (b'{"answers": {}, "user_id": 1}', "application/json", 400, "unknown_field"),
    (b'{"answer": {}}', "application/json", 400, "unknown_field"),
    (b"{}", "application/json", 400, "missing_field"),
    (b'{"answers": [1]}', "application/json", 422, "invalid_answers"),
    (b'{"answers": null}', "application/json", 422, "invalid_answers"),
    # NUL anywhere in a body is refused before it is read (PostgreSQL cannot store it) ...
    (b'{"answers": {"satisfaction": 3, "place": "home", "name": "\\u0000\\ud800"}}',
     "application/json", 400, "invalid_json"),
    # ... a lone surrogate is cleaned out of the answer and the response kept.
    (b'{"answers": {"satisfaction": 3, "place": "home", "name": "a\\ud800"}}',
     "application/json", 201, None),
    (b"answers=1", "application/x-www-form-urlencoded", 400, "invalid_json"),
    # Larger than the largest answer any survey can have: refused before it is read.
    (b'{"answers": {"wishes": "' + b"a" * LARGEST_ANSWER_BYTES["json"] + b'"}}',
     "application/json", 413, None),
    # Over the 1 MB of other routes but within a survey's largest answer: read and judged.
    (b'{"answers": {"wishes": "' + b"a" * (2 * 1024 * 1024) + b'"}}', "application/json",
     422, "invalid_answers"),
])
def test_malformed_bodies(app, api, make_survey, raw, content_type, status, code):
    survey = make_survey()
    before = state(app)
    response = api("POST", f"/api/v1/surveys/{survey}/responses", raw=raw,
                   content_type=content_type)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if code:
        assert error(response)["code"] == code
    if status == 201:
        assert counts(app)[1] == 1
    else:
        assert state(app) == before


def test_unknown_surveys(api):
    for path in ("/api/v1/surveys/0/responses", "/api/v1/surveys/4242/responses"):
        assert api("POST", path, {"answers": GOOD}).status_code == 404
    assert api("GET", "/api/v1/surveys/4242/draft").status_code == 404
    assert api("GET", "/api/v1/surveys/4242/my-response").status_code == 404


def test_drafts_through_the_api(app, api, make_survey):
    survey = make_survey()
    path = f"/api/v1/surveys/{survey}/draft"
    missing = api("GET", path)
    assert missing.status_code == 404 and error(missing)["code"] == "no_draft"
    saved = api("PUT", path, {"answers": {"days": "3", "tools": {"chat": 2}}})
    assert saved.status_code == 200
    assert saved.json["answers"] == {"days": 3, "tools": {"chat": 2}}
    key = {"X-Draft-Key": saved.json["draft_key"]}  # an anonymous survey's draft is sealed
    assert api("GET", path, headers=key).json == saved.json
    bad = api("PUT", path, {"answers": {"days": 9}}, headers=key)
    assert bad.status_code == 422 and error(bad)["details"][0]["field"] == "days"
    assert api("GET", path, headers=key).json["answers"] == {"days": 3, "tools": {"chat": 2}}
    again = api("PUT", path, {"answers": {"days": 4}}, headers=key)
    assert again.json["draft_key"] == saved.json["draft_key"]  # the same key keeps sealing
    for wrong in ({}, {"X-Draft-Key": "x" * 44}, {"X-Draft-Key": "ä"},
                  {"X-Draft-Key": "QUJD" * 11}):
        sealed = api("GET", path, headers=wrong)
        assert sealed.status_code == 409 and error(sealed)["code"] == "draft_sealed"
    assert api("GET", path, who="fin").status_code == 404  # my draft is mine
    assert api("POST", f"/api/v1/surveys/{survey}/responses",
               {"answers": GOOD}).status_code == 201
    assert api("GET", path).status_code == 404
    assert api("PUT", path, {"answers": {"days": 1}}).status_code == 409
    assert counts(app) == (1, 1, 0)


def test_my_response_is_for_identified_surveys_only(app, api, make_survey):
    anonymous = make_survey()
    api("POST", f"/api/v1/surveys/{anonymous}/responses", {"answers": GOOD})
    hidden = api("GET", f"/api/v1/surveys/{anonymous}/my-response")
    assert hidden.status_code == 404 and error(hidden)["code"] == "anonymous"
    refused = api("PUT", f"/api/v1/surveys/{anonymous}/my-response", {"answers": GOOD})
    assert refused.status_code == 409 and error(refused)["code"] == "anonymous"

    named = make_survey(anonymous=False)
    path = f"/api/v1/surveys/{named}/my-response"
    early = api("GET", path)
    assert early.status_code == 404 and error(early)["code"] == "not_answered"
    api("POST", f"/api/v1/surveys/{named}/responses", {"answers": GOOD})
    mine = api("GET", path)
    assert mine.status_code == 200
    assert mine.json == {"answers": GOOD, "updated_at": None, "editable": True}
    changed = api("PUT", path, {"answers": {"satisfaction": 1, "place": "office"}})
    assert changed.status_code == 200
    assert changed.json["answers"] == {"satisfaction": 1, "place": "office"}
    assert changed.json["updated_at"] is not None
    bad = api("PUT", path, {"answers": {"satisfaction": 1}})
    assert bad.status_code == 422 and error(bad)["details"][0]["field"] == "place"
    assert api("GET", path, who="fin").status_code == 404


def test_the_documented_schemas_hold(app, api, make_survey):
    from openapi_schema_validator import OAS30Validator

    from workhub.api.openapi import build_openapi

    spec = build_openapi()

    def check(name: str, body: dict) -> None:
        OAS30Validator({"$ref": f"#/components/schemas/{name}",
                        "components": spec["components"]}).validate(body)

    survey = make_survey(anonymous=False)
    check("SurveyDraft", api("PUT", f"/api/v1/surveys/{survey}/draft",
                             {"answers": {"days": 1}}).json)
    check("SurveyAnswerError", api("POST", f"/api/v1/surveys/{survey}/responses",
                                   {"answers": {}}).json)
    check("SurveySubmitted", api("POST", f"/api/v1/surveys/{survey}/responses",
                                 {"answers": GOOD}).json)
    check("SurveyOwnResponse", api("GET", f"/api/v1/surveys/{survey}/my-response").json)
    check("Error", api("POST", f"/api/v1/surveys/{survey}/responses", {"answers": GOOD}).json)
