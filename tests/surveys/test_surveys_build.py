"""Survey builder rules: settings and times, questions, options, sections, conditions,
ordering, publishing, closing, copying, deleting, and what a published survey refuses."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from surveys import building as b
from surveys import options as opt
from surveys import questions as qs
from surveys import sections as sec
from surveys.audience import describe_audience, set_audience
from surveys.layout import ordered_questions
from surveys.models import Survey
from tests.surveys.surveys_build_helpers import NOW, make_env, ready, survey
from workhub.auth.models import AuditEvent
from workhub.errors import Conflict, DomainError
from workhub.extensions import db

pytestmark = pytest.mark.usefixtures("english")  # messages matched by their wording


@pytest.fixture
def env(app_ctx, time_machine):
    return make_env(time_machine)


# --- settings --------------------------------------------------------------------------------

def test_new_survey_defaults(env, app, monkeypatch):
    s = survey(env)
    assert (s.status, s.anonymous, s.audience_all, s.min_group_size) == ("draft", True, True, 5)
    assert s.created_by_id == env.hr.id
    monkeypatch.setitem(app.config, "SURVEY_MIN_GROUP_SIZE", 8)
    assert survey(env).min_group_size == 8


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
        survey(env, **fields)
    assert err.value.field == field


def test_multiline_description_and_unknown_field(env):
    s = survey(env, description_ja="一行目\n二行目")
    assert s.description_ja == "一行目\n二行目"
    with pytest.raises(DomainError):
        b.update_survey(s, env.hr, status="published")
    assert s.status == "draft"


def test_anonymity_is_fixed_at_publishing(env):
    """People answer and keep drafts under the promise they were shown: once published, the
    survey's anonymity cannot change, even before the first answer."""
    s = ready(env)
    b.update_survey(s, env.hr, anonymous=False)  # a draft: still free
    b.update_survey(s, env.hr, anonymous=True)
    b.publish(s, env.hr)
    with pytest.raises(Conflict) as err:
        b.update_survey(s, env.hr, anonymous=False)
    assert err.value.code == "anonymity_locked" and err.value.status == 409
    assert err.value.field == "anonymous"
    assert s.anonymous
    b.update_survey(s, env.hr, anonymous=True)  # the same value is no change
    b.close(s, env.hr)
    with pytest.raises(Conflict):
        b.update_survey(s, env.hr, anonymous=False)


def test_every_change_of_settings_is_audited(env):
    s = ready(env)
    b.update_survey(s, env.hr, ip="192.0.2.7", anonymous=False, min_group_size=8,
                    title_ja="改題", reminder_days=3)
    b.update_survey(s, env.hr, anonymous=False)  # no change, no entry
    b.change_audience(s, env.hr, everyone=False, roles=["hr"])
    b.change_audience(s, env.hr, everyone=False, roles=["hr"])  # the same again
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.event.like("survey.%")).order_by(AuditEvent.id)).all()
    assert [e.event for e in events] == ["survey.updated", "survey.audience_changed"]
    updated, audience = events
    assert (updated.actor_id, updated.target, updated.ip) == (
        env.hr.id, f"survey:{s.id}", "192.0.2.7")
    assert updated.detail["changes"] == {
        "anonymous": {"from": True, "to": False}, "min_group_size": {"from": 5, "to": 8},
        "reminder_days": {"from": None, "to": 3},
        "title_ja": {"from": None, "to": None}}  # which text changed, not the text
    assert updated.detail["status"] == "draft"
    assert audience.detail["changes"]["from"]["everyone"] is True
    assert audience.detail["changes"]["to"]["roles"] == ["hr"]


def test_published_times_and_k(env, time_machine):
    s = ready(env, opens_at=NOW + timedelta(days=1), min_group_size=6)
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
    s = ready(env)
    b.publish(s, env.hr)
    b.close(s, env.hr)
    b.update_survey(s, env.hr, title_en="Work style")
    with pytest.raises(Conflict):
        b.update_survey(s, env.hr, reminder_days=3)
    with pytest.raises(Conflict):
        qs.add_question(s, type="text", text_ja="追加")
    qs.update_question(s.questions[0], text_ja="テレワークの頻度")


