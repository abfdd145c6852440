"""Builder pages for sections, questions and options: add, edit, move, delete through plain
forms; wrong, missing, oversized and hostile input refused with nothing written; parts of
another survey are 404; a published survey's locks reach the pages."""

from __future__ import annotations

import re

import pytest

from surveys import building as b
from surveys import questions as qs
from surveys import sections as sec
from surveys.layout import ordered_questions
from surveys.models import Survey, SurveyQuestion
from tests.dbstate import snapshot
from tests.surveys.surveys_build_helpers import NOW, post
from workhub.extensions import db
from workhub.org.models import User

pytestmark = pytest.mark.usefixtures("fast_hashing", "english")


@pytest.fixture
def draft(client, app, logged_in, time_machine):
    """A signed-in HR person's draft: section S1 with a choice question (3 options) and a
    text question shown when option o1 is chosen. Returns the ids."""
    time_machine.move_to(NOW, tick=False)
    hr = logged_in(roles=("hr",))
    with app.app_context():
        survey = b.create_survey(db.session.get(User, hr.id), title_ja="調査")
        section = sec.add_section(survey, title_ja="S1")
        choice = qs.add_question(survey, type="single", text_ja="選択", key="tw",
                                 section_id=section.id, options=["はい", "いいえ", "時々"])
        text = qs.add_question(survey, type="text", text_ja="理由", key="why",
                               section_id=section.id, show_if_question="tw",
                               show_if_option_key="o1")
        other = b.create_survey(db.session.get(User, hr.id), title_ja="別")
        other_q = qs.add_question(other, type="single", text_ja="x", options=["a", "b"])
        db.session.commit()
        return {"s": survey.id, "section": section.id, "choice": choice.id, "text": text.id,
                "option": choice.options[0].id, "last_option": choice.options[2].id,
                "other": other.id, "other_q": other_q.id, "other_option": other_q.options[0].id}


def _keys(app, sid) -> list[str]:
    with app.app_context():
        return [q.key for q in ordered_questions(db.session.get(Survey, sid))]


def test_add_a_choice_question_with_bilingual_options(client, app, draft):
    sid = draft["s"]
    page = client.get(f"/surveys/{sid}/questions/new?type=multiple")
    assert page.status_code == 200 and 'name="options_ja"' in page.get_data(as_text=True)
    assert client.get(f"/surveys/{sid}/questions/new?type=essay").status_code == 404
    response = post(client, f"/surveys/{sid}/questions/new", {
        "type": "multiple", "text_ja": "課題", "text_en": "Obstacles", "key": "obstacles",
        "section_id": str(draft["section"]), "options_ja": "通信\r\n\r\n機器\n",
        "options_en": "Network\nDevices", "show_if": "tw:o2", "required": "y"})
    assert response.status_code == 303
    with app.app_context():
        q = db.session.scalar(db.select(SurveyQuestion).where(SurveyQuestion.key == "obstacles"))
        assert [(o.key, o.label_ja, o.label_en) for o in q.options] == [
            ("o1", "通信", "Network"), ("o2", "機器", "Devices")]
        assert (q.required, q.show_if_option_key, q.section_id) == (True, "o2", draft["section"])
    assert _keys(app, sid) == ["tw", "why", "obstacles"]


