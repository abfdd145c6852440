"""GET /api/v1/surveys/<id>/results: counts per question, every suppressed group or number
marked ``"suppressed": true`` with no count, percentage, n or mean; HR and administrators
only; bad cross-tabs and filters 400 naming the parameter; nothing that leads to a person."""

from __future__ import annotations

import pytest

from tests.surveys.surveys_results_data import add_many, make_survey
from workhub.auth.services import create_token
from workhub.extensions import db
from workhub.org.models import User

pytestmark = pytest.mark.usefixtures("fast_hashing")

K = 5
NUMBERS = {"count", "percent", "n", "mean", "median", "respondents"}


@pytest.fixture
def org(app, make_department):
    make_department("GEN", "総務局")
    make_department("FIN", "財政局")
    make_department("HEA", "健康福祉局")


@pytest.fixture
def bearer(app, make_user):
    def token(*roles: str) -> dict:
        info = make_user(roles=roles)
        with app.app_context():
            _row, secret = create_token(db.session.get(User, info.id), "test")
            db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return token


def seed(app, *, anonymous=True, k=K) -> int:
    with app.app_context():
        survey = make_survey(k=k, anonymous=anonymous)
        add_many(survey, 6, {"bureau": "a", "sat": 4, "days": 2, "wishes": "会議が多い"},
                 department="GEN")
        add_many(survey, 2, {"bureau": "b", "sat": 2, "days": 5, "wishes": "会議が多い"},
                 department="FIN")
        add_many(survey, 7, {"bureau": "c", "sat": 5, "days": 1,
                             "wishes": "自宅のネットワークが遅い"}, department="HEA")
        db.session.commit()
        return survey.id


def walk(node):
    """Every object in a JSON document."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def suppressed_objects_carry_no_numbers(body) -> int:
    hidden = [obj for obj in walk(body) if obj.get("suppressed") is True]
    for obj in hidden:
        assert not NUMBERS & set(obj), obj
    return len(hidden)


def get(client, survey_id, headers, **args):
    return client.get(f"/api/v1/surveys/{survey_id}/results", headers=headers,
                      query_string=args)


def question(body, key):
    return next(q for q in body["questions"] if q["key"] == key)


def test_counts_per_question_with_suppressed_ones_marked(app, client, bearer):
    survey_id = seed(app)
    response = get(client, survey_id, bearer("hr"))
    assert response.status_code == 200
    body = response.json
    assert body["suppressed"] is False and body["respondents"] == 15
    counts = {c["key"]: c for c in question(body, "bureau")["items"][0]["counts"]}
    assert counts["c"]["count"] == 7 and counts["c"]["percent"] == 46.7
    assert counts["b"] == {"key": "b", "label": "b（選択肢）", "suppressed": True}
    assert counts["a"]["suppressed"] is True  # the partner of b
    assert counts["none"]["count"] == 0
    days = question(body, "days")["items"][0]["stats"]
    assert days == {"mean": 1.93, "median": 2.0, "n": 15}
    assert suppressed_objects_carry_no_numbers(body) >= 2
    wishes = question(body, "wishes")["items"][0]
    assert wishes["texts"] == ["会議が多い"] * 8 + ["自宅のネットワークが遅い"] * 7
    assert {w["text"] for w in wishes["words"]} >= {"会議", "ネットワーク"}


def test_a_survey_below_k_is_suppressed_whole(app, client, bearer):
    with app.app_context():
        survey = make_survey(k=K)
        add_many(survey, K - 1, {"bureau": "a"})
        db.session.commit()
        survey_id = survey.id
    body = get(client, survey_id, bearer("admin")).json
    assert body["suppressed"] is True and body["questions"] == []
    assert "respondents" not in body


def test_by_department_marks_small_departments(app, client, bearer, org):
    survey_id = seed(app, anonymous=False)
    body = get(client, survey_id, bearer("hr"), by="department", level="1").json
    groups = {g["key"]: g for g in body["groups"]}
    assert groups["FIN"] == {"key": "FIN", "label": "財政局", "suppressed": True}
    assert groups["GEN"]["suppressed"] is True  # the partner: sizes add up to 15
    assert groups["HEA"]["respondents"] == 7
    rows = {r["group"]: r for r in question(body, "sat")["items"][0]["groups"]}
    assert rows["FIN"] == {"group": "FIN", "suppressed": True}
    assert body["level"] == 1
    assert suppressed_objects_carry_no_numbers(body) >= 3


def test_by_question_and_filter(app, client, bearer):
    survey_id = seed(app)
    headers = bearer("hr")
    body = get(client, survey_id, headers, by="question:bureau").json
    rows = {r["group"]: r for r in question(body, "days")["items"][0]["groups"]}
    assert rows["c"]["stats"]["mean"] == 1.0
    suppressed_objects_carry_no_numbers(body)
    small = get(client, survey_id, headers, filter="bureau:b").json
    assert small["filter_group"] == {"suppressed": True} and small["questions"] == []
    shown = get(client, survey_id, headers, filter="sat:5").json
    assert shown["filter_group"]["respondents"] == 7
    assert question(shown, "wishes")["items"][0]["texts"] == ["自宅のネットワークが遅い"] * 7


@pytest.mark.parametrize("args, code, field", [
    ({"by": "department"}, "invalid_by", "by"),  # anonymous survey
    ({"by": "question:nope"}, "invalid_by", "by"),
    ({"by": "question:obstacles"}, "invalid_by", "by"),
    ({"by": "question:bureau", "filter": "sat:4"}, "invalid_selection", "by"),
    ({"filter": "bureau:zzz"}, "invalid_filter", "filter"),
    ({"filter": "x" * 10000}, "invalid_filter", "filter"),
])
def test_bad_cross_tabs_and_filters_are_400(app, client, bearer, args, code, field):
    survey_id = seed(app)
    response = get(client, survey_id, bearer("hr"), **args)
    assert response.status_code == 400
    assert response.json["error"]["code"] == code
    assert response.json["error"]["field"] == field


def test_unknown_parameters_and_levels_are_400(app, client, bearer, org):
    survey_id = seed(app, anonymous=False)
    headers = bearer("hr")
    assert get(client, survey_id, headers, sort="x").json["error"]["code"] == (
        "unknown_parameter")
    response = get(client, survey_id, headers, by="department", level="7")
    assert response.status_code == 400 and response.json["error"]["field"] == "level"


def test_only_hr_and_administrators(app, client, bearer):
    survey_id = seed(app)
    for roles in (("employee",), ("employee", "manager"), ("it_admin",), ("secretary",)):
        response = get(client, survey_id, bearer(*roles))
        assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    assert get(client, survey_id, {}).status_code == 401
    headers = bearer("hr")
    assert get(client, 999999, headers).status_code == 404
    with app.app_context():
        draft_id = make_survey(status="draft").id
    response = get(client, draft_id, headers)
    assert response.status_code == 404 and response.json["error"]["code"] == "no_results"


def test_an_anonymous_survey_answers_nothing_that_leads_to_a_person(app, client, bearer,
                                                                    make_user):
    survey_id = seed(app)
    body = get(client, survey_id, bearer("hr")).json
    text = str(body)
    assert "2026-W" not in text and "GEN" not in text and "period" not in text
    with app.app_context():
        from surveys.models import SurveyResponse

        ids = db.session.scalars(db.select(SurveyResponse.id)).all()
    assert not any(rid in text for rid in ids)