# --- publish, close, delete, copy -----------------------------------------------------------

def test_publish_lists_every_problem(env, time_machine):
    s = survey(env, closes_at=NOW + timedelta(hours=1))
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
    s = ready(env)
    with pytest.raises(Conflict):
        b.close(s, env.hr)
    b.publish(s, env.hr)
    b.close(s, env.hr)
    assert s.status == "closed" and s.closed_at is not None
    with pytest.raises(Conflict):
        b.close(s, env.hr)
    draft = survey(env)
    draft_id = draft.id
    b.delete_survey(draft, env.hr)
    assert db.session.get(Survey, draft_id) is None
    events = db.session.scalars(select(AuditEvent.event).order_by(AuditEvent.id)).all()
    assert events == ["survey.published", "survey.closed", "survey.deleted"]


def test_copy_is_a_deep_draft_with_its_audience(env):
    s = ready(env, title_en="Work style", reminder_days=3, min_group_size=7, anonymous=False)
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
    long = survey(env, title_ja="長" * 200)
    assert len(b.copy_survey(long, env.hr).title_ja) == 200


# --- the built-in template ------------------------------------------------------------------

def test_template_is_a_bilingual_publishable_draft(env):
    from surveys.template import create_from_template, template_titles

    assert template_titles()[0][:2] == ("telework", "テレワーク・働き方アンケート")
    s = create_from_template(env.hr, "telework")
    assert (s.status, s.template_key, s.anonymous, s.title_en) == (
        "draft", "telework", True, "Telework and work-style survey")
    order = ordered_questions(s)
    assert {q.type for q in order} >= {"single", "likert", "likert_matrix", "rating",
                                       "multiple", "text", "longtext"}
    assert all(q.text_ja and q.text_en for q in order)
    assert all(o.label_ja and o.label_en for q in order for o in q.options)
    assert all(sct.title_en for sct in s.sections)
    obstacles = next(q for q in order if q.key == "obstacles")
    assert [o.key for o in obstacles.options] == [
        "network", "devices", "communication", "attendance", "paper", "home", "other"]
    other = next(q for q in order if q.key == "obstacles_other")
    assert (other.show_if_question_id, other.show_if_option_key) == (obstacles.id, "other")
    bureau = next(q for q in order if q.key == "bureau")
    assert bureau.type == "single" and not bureau.required
    productivity = next(q for q in order if q.key == "productivity")
    assert (productivity.min_value, productivity.max_value) == (0, 10)
    assert b.publish_problems(s) == []
    b.update_survey(s, env.hr, closes_at=NOW + timedelta(days=14))
    b.publish(s, env.hr)
    assert s.status == "published"
    again = create_from_template(env.hr, "telework")  # two from one template: no clash
    assert again.id != s.id and len(again.questions) == len(s.questions)


def test_the_online_meeting_tools_template_is_publishable(env):
    from surveys.template import create_from_template, template_titles

    assert ("online_meetings", "オンライン会議ツールに関するアンケート",
            "Online meeting tools survey") in template_titles()
    s = create_from_template(env.hr, "online_meetings")
    order = ordered_questions(s)
    assert all(q.text_ja and q.text_en for q in order)
    assert all(o.label_ja and o.label_en for q in order for o in q.options)
    quality = next(q for q in order if q.key == "tool_quality")
    assert [o.key for o in quality.options] == ["sound", "picture", "connection", "joining",
                                                "externals"]
    assert b.publish_problems(s) == []
    b.update_survey(s, env.hr, closes_at=NOW + timedelta(days=14))
    b.publish(s, env.hr)
    assert (s.status, s.template_key) == ("published", "online_meetings")


@pytest.mark.parametrize("key", ["nope", "", None, 3, ["telework"]])
def test_unknown_template(env, key):
    from surveys.template import create_from_template
    from workhub.errors import NotFound

    with pytest.raises(NotFound):
        create_from_template(env.hr, key)


def test_deleting_the_original_of_a_copy_keeps_the_copy(env):
    original = ready(env)
    copy = b.copy_survey(original, env.hr)
    db.session.commit()
    copy_id = copy.id
    b.delete_survey(original, env.hr)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Survey, copy_id).copied_from_id is None
