"""Survey builder rules: settings and times, questions, options, sections, conditions,
ordering, publishing, closing, copying, deleting, and what a published survey refuses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from surveys import building as b
from surveys import options as opt
from surveys import questions as qs
from surveys import sections as sec
from surveys.audience import describe_audience, set_audience
from surveys.layout import layout, ordered_questions
from surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyParticipation,
    SurveyResponse,
)
from workhub.auth.models import AuditEvent
from workhub.errors import Conflict, DomainError
from workhub.extensions import db
from workhub.org.services import create_department, create_user

NOW = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)


@pytest.fixture
def env(app_ctx, time_machine):
    time_machine.move_to(NOW, tick=False)
    create_department("SOUMU", "総務部")
    create_department("JINJI", "人事課", parent_code="SOUMU")
    hr = create_user("hr", display_name="hr", roles=("hr",), password_hash="!x")
    emp = create_user("emp", display_name="emp", roles=("employee",), department_code="JINJI",
                      password_hash="!x")
    return SimpleNamespace(hr=hr, emp=emp)


def _survey(env, **fields) -> Survey:
    return b.create_survey(env.hr, **{"title_ja": "働き方調査", **fields})


def _ready(env, **fields) -> Survey:
    """A draft with a choice question, a dependent text question and a number question."""
    s = _survey(env, closes_at=NOW + timedelta(days=7), **fields)
    qs.add_question(s, type="single", text_ja="テレワーク", key="tw", options=["はい", "いいえ"])
    qs.add_question(s, type="text", text_ja="理由", key="why", show_if_question="tw",
                    show_if_option_key="o1")
    qs.add_question(s, type="number", text_ja="日数", key="days", min_value=0, max_value=20)
    db.session.commit()  # a refused change is rolled back to here, as the views do
    return s


def _answer(survey, question, **values) -> None:
    response = SurveyResponse(id=str(uuid.uuid4()), survey_id=survey.id, period="2026-W47")
    db.session.add(response)
    db.session.flush()
    db.session.add(SurveyAnswer(response_id=response.id, question_id=question.id, **values))
    db.session.flush()


# --- settings --------------------------------------------------------------------------------

def test_new_survey_defaults(env, app, monkeypatch):
    s = _survey(env)
    assert (s.status, s.anonymous, s.audience_all, s.min_group_size) == ("draft", True, True, 5)
    assert s.created_by_id == env.hr.id
    monkeypatch.setitem(app.config, "SURVEY_MIN_GROUP_SIZE", 8)
    assert _survey(env).min_group_size == 8


@pytest.mark.parametrize(("fields", "field"), [
    ({"title_ja": ""}, "title_ja"),
    ({"title_ja": "  "}, "title_ja"),
    ({"title_ja": "x" * 201}, "title_ja"),
    ({"title_ja": "a\x00b"}, "title_ja"),
    ({"title_ja": 5}, "title_ja"),
    ({"title_en": "\u202eevil"}, "title_en"),
    ({"description_ja": "x" * 5001}, "description_ja"),
    ({"min_group_size": 2}, "min_group_size"),
    ({"min_group_size": 1001}, "min_group_size"),
    ({"min_group_size": "5"}, "min_group_size"),
    ({"min_group_size": True}, "min_group_size"),
    ({"reminder_days": 61}, "reminder_days"),
    ({"reminder_days": -1}, "reminder_days"),
    ({"anonymous": "yes"}, "anonymous"),
    ({"opens_at": datetime(2026, 12, 1)}, "opens_at"),  # naive
    ({"closes_at": "2026-12-01"}, "closes_at"),
    ({"opens_at": NOW + timedelta(days=2), "closes_at": NOW + timedelta(days=1)}, "closes_at"),
    ({"opens_at": NOW, "closes_at": NOW}, "closes_at"),
])
def test_bad_settings_are_refused(env, fields, field):
    with pytest.raises(DomainError) as err:
        _survey(env, **fields)
    assert err.value.field == field


def test_multiline_description_and_unknown_field(env):
    s = _survey(env, description_ja="一行目\n二行目")
    assert s.description_ja == "一行目\n二行目"
    with pytest.raises(DomainError):
        b.update_survey(s, env.hr, status="published")
    assert s.status == "draft"


def test_anonymity_locks_at_the_first_response(env):
    s = _ready(env)
    b.update_survey(s, env.hr, anonymous=False)
    b.publish(s, env.hr)
    b.update_survey(s, env.hr, anonymous=True)  # published, nobody answered yet: still free
    db.session.add(SurveyParticipation(survey_id=s.id, user_id=env.emp.id, status="draft"))
    db.session.flush()
    b.update_survey(s, env.hr, anonymous=False)  # a draft answer is not a response
    b.update_survey(s, env.hr, anonymous=True)
    db.session.execute(SurveyParticipation.__table__.update().values(status="submitted"))
    with pytest.raises(Conflict) as err:
        b.update_survey(s, env.hr, anonymous=False)
    assert err.value.code == "anonymity_locked" and err.value.status == 409
    b.update_survey(s, env.hr, anonymous=True)  # the same value is no change


def test_anonymity_locks_with_a_stored_response(env):
    s = _ready(env)
    b.publish(s, env.hr)
    _answer(s, s.questions[0], option_id=s.questions[0].options[0].id)
    with pytest.raises(Conflict, match="already answered"):
        b.update_survey(s, env.hr, anonymous=False)


def test_published_times_and_k(env, time_machine):
    s = _ready(env, opens_at=NOW + timedelta(days=1), min_group_size=6)
    b.publish(s, env.hr)
    b.update_survey(s, env.hr, opens_at=NOW + timedelta(hours=2))  # not opened yet: fine
    b.update_survey(s, env.hr, min_group_size=7)
    with pytest.raises(Conflict) as err:
        b.update_survey(s, env.hr, min_group_size=6)
    assert err.value.code == "k_lowered"
    with pytest.raises(DomainError) as err:
        b.update_survey(s, env.hr, closes_at=NOW - timedelta(minutes=1))
    assert err.value.field == "closes_at"
    time_machine.move_to(NOW + timedelta(hours=3), tick=False)
    with pytest.raises(Conflict) as err:
        b.update_survey(s, env.hr, opens_at=NOW + timedelta(hours=4))
    assert err.value.code == "opened"
    b.update_survey(s, env.hr, closes_at=NOW + timedelta(days=30))  # extending is fine


def test_closed_survey_keeps_only_text_corrections(env):
    s = _ready(env)
    b.publish(s, env.hr)
    b.close(s, env.hr)
    b.update_survey(s, env.hr, title_en="Work style")
    with pytest.raises(Conflict):
        b.update_survey(s, env.hr, reminder_days=3)
    with pytest.raises(Conflict):
        qs.add_question(s, type="text", text_ja="追加")
    qs.update_question(s.questions[0], text_ja="テレワークの頻度")


# --- questions ----------------------------------------------------------------------------

def test_question_types_and_settings(env):
    s = _survey(env)
    rating = qs.add_question(s, type="rating", text_ja="満足度", min_value=3, max_value=4)
    assert (rating.min_value, rating.max_value, rating.key) == (0, 10, "q1")
    text = qs.add_question(s, type="longtext", text_ja="要望")
    assert text.max_length == 2000 and text.key == "q2"
    short = qs.add_question(s, type="text", text_ja="一言", max_length=50, required=True)
    assert short.max_length == 50 and short.required
    grid = qs.add_question(s, type="likert_matrix", text_ja="各項目",
                           options=[{"label_ja": "通信", "label_en": "Network", "key": "net"},
                                    "機器"])
    assert [(o.key, o.label_en) for o in grid.options] == [("net", "Network"), ("o2", None)]
    number = qs.add_question(s, type="number", text_ja="時間", min_value=-1.5)
    assert (number.min_value, number.max_value) == (-1.5, None)
    assert [q.key for q in ordered_questions(s)] == ["q1", "q2", "q3", "q4", "q5"]


@pytest.mark.parametrize(("fields", "field"), [
    ({"type": "essay"}, "type"),
    ({"type": None}, "type"),
    ({"text_ja": ""}, "text_ja"),
    ({"text_ja": "x" * 501}, "text_ja"),
    ({"help_en": "x" * 501}, "help_en"),
    ({"text_ja": "<b>\x07</b>"}, "text_ja"),
    ({"key": "Bad-Key"}, "key"),
    ({"key": "x" * 41}, "key"),
    ({"key": "dup"}, "key"),
    ({"key": 12}, "key"),
    ({"type": "number", "min_value": 5, "max_value": 5}, "max_value"),
    ({"type": "number", "min_value": "1"}, "min_value"),
    ({"type": "number", "max_value": float("nan")}, "max_value"),
    ({"type": "number", "max_value": 1e12}, "max_value"),
    ({"type": "text", "max_length": 501}, "max_length"),
    ({"type": "longtext", "max_length": 0}, "max_length"),
    ({"type": "text", "max_length": "9"}, "max_length"),
    ({"type": "text", "options": ["a"]}, "options"),
    ({"options": "a,b"}, "options"),
    ({"options": [None]}, "label_ja"),
    ({"options": ["x" * 301]}, "label_ja"),
    ({"options": [{"label_ja": "a", "key": "k"}, {"label_ja": "b", "key": "k"}]},
     "option_key"),
    ({"section_id": 99999}, "section_id"),
])
def test_bad_questions_are_refused(env, fields, field):
    s = _survey(env)
    qs.add_question(s, type="single", text_ja="既存", key="dup")
    with pytest.raises(DomainError) as err:
        qs.add_question(s, **{"type": "single", "text_ja": "質問", **fields})
    assert err.value.field == field


def test_too_many_questions_and_options(env, monkeypatch):
    s = _survey(env)
    monkeypatch.setattr(qs, "MAX_QUESTIONS", 2)
    monkeypatch.setattr(opt, "MAX_OPTIONS", 2)
    q = qs.add_question(s, type="single", text_ja="1", options=["a", "b"])
    with pytest.raises(DomainError, match="2"):
        opt.add_option(q, label_ja="c")
    qs.add_question(s, type="date", text_ja="2")
    with pytest.raises(DomainError, match="2"):
        qs.add_question(s, type="date", text_ja="3")


def test_type_change_in_a_draft(env):
    s = _ready(env)
    tw, why, days = ordered_questions(s)
    with pytest.raises(DomainError) as err:
        qs.update_question(tw, type="rating")  # "why" depends on it
    assert err.value.code == "condition_depends"
    qs.update_question(tw, type="multiple")
    assert len(tw.options) == 2
    qs.update_question(days, type="longtext")
    assert (days.min_value, days.max_value, days.max_length) == (None, None, 2000)
    grid = qs.add_question(s, type="likert_matrix", text_ja="g", options=["a", "b"])
    qs.update_question(grid, type="likert")
    assert grid.options == []
    qs.update_question(why, key="reason", required=True, help_en="Why?")
    assert (why.key, why.required, why.help_en) == ("reason", True, "Why?")
    with pytest.raises(DomainError):
        qs.update_question(why, key="tw")
    with pytest.raises(DomainError):
        qs.update_question(why, colour="red")


def test_conditions_refuse_forward_references_and_non_choice_targets(env):
    s = _ready(env)
    tw, why, days = ordered_questions(s)
    with pytest.raises(DomainError) as err:  # days comes after tw
        qs.update_question(tw, show_if_question="days", show_if_option_key="o1")
    assert err.value.code == "condition_order"
    with pytest.raises(DomainError) as err:
        qs.update_question(days, show_if_question="why", show_if_option_key="o1")
    assert err.value.code == "condition_type"
    with pytest.raises(DomainError) as err:
        qs.update_question(days, show_if_question="tw", show_if_option_key="o9")
    assert err.value.code == "condition_option"
    with pytest.raises(DomainError):
        qs.update_question(days, show_if_question="tw", show_if_option_key=None)
    with pytest.raises(DomainError):
        qs.update_question(days, show_if_question="nosuch", show_if_option_key="o1")
    with pytest.raises(DomainError):
        qs.update_question(tw, show_if_question="tw", show_if_option_key="o1")
    db.session.rollback()


def test_moves_keep_conditions_pointing_backwards(env):
    s = _ready(env)
    tw, why, days = ordered_questions(s)
    qs.move_question(days, -1)
    assert [q.key for q in ordered_questions(s)] == ["tw", "days", "why"]
    qs.move_question(days, -1)
    assert [q.key for q in ordered_questions(s)] == ["days", "tw", "why"]
    qs.move_question(days, -1)  # already first: stays
    with pytest.raises(DomainError) as err:
        qs.move_question(why, -1)  # why would come before tw
    assert err.value.code == "condition_order"
    db.session.rollback()
    with pytest.raises(DomainError):
        qs.move_question(tw, 2)


def test_sections_order_questions_and_carry_conditions(env):
    s = _ready(env)
    tw, why, days = ordered_questions(s)
    first = sec.add_section(s, title_ja="働き方")
    second = sec.add_section(s, title_ja="要望", title_en="Wishes")
    with pytest.raises(DomainError):  # tw would move after why, still outside sections
        qs.update_question(tw, section_id=first.id)
    db.session.rollback()
    first = sec.add_section(s, title_ja="働き方")
    second = sec.add_section(s, title_ja="要望", title_en="Wishes")
    qs.update_question(why, section_id=second.id)
    qs.update_question(tw, section_id=first.id)
    qs.update_question(days, section_id=first.id)
    db.session.commit()
    assert [(g.title_ja if g else None, [q.key for q in qq]) for g, qq in layout(s)] == [
        ("働き方", ["tw", "days"]), ("要望", ["why"])]
    with pytest.raises(DomainError) as err:
        sec.move_section(second, -1)  # why would come before tw
    assert err.value.code == "condition_order"
    db.session.rollback()
    with pytest.raises(DomainError) as err:
        sec.delete_section(first)  # why (in the other section) depends on tw
    assert err.value.code == "condition_depends"
    sec.update_section(second, title_ja="ご要望")
    sec.delete_section(second)
    assert [q.key for q in ordered_questions(s)] == ["tw", "days"]
    with pytest.raises(DomainError):
        sec.add_section(s, title_ja="")


def test_options_keys_labels_moves_and_deletion(env):
    s = _ready(env)
    tw = ordered_questions(s)[0]
    third = opt.add_option(tw, label_ja="時々", key="sometimes")
    opt.move_option(third, tw, -1)
    assert [o.key for o in tw.options] == ["o1", "sometimes", "o2"]
    opt.update_option(third, tw, label_ja="ときどき", label_en="Sometimes", key="some")
    assert third.key == "some"
    with pytest.raises(DomainError) as err:
        opt.update_option(tw.options[0], tw, label_ja="はい", key="o2")
    assert err.value.code == "duplicate_key"
    with pytest.raises(DomainError) as err:
        opt.delete_option(tw.options[0], tw)  # "why" shows on o1
    assert err.value.code == "condition_depends"
    with pytest.raises(DomainError) as err:
        opt.update_option(tw.options[0], tw, label_ja="はい", key="yes")
    assert err.value.code == "condition_depends"
    opt.delete_option(third, tw)
    assert [o.key for o in tw.options] == ["o1", "o2"]
    assert opt.add_option(tw, label_ja="新").key == "o3"
    with pytest.raises(DomainError):
        opt.add_option(ordered_questions(s)[2], label_ja="数値に選択肢")


def test_delete_question_in_a_draft(env):
    s = _ready(env)
    tw, why, days = ordered_questions(s)
    with pytest.raises(DomainError):
        qs.delete_question(tw)
    qs.delete_question(why)
    qs.delete_question(tw)
    assert [q.key for q in ordered_questions(s)] == ["days"]


# --- after publishing ----------------------------------------------------------------------

@pytest.mark.parametrize(("action", "code"), [
    (lambda s, q: qs.update_question(q["tw"], type="multiple"), "type_locked"),
    (lambda s, q: qs.update_question(q["tw"], key="other"), "key_locked"),
    (lambda s, q: qs.update_question(q["days"], required=True), "required_locked"),
    (lambda s, q: qs.update_question(q["days"], show_if_question="tw",
                                     show_if_option_key="o2"), "condition_locked"),
    (lambda s, q: qs.update_question(q["why"], show_if_question=None), "condition_locked"),
    (lambda s, q: qs.delete_question(q["days"]), "question_delete_locked"),
    (lambda s, q: opt.delete_option(q["tw"].options[1], q["tw"]), "option_delete_locked"),
    (lambda s, q: opt.update_option(q["tw"].options[1], q["tw"], label_ja="x", key="no"),
     "key_locked"),
    (lambda s, q: qs.add_question(s, type="text", text_ja="新", required=True),
     "new_question_required"),
    (lambda s, q: qs.add_question(s, type="single", text_ja="新", show_if_question="tw",
                                  show_if_option_key="o1"), "condition_locked"),
    (lambda s, q: sec.delete_section(q["section"]), "question_delete_locked"),
    (lambda s, q: qs.update_question(q["days"], min_value=5), "range_excludes_answers"),
    (lambda s, q: qs.update_question(q["days"], max_value=10), "range_excludes_answers"),
    (lambda s, q: qs.update_question(q["why"], max_length=3), "range_excludes_answers"),
    (lambda s, q: b.delete_survey(s, None), "not_draft"),
    (lambda s, q: b.publish(s, None), "not_draft"),
])
def test_published_survey_refuses_breaking_changes(env, action, code):
    s = _ready(env)
    section = sec.add_section(s, title_ja="節")
    q = {x.key: x for x in s.questions}
    qs.update_question(q["days"], section_id=section.id)
    b.publish(s, env.hr)
    _answer(s, q["days"], number=4)
    _answer(s, q["days"], number=12)
    _answer(s, q["why"], text="遠いから")
    with pytest.raises(Conflict) as err:
        action(s, {**q, "section": section})
    assert err.value.code == code and err.value.status == 409


def test_published_survey_allows_corrections_and_additions_at_the_end(env):
    s = _ready(env)
    b.publish(s, env.hr)
    tw, why, days = ordered_questions(s)
    _answer(s, days, number=4)
    qs.update_question(tw, text_ja="テレワークをしましたか", text_en="Did you telework?",
                       help_ja="先月", required=False, type="single", key="tw")
    opt.update_option(tw.options[0], tw, label_ja="した", label_en="Yes", key="o1")
    qs.update_question(days, min_value=4, max_value=30)  # still holds the answer 4
    qs.update_question(why, show_if_question="tw", show_if_option_key="o1")  # unchanged
    added = opt.add_option(tw, label_ja="わからない")
    assert added.key == "o3" and tw.options[-1] is added
    new = qs.add_question(s, type="longtext", text_ja="その他")
    assert ordered_questions(s)[-1] is new and not new.required
    qs.move_question(new, -1)  # order does not touch answers


# --- publish, close, delete, copy -----------------------------------------------------------

def test_publish_lists_every_problem(env, time_machine):
    s = _survey(env, closes_at=NOW + timedelta(hours=1))
    assert len(b.publish_problems(s)) == 1  # no question yet
    q = qs.add_question(s, type="single", text_ja="一つだけ", options=["a"])
    grid = qs.add_question(s, type="likert_matrix", text_ja="grid")
    set_audience(s, everyone=False, department_codes=["SOUMU"], include_subtree=False)
    time_machine.move_to(NOW + timedelta(hours=2), tick=False)
    problems = b.publish_problems(s)
    assert len(problems) == 4  # two options x2, closing time passed, nobody in SOUMU itself
    with pytest.raises(DomainError) as err:
        b.publish(s, env.hr)
    assert err.value.code == "not_ready" and s.status == "draft"
    opt.add_option(q, label_ja="b")
    for label in ("x", "y"):
        opt.add_option(grid, label_ja=label)
    b.update_survey(s, env.hr, closes_at=None)
    set_audience(s, everyone=False, department_codes=["SOUMU"], include_subtree=True)
    assert b.publish_problems(s) == []
    b.publish(s, env.hr, ip="10.0.0.1")
    assert s.status == "published" and s.published_at is not None


def test_close_delete_and_audit(env):
    s = _ready(env)
    with pytest.raises(Conflict):
        b.close(s, env.hr)
    b.publish(s, env.hr)
    b.close(s, env.hr)
    assert s.status == "closed" and s.closed_at is not None
    with pytest.raises(Conflict):
        b.close(s, env.hr)
    draft = _survey(env)
    draft_id = draft.id
    b.delete_survey(draft, env.hr)
    assert db.session.get(Survey, draft_id) is None
    events = db.session.scalars(select(AuditEvent.event).order_by(AuditEvent.id)).all()
    assert events == ["survey.published", "survey.closed", "survey.deleted"]


def test_copy_is_a_deep_draft_with_its_audience(env):
    s = _ready(env, title_en="Work style", reminder_days=3, min_group_size=7, anonymous=False)
    section = sec.add_section(s, title_ja="節")
    qs.update_question(s.questions[2], section_id=section.id)
    set_audience(s, everyone=False, department_codes=["JINJI"], include_subtree=False,
                 roles=["hr"])
    b.publish(s, env.hr)
    b.close(s, env.hr)
    copy = b.copy_survey(s, env.hr)
    assert (copy.status, copy.copied_from_id, copy.title_ja, copy.title_en) == (
        "draft", s.id, "働き方調査（コピー）", "Work style (copy)")
    assert (copy.anonymous, copy.min_group_size, copy.reminder_days, copy.closes_at) == (
        False, 7, 3, None)
    assert describe_audience(copy) == describe_audience(s)
    original = [(q.key, q.type, [o.key for o in q.options]) for q in ordered_questions(s)]
    copied = [(q.key, q.type, [o.key for o in q.options]) for q in ordered_questions(copy)]
    assert copied == original
    why = next(q for q in copy.questions if q.key == "why")
    tw = next(q for q in copy.questions if q.key == "tw")
    assert why.show_if_question_id == tw.id and why.show_if_option_key == "o1"
    moved = next(q for q in copy.questions if q.key == "days")
    assert moved.section_id == copy.sections[0].id != section.id
    assert db.session.scalars(select(AuditEvent.event).order_by(AuditEvent.id)).all()[-1] \
        == "survey.copied"
    long = _survey(env, title_ja="長" * 200)
    assert len(b.copy_survey(long, env.hr).title_ja) == 200