@pytest.mark.parametrize(("data", "field"), [
    ({"type": "single", "text_ja": ""}, "text_ja"),
    ({"type": "single", "text_ja": "x" * 501}, "text_ja"),
    ({"type": "single", "text_ja": "a\x00b"}, "text_ja"),
    ({"type": "essay", "text_ja": "x"}, "type"),
    ({"type": "single", "text_ja": "x", "key": "Bad Key"}, "key"),
    ({"type": "single", "text_ja": "x", "key": "tw"}, "key"),
    ({"type": "single", "text_ja": "x", "options_ja": "a\nb", "options_en": "A"}, "options_en"),
    ({"type": "single", "text_ja": "x", "options_ja": "a\n" + "b" * 301}, "options_ja"),
    ({"type": "date", "text_ja": "x", "options_ja": "a\nb"}, "options_ja"),
    ({"type": "number", "text_ja": "x", "min_value": "ten"}, "min_value"),
    ({"type": "number", "text_ja": "x", "min_value": "5", "max_value": "1"}, "max_value"),
    ({"type": "number", "text_ja": "x", "max_value": "inf"}, "max_value"),
    ({"type": "text", "text_ja": "x", "max_length": "100000"}, "max_length"),
    ({"type": "text", "text_ja": "x", "section_id": "abc"}, "section_id"),
    ({"type": "text", "text_ja": "x", "section_id": "999999"}, "section_id"),
    ({"type": "text", "text_ja": "x", "show_if": "why:o1"}, "show_if"),
    ({"type": "text", "text_ja": "x", "show_if": "tw:nope"}, "show_if"),
    ({"type": "text", "text_ja": "x", "show_if": "nosuch:o1"}, "show_if"),
])
def test_bad_questions_are_refused_next_to_their_field(client, app, draft, data, field):
    before = snapshot(app)
    response = post(client, f"/surveys/{draft['s']}/questions/new", data)
    assert response.status_code == 400, field
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_edit_a_question_and_its_locks_once_published(client, app, draft):
    sid, qid = draft["s"], draft["text"]
    page = client.get(f"/surveys/{sid}/questions/{qid}").get_data(as_text=True)
    assert 'value="why"' in page and re.search(r'<option selected value="tw:o1">|'
                                               r'<option value="tw:o1" selected>', page)
    data = {"type": "longtext", "text_ja": "理由を詳しく", "help_en": "Why?", "key": "why",
            "section_id": str(draft["section"]), "max_length": "800", "show_if": "tw:o1"}
    assert post(client, f"/surveys/{sid}/questions/{qid}", data).status_code == 303
    with app.app_context():
        q = db.session.get(SurveyQuestion, qid)
        assert (q.type, q.text_ja, q.help_en, q.max_length) == ("longtext", "理由を詳しく",
                                                                "Why?", 800)
        b.publish(db.session.get(Survey, sid), db.session.get(User, q.survey.created_by_id))
        db.session.commit()
    page = client.get(f"/surveys/{sid}/questions/{qid}").get_data(as_text=True)
    assert 'id="locked-note"' in page and 'name="type"' not in page
    before = snapshot(app)
    response = post(client, f"/surveys/{sid}/questions/{qid}", {**data, "type": "text"})
    assert response.status_code == 409 and snapshot(app) == before
    assert post(client, f"/surveys/{sid}/questions/{qid}", {"action": "delete"}).status_code == 409
    locked = {k: v for k, v in data.items() if k not in ("type", "key", "show_if")}
    assert post(client, f"/surveys/{sid}/questions/{qid}",
                {**locked, "text_ja": "訂正"}).status_code == 303
    response = post(client, f"/surveys/{sid}/questions/{qid}", {**locked, "required": "y"})
    assert response.status_code == 409
    assert "cannot become required" in response.get_data(as_text=True)


def test_move_and_delete_questions(client, app, draft):
    sid = draft["s"]
    before = snapshot(app)
    response = post(client, f"/surveys/{sid}/questions/{draft['text']}",
                    {"action": "up"})  # why would come before tw
    assert response.status_code == 400 and snapshot(app) == before
    for bad in ({"action": "left"}, {"action": ""}):
        assert post(client, f"/surveys/{sid}/questions/{draft['text']}",
                    bad).status_code == 400
    assert post(client, f"/surveys/{sid}/questions/{draft['choice']}", {"action": "delete"}
                ).status_code == 400  # why depends on it
    assert snapshot(app) == before
    assert post(client, f"/surveys/{sid}/questions/{draft['text']}",
                {"action": "delete"}).status_code == 303
    assert _keys(app, sid) == ["tw"]


def test_sections(client, app, draft):
    sid = draft["s"]
    response = post(client, f"/surveys/{sid}/sections", {"title_ja": "S2", "title_en": "Two"})
    assert response.status_code == 303 and "#section-" in response.headers["Location"]
    before = snapshot(app)
    for data in ({"title_ja": ""}, {"title_ja": "x" * 201}, {"title_ja": "a\u2028b"}):
        assert post(client, f"/surveys/{sid}/sections", data).status_code == 400
        assert post(client, f"/surveys/{sid}/sections/{draft['section']}",
                    data).status_code == 400
    assert snapshot(app) == before
    assert post(client, f"/surveys/{sid}/sections/{draft['section']}",
                {"title_ja": "働き方"}).status_code == 303
    assert post(client, f"/surveys/{sid}/sections/{draft['section']}",
                {"action": "down"}).status_code == 303
    html = client.get(f"/surveys/{sid}/edit").get_data(as_text=True)
    assert html.index("S2") < html.index("働き方")
    assert post(client, f"/surveys/{sid}/sections/{draft['section']}",
                {"action": "delete"}).status_code == 303
    assert _keys(app, sid) == []  # its questions went with it (a draft)


