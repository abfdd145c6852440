"""Builder pages: list, new (blank, template), settings, audience, preview, publish, close,
copy, delete; wrong, missing, oversized and hostile input refused with nothing written."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from surveys import building as b
from surveys import questions as qs
from surveys.models import Survey, SurveyParticipation
from surveys.template import create_from_template
from tests.dbstate import snapshot
from tests.surveys.surveys_build_helpers import NOW, post
from workhub.extensions import db
from workhub.org.models import User

pytestmark = pytest.mark.usefixtures("fast_hashing", "english")


@pytest.fixture
def hr(client, logged_in, make_department, time_machine):
    time_machine.move_to(NOW, tick=False)
    make_department("SOUMU", "総務部")
    make_department("JINJI", "人事課", parent="SOUMU")
    return logged_in(roles=("hr",), department="JINJI")


def _draft(app, hr, template: bool = False) -> int:
    with app.app_context():
        actor = db.session.get(User, hr.id)
        if template:
            survey = create_from_template(actor, "telework")
        else:
            survey = b.create_survey(actor, title_ja="調査")
            qs.add_question(survey, type="single", text_ja="質問", key="a",
                            options=["はい", "いいえ"])
        db.session.commit()
        return survey.id


SETTINGS = {"title_ja": "調査", "title_en": "", "description_ja": "", "description_en": "",
            "anonymous": "y", "opens_at": "", "closes_at": "2026-12-01T17:00",
            "min_group_size": "5", "reminder_days": "", "editable_until_close": "y"}


def test_only_hr_and_admin_reach_the_builder(client, logged_in):
    logged_in(roles=("employee", "manager"))
    assert client.get("/surveys/build").status_code == 403
    assert client.get("/surveys/build/new").status_code == 403


def test_list_new_blank_and_template(client, app, hr):
    page = client.get("/surveys/build")
    assert page.status_code == 200 and 'id="no-surveys"' in page.get_data(as_text=True)
    response = post(client, "/surveys/build/new", {"source": "blank", "title_ja": "職場調査"})
    assert response.status_code == 303
    sid = int(re.search(r"/surveys/(\d+)/edit", response.headers["Location"]).group(1))
    response = post(client, "/surveys/build/new", {"source": "telework", "title_ja": ""})
    assert response.status_code == 303
    with app.app_context():
        db.session.add(SurveyParticipation(survey_id=sid, user_id=hr.id, status="submitted"))
        db.session.commit()
        assert db.session.scalars(select(Survey.template_key).order_by(Survey.id)).all() == [
            None, "telework"]
    html = client.get("/surveys/build").get_data(as_text=True)
    assert "職場調査" in html and "Telework and work-style survey" in html  # English page
    row = html[html.index(f'id="survey-{sid}"'):]
    assert re.search(r'<td class="text-end">1</td>', row[:row.index("</tr>")])


@pytest.mark.parametrize("data", [
    {"source": "blank", "title_ja": ""},
    {"source": "blank", "title_ja": "x" * 201},
    {"source": "blank", "title_ja": "a\x1bb"},
    {"source": "nope", "title_ja": "x"},
    {"source": "", "title_ja": "x"},
    {},
])
def test_new_refuses_bad_input(client, app, hr, data):
    before = snapshot(app)
    assert post(client, "/surveys/build/new", data).status_code == 400
    assert snapshot(app) == before


def test_forms_need_their_csrf_token(client, app, hr):
    sid = _draft(app, hr)
    before = snapshot(app)
    for url in ("/surveys/build/new", f"/surveys/{sid}/edit", f"/surveys/{sid}/publish",
                f"/surveys/{sid}/delete", f"/surveys/{sid}/audience"):
        assert client.post(url, data={"source": "blank", "title_ja": "x",
                                      **SETTINGS}).status_code == 400
    assert snapshot(app) == before


def test_edit_page_shows_structure_and_problems(client, app, hr):
    sid = _draft(app, hr, template=True)
    html = client.get(f"/surveys/{sid}/edit").get_data(as_text=True)
    for key in ("telework_frequency", "satisfaction_items", "obstacles_other", "bureau"):
        assert f"<code>{key}</code>" in html
    assert 'id="publish"' in html and 'id="publish-problems"' not in html
    assert client.get("/surveys/999999/edit").status_code == 404


def test_settings_are_saved_in_japan_time(client, app, hr):
    sid = _draft(app, hr)
    data = {**SETTINGS, "title_en": "Survey", "opens_at": "2026-11-20T09:00",
            "min_group_size": "8", "reminder_days": "3", "description_ja": "一行\n二行"}
    data.pop("anonymous")  # unticked: identified
    response = post(client, f"/surveys/{sid}/edit", data)
    assert response.status_code == 303
    with app.app_context():
        s = db.session.get(Survey, sid)
        assert s.opens_at == datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
        assert s.closes_at == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
        assert (s.anonymous, s.min_group_size, s.reminder_days, s.title_en) == (
            False, 8, 3, "Survey")
        assert s.description_ja == "一行\n二行"
    html = client.get(f"/surveys/{sid}/edit").get_data(as_text=True)
    assert 'value="2026-11-20T09:00"' in html and 'value="2026-12-01T17:00"' in html


@pytest.mark.parametrize(("changes", "field"), [
    ({"title_ja": ""}, "title_ja"),
    ({"title_ja": "x" * 201}, "title_ja"),
    ({"title_en": "\u200fevil"}, "title_en"),
    ({"min_group_size": "2"}, "min_group_size"),
    ({"min_group_size": ""}, "min_group_size"),
    ({"min_group_size": "five"}, "min_group_size"),
    ({"min_group_size": "9" * 12}, "min_group_size"),
    ({"reminder_days": "-3"}, "reminder_days"),
    ({"opens_at": "tomorrow"}, "opens_at"),
    ({"closes_at": "2026-02-30T10:00"}, "closes_at"),
    ({"opens_at": "2026-12-02T09:00"}, "closes_at"),
    ({"description_en": "x" * 5001}, "description_en"),
])
def test_bad_settings_are_refused_next_to_their_field(client, app, hr, changes, field):
    sid = _draft(app, hr)
    before = snapshot(app)
    response = post(client, f"/surveys/{sid}/edit", {**SETTINGS, **changes})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert snapshot(app) == before


def test_anonymity_change_after_publishing_is_409(client, app, hr):
    sid = _draft(app, hr)
    with app.app_context():
        db.session.get(Survey, sid).status = "published"  # nobody has answered yet
        db.session.commit()
    before = snapshot(app)
    data = dict(SETTINGS)
    data.pop("anonymous")
    response = post(client, f"/surveys/{sid}/edit", data)
    assert response.status_code == 409 and 'id="anonymous-error"' in response.get_data(
        as_text=True)
    assert snapshot(app) == before
    assert post(client, f"/surveys/{sid}/edit", {**SETTINGS, "title_ja": "改題"}
                ).status_code == 303


def test_audience(client, app, hr):
    sid = _draft(app, hr)
    response = post(client, f"/surveys/{sid}/audience", {
        "mode": "some", "departments": ["SOUMU"], "roles": ["it_admin"]})
    assert response.status_code == 303
    html = client.get(f"/surveys/{sid}/edit").get_data(as_text=True)
    assert re.search(r'value="SOUMU"[^>]*checked|checked[^>]*value="SOUMU"', html)
    with app.app_context():
        s = db.session.get(Survey, sid)
        assert not s.audience_all and len(s.audience) == 2
        assert [row.include_subtree for row in s.audience if row.department_id] == [False]
    before = snapshot(app)
    for data in ({"mode": "some"}, {"mode": "some", "departments": ["NOPE"]},
                 {"mode": "some", "roles": ["root"]}, {"mode": "maybe"}, {}):
        assert post(client, f"/surveys/{sid}/audience", data).status_code == 400, data
    assert snapshot(app) == before
    assert post(client, f"/surveys/{sid}/audience", {"mode": "all"}).status_code == 303


def test_preview_shows_the_questions_and_saves_nothing(client, app, hr):
    sid = _draft(app, hr, template=True)
    before = snapshot(app)
    response = client.get(f"/surveys/{sid}/preview")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<fieldset disabled" in html and 'name="q-telework_frequency"' in html
    assert "<form" not in html[html.index('id="preview-note"'):html.index("<footer")
                              if "<footer" in html else None]
    assert snapshot(app) == before


def test_publish_close_copy_delete(client, app, hr):
    sid = _draft(app, hr)
    assert post(client, f"/surveys/{sid}/publish").status_code == 303
    html = client.get(f"/surveys/{sid}/edit").get_data(as_text=True)
    assert 'id="locked-note"' in html and 'id="close"' in html
    before = snapshot(app)
    response = post(client, f"/surveys/{sid}/delete")
    assert response.status_code == 409 and snapshot(app) == before
    assert post(client, f"/surveys/{sid}/publish").status_code == 409
    assert post(client, f"/surveys/{sid}/close").status_code == 303
    copied = post(client, f"/surveys/{sid}/copy")
    assert copied.status_code == 303
    copy_id = int(re.search(r"/surveys/(\d+)/edit", copied.headers["Location"]).group(1))
    assert copy_id != sid
    assert post(client, f"/surveys/{copy_id}/delete").status_code == 303
    with app.app_context():
        assert db.session.get(Survey, copy_id) is None
        assert db.session.get(Survey, sid).status == "closed"


def test_publish_refused_when_not_ready(client, app, hr):
    with app.app_context():
        survey = b.create_survey(db.session.get(User, hr.id), title_ja="空")
        db.session.commit()
        sid = survey.id
    html = client.get(f"/surveys/{sid}/edit").get_data(as_text=True)
    assert 'id="publish-problems"' in html
    before = snapshot(app)
    response = post(client, f"/surveys/{sid}/publish")
    assert response.status_code == 400 and "Add at least one question." in response.get_data(
        as_text=True)
    assert snapshot(app) == before


def test_hostile_texts_are_shown_as_text(client, app, hr):
    hostile = '<script>alert("x")</script>'
    response = post(client, "/surveys/build/new", {"source": "blank", "title_ja": hostile})
    assert response.status_code == 303
    for url in ("/surveys/build", response.headers["Location"]):
        html = client.get(url).get_data(as_text=True)
        assert hostile not in html and "&lt;script&gt;" in html
