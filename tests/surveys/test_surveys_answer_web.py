"""The answering pages: My surveys, the answer form (drafts, submit, errors, edits), the
thank-you page and one's own identified answers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from surveys.models import SurveyDraft, SurveyPoolEntry, SurveyResponse
from tests.dbstate import snapshot
from tests.office import csrf_token, login
from tests.surveys.surveys_answer_data import count, full_survey, person
from workhub.extensions import db
from workhub.org.models import Department

pytestmark = pytest.mark.usefixtures("english", "fast_hashing")

FORM_GOOD = {
    "q-satisfaction": "4", "q-place": "home", "q-obstacles": ["network", "devices"],
    "q-network_detail": "VPN が遅い", "q-recommend": "8", "q-days": "2",
    "q-since": "2025-04-01", "q-wishes": "週 3 日の在宅勤務\r\nを希望します", "q-name": "テスト",
    "q-tools-chat": "5", "q-tools-video": "3",
}


@dataclass(frozen=True)
class Made:
    id: int
    closes_at: datetime


@pytest.fixture
def make_survey(app):
    """Build a survey (see surveys_answer_data.full_survey) in its own app context: the
    client's requests must not share the test's context (g, the session)."""

    def make(**kwargs) -> Made:
        with app.app_context():
            survey = full_survey(**kwargs)
            return Made(survey.id, survey.closes_at)

    return make


@pytest.fixture
def emp(client, make_department, make_user):
    make_department("IT", "情報政策課")
    make_department("FIN", "財政課")
    info = make_user("emp", department="IT")
    make_user("fin", department="FIN")
    login(client, info)
    return info


def counts(app, *models) -> list[int]:
    with app.app_context():
        return [count(model) for model in models]


def post(client, survey, data: dict, action: str = "submit"):
    return client.post(f"/surveys/{survey.id}/answer",
                       data={**data, "action": action, "csrf_token": csrf_token(client,
                                                                                "/surveys/my")})


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_the_answer_page_is_an_accessible_form(make_survey, client, emp):
    survey = make_survey()
    html = page(client, f"/surveys/{survey.id}/answer")
    assert "This survey is anonymous" in html
    # Every control has a label, every group of choices a fieldset with a legend.
    ids = re.findall(r'<(?:input|textarea)[^>]* id="([^"]+)"', html)
    assert len(ids) == 5 + 2 + 3 + 1 + 11 + 1 + 1 + 1 + 1 + 10  # per question, in order
    for control in ids:
        assert f'for="{control}"' in html, control
    assert html.count("<fieldset") == 5 and html.count("<legend") == 5
    assert '<th scope="row" id="q-tools-chat-label">Chat</th>' in html
    assert 'for="q-tools-chat-5">Chat: 5 Strongly agree</label>' in html
    assert "table-responsive" in html and "<caption" in html
    assert html.count(">Required</span>") == 3
    assert 'aria-describedby="q-satisfaction-help"' in html
    assert 'data-show-if="obstacles" data-show-if-option="network"' in html
    assert "Answer this if you chose “Network” in “Obstacles”." in html
    assert 'maxlength="20"' in html and 'maxlength="4000"' in html
    assert html.index('value="draft"') < html.index('value="submit"')
    assert "js/survey-conditions.js" in html and "<script>" not in html


def test_a_draft_is_saved_and_resumed(make_survey, client, emp):
    survey = make_survey()
    response = post(client, survey, {"q-days": "3", "q-place": "office",
                                     "q-tools-video": "2"}, "draft")
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/surveys/{survey.id}/answer")
    html = page(client, f"/surveys/{survey.id}/answer")
    assert "Your draft is saved" in html and "Your saved draft is filled in below." in html
    assert re.search(r'id="q-place-office" name="q-place" value="office" checked', html)
    assert re.search(r'id="q-tools-video-2" name="q-tools-video" value="2" checked', html)
    assert 'name="q-days" value="3"' in html
    assert "Draft saved" in page(client, "/surveys/my")


def test_wrong_answers_come_back_with_a_summary_and_nothing_is_written(make_survey, app,
                                                                       client, emp):
    survey = make_survey()
    before = snapshot(app)
    response = post(client, survey, {"q-satisfaction": "9", "q-days": "<script>x</script>",
                                     "q-name": "<b>me</b>", "q-obstacles": "network"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There are 4 problems with your answers:" in html
    assert 'href="#q-satisfaction-1"' in html and 'href="#q-place-home"' in html
    assert 'href="#q-days"' in html and 'href="#q-network_detail"' in html
    assert 'id="q-days-error"' in html and 'aria-invalid="true"' in html
    assert "<script>x</script>" not in html and "&lt;b&gt;me&lt;/b&gt;" in html  # kept, escaped
    assert re.search(r'value="network" checked', html)
    assert snapshot(app) == before


def test_submitting_leads_to_the_thank_you_page_once(make_survey, app, client, emp):
    survey = make_survey()
    post(client, survey, {"q-days": "1"}, "draft")
    response = post(client, survey, FORM_GOOD)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/surveys/{survey.id}/thanks")
    html = page(client, f"/surveys/{survey.id}/thanks")
    assert "What is not stored" in html and "cannot view or change your answers" in html
    assert "View my answers" not in html
    assert counts(app, SurveyPoolEntry, SurveyDraft) == [1, 0]  # waiting for its batch
    # Again: refused plainly, nothing written; the form itself now leads to the thanks page.
    before = snapshot(app)
    again = post(client, survey, FORM_GOOD)
    assert again.status_code == 409
    assert "You have already answered this survey." in again.get_data(as_text=True)
    assert snapshot(app) == before
    assert client.get(f"/surveys/{survey.id}/answer").status_code == 302
    assert client.get(f"/surveys/{survey.id}/my-answers").status_code == 404
    assert "Answered" in page(client, "/surveys/my")


def test_identified_answers_can_be_viewed_and_changed(make_survey, app, client, emp):
    survey = make_survey(anonymous=False)
    assert post(client, survey, FORM_GOOD).status_code == 303
    html = page(client, f"/surveys/{survey.id}/thanks")
    assert "stored with your name" in html and "View my answers" in html
    mine = page(client, f"/surveys/{survey.id}/my-answers")
    assert "4 — Agree" in mine and "Network, Devices" in mine and "Chat: 5 — Strongly agree" in mine
    form = page(client, f"/surveys/{survey.id}/answer")
    assert "Save changes" in form and re.search(r'value="devices" checked', form)
    changed = post(client, survey, {**FORM_GOOD, "q-satisfaction": "2"})
    assert changed.status_code == 303 and changed.headers["Location"].endswith("/my-answers")
    assert "2 — Disagree" in page(client, f"/surveys/{survey.id}/my-answers")
    refused = post(client, survey, FORM_GOOD, "draft")
    assert refused.status_code == 400 and "Save changes" in refused.get_data(as_text=True)
    assert counts(app, SurveyResponse, SurveyDraft) == [1, 0]


def test_closed_identified_answers_stay_readable(make_survey, client, emp, time_machine):
    survey = make_survey(anonymous=False, closes_at=datetime.now(UTC) + timedelta(hours=1))
    post(client, survey, FORM_GOOD)
    time_machine.move_to(survey.closes_at + timedelta(minutes=1), tick=False)
    mine = page(client, "/surveys/my")
    assert 'id="surveys-past"' in mine and f"/surveys/{survey.id}/my-answers" in mine
    answers = page(client, f"/surveys/{survey.id}/my-answers")
    assert "Change my answers" not in answers
    closed = client.get(f"/surveys/{survey.id}/answer")
    assert closed.status_code == 302  # answered: to the thank-you page
    assert "You can change" not in page(client, f"/surveys/{survey.id}/thanks")


def test_my_surveys_lists_what_asks_me(make_survey, client, emp):
    now = datetime.now(UTC)
    open_ = make_survey(title="開いている")
    upcoming = make_survey(title="これから", opens_at=now + timedelta(days=2),
                           closes_at=now + timedelta(days=9))
    make_survey(title="下書き", status="draft")
    make_survey(title="財政課だけ", audience_all=False, departments=["FIN"])
    make_survey(title="終わった", status="closed")
    html = page(client, "/surveys/my")
    assert "開いている" in html and "これから" in html and "Not open yet" in html
    assert "下書き" not in html and "財政課だけ" not in html and "終わった" not in html
    assert f"/surveys/{open_.id}/answer" in html and f"/surveys/{upcoming.id}/answer" not in html
    assert "Surveys you answered" not in html


@pytest.mark.parametrize("change,status,text", [
    ({"status": "closed"}, 409, "This survey is closed"),
    ({"opens_at": 2}, 409, "This survey opens on"),
    ({"status": "draft"}, 404, None),
    ({"audience_all": False}, 403, None),
])
def test_refused_pages(make_survey, app, client, emp, change, status, text):
    survey = make_survey(audience_all=change.get("audience_all", True),
                         departments=["FIN"] if "audience_all" in change else (),
                         status=change.get("status", "published"),
                         **({"opens_at": datetime.now(UTC) + timedelta(days=2)}
                            if "opens_at" in change else {}))
    response = client.get(f"/surveys/{survey.id}/answer")
    assert response.status_code == status
    if text:
        assert text in response.get_data(as_text=True)
    before = snapshot(app)
    token = csrf_token(client, "/surveys/my")
    for action in ("submit", "draft"):
        response = client.post(f"/surveys/{survey.id}/answer",
                               data={**FORM_GOOD, "action": action, "csrf_token": token})
        assert response.status_code == status
    assert snapshot(app) == before


def test_unknown_surveys_are_not_found(client, emp):
    for path in ("/surveys/999999/answer", "/surveys/999999/thanks",
                 "/surveys/999999/my-answers", "/surveys/99999999999/answer"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("data,status,text", [
    ({"action": "publish"}, 400, "Choose “Save draft” or “Submit answers”."),
    ({}, 400, "Choose “Save draft” or “Submit answers”."),
    ({"action": "submit", "q-wishes": "あ" * 5000}, 400, "at most 4000 characters"),
    ({"action": "submit", "q-place": "garden", "q-evil": "1"}, 400, "choose one of the options"),
    ({"action": "submit", "q-tools-chat": "7"}, 400, "from 1 to 5"),
])
def test_hostile_posts_are_refused(make_survey, app, client, emp, data, status, text):
    survey = make_survey()
    before = snapshot(app)
    token = csrf_token(client, f"/surveys/{survey.id}/answer")
    response = client.post(f"/surveys/{survey.id}/answer",
                           data={"q-satisfaction": "3", "q-place": "home", **data,
                                 "csrf_token": token})
    assert response.status_code == status
    assert text in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_no_csrf_token_no_answer(make_survey, app, client, emp):
    survey = make_survey()
    before = snapshot(app)
    response = client.post(f"/surveys/{survey.id}/answer", data={**FORM_GOOD,
                                                                 "action": "submit"})
    assert response.status_code == 400
    assert snapshot(app) == before


def test_thanks_before_answering_goes_to_the_form(make_survey, client, emp):
    survey = make_survey()
    response = client.get(f"/surveys/{survey.id}/thanks")
    assert response.status_code == 302 and response.headers["Location"].endswith("/answer")


def test_someone_who_left_the_audience_still_reads_their_answers(make_survey, app, client,
                                                                  emp):
    survey = make_survey(anonymous=False, audience_all=False, departments=["IT"])
    assert post(client, survey, FORM_GOOD).status_code == 303
    with app.app_context():
        me = person("emp")
        me.department = db.session.scalar(select(Department).where(Department.code == "FIN"))
        db.session.commit()
    login(client, "emp")  # a change of department ends the sign-in (issue 14)
    assert client.get(f"/surveys/{survey.id}/my-answers").status_code == 200
    assert client.get(f"/surveys/{survey.id}/thanks").status_code == 200
    assert client.get(f"/surveys/{survey.id}/answer").status_code == 403