def test_options(client, app, draft):
    sid, qid = draft["s"], draft["choice"]
    base = f"/surveys/{sid}/questions/{qid}/options"
    assert post(client, base, {"label_ja": "不明", "label_en": "Unknown",
                               "key": "unknown"}).status_code == 303
    assert post(client, f"{base}/{draft['last_option']}",
                {"label_ja": "ときどき", "key": "sometimes"}).status_code == 303
    assert post(client, f"{base}/{draft['last_option']}",
                {"action": "up"}).status_code == 303
    with app.app_context():
        q = db.session.get(SurveyQuestion, qid)
        assert [o.key for o in sorted(q.options, key=lambda o: o.position)] == [
            "o1", "sometimes", "o2", "unknown"]
    before = snapshot(app)
    for url, data in ((base, {"label_ja": ""}), (base, {"label_ja": "x", "key": "o2"}),
                      (base, {"label_ja": "x", "key": "BAD"}),
                      (f"{base}/{draft['option']}", {"label_ja": "はい", "key": "yes"}),
                      (f"{base}/{draft['option']}", {"action": "delete"}),
                      (f"{base}/{draft['option']}", {"action": "sideways"})):
        assert post(client, url, data).status_code == 400, url
    assert snapshot(app) == before
    assert post(client, f"{base}/{draft['last_option']}",
                {"action": "delete"}).status_code == 303
    page = client.get(f"/surveys/{sid}/questions/{qid}").get_data(as_text=True)
    assert 'id="options"' in page and "ときどき" not in page


def test_parts_of_another_survey_are_404(client, app, draft):
    sid = draft["s"]
    before = snapshot(app)
    assert client.get(f"/surveys/{sid}/questions/{draft['other_q']}").status_code == 404
    assert client.get(f"/surveys/{sid}/questions/999999").status_code == 404
    for url in (f"/surveys/{sid}/questions/{draft['other_q']}",
                f"/surveys/{sid}/questions/{draft['choice']}/options/{draft['other_option']}",
                f"/surveys/{draft['other']}/sections/{draft['section']}"):
        assert post(client, url, {"action": "delete"}).status_code == 404, url
    assert snapshot(app) == before


def test_closed_survey_offers_no_additions(client, app, draft):
    sid = draft["s"]
    with app.app_context():
        s = db.session.get(Survey, sid)
        b.publish(s, db.session.get(User, s.created_by_id))
        b.close(s, db.session.get(User, s.created_by_id))
        db.session.commit()
    html = client.get(f"/surveys/{sid}/edit").get_data(as_text=True)
    assert 'id="add-question"' not in html and 'id="add-section"' not in html
    before = snapshot(app)
    assert post(client, f"/surveys/{sid}/questions/new",
                {"type": "text", "text_ja": "追加"}).status_code == 409
    assert post(client, f"/surveys/{sid}/sections", {"title_ja": "追加"}).status_code == 409
    assert snapshot(app) == before


def test_part_forms_need_their_csrf_token(client, app, draft):
    sid = draft["s"]
    before = snapshot(app)
    for url, data in ((f"/surveys/{sid}/sections/{draft['section']}", {"action": "delete"}),
                      (f"/surveys/{sid}/sections/{draft['section']}", {"title_ja": "x"}),
                      (f"/surveys/{sid}/questions/{draft['text']}", {"action": "delete"}),
                      (f"/surveys/{sid}/questions/{draft['text']}", {"text_ja": "x"}),
                      (f"/surveys/{sid}/questions/new", {"type": "text", "text_ja": "x"}),
                      (f"/surveys/{sid}/sections", {"title_ja": "x"}),
                      (f"/surveys/{sid}/questions/{draft['choice']}/options",
                       {"label_ja": "x"}),
                      (f"/surveys/{sid}/questions/{draft['choice']}/options/{draft['option']}",
                       {"action": "up"})):
        assert client.post(url, data=data).status_code == 400, url
    assert snapshot(app) == before
