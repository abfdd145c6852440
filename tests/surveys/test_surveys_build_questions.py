"""Survey builder rules for questions, options and sections: types and settings, keys,
conditions, ordering, and what a published survey refuses or still allows."""

from __future__ import annotations

import pytest

from surveys import building as b
from surveys import options as opt
from surveys import questions as qs
from surveys import sections as sec
from surveys.layout import layout, ordered_questions
from tests.surveys.surveys_build_helpers import answer, make_env, ready, survey
from workhub.errors import Conflict, DomainError
from workhub.extensions import db


@pytest.fixture
def env(app_ctx, time_machine):
    return make_env(time_machine)


# --- questions ----------------------------------------------------------------------------

def test_question_types_and_settings(env):
    s = survey(env)
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
    s = survey(env)
    qs.add_question(s, type="single", text_ja="既存", key="dup")
    with pytest.raises(DomainError) as err:
        qs.add_question(s, **{"type": "single", "text_ja": "質問", **fields})
    assert err.value.field == field


def test_too_many_questions_and_options(env, monkeypatch):
    s = survey(env)
    monkeypatch.setattr(qs, "MAX_QUESTIONS", 2)
    monkeypatch.setattr(opt, "MAX_OPTIONS", 2)
    q = qs.add_question(s, type="single", text_ja="1", options=["a", "b"])
    with pytest.raises(DomainError, match="2"):
        opt.add_option(q, label_ja="c")
    qs.add_question(s, type="date", text_ja="2")
    with pytest.raises(DomainError, match="2"):
        qs.add_question(s, type="date", text_ja="3")


def test_type_change_in_a_draft(env):
    s = ready(env)
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
    s = ready(env)
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
    s = ready(env)
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
    s = ready(env)
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
    s = ready(env)
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
    s = ready(env)
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
    s = ready(env)
    section = sec.add_section(s, title_ja="節")
    q = {x.key: x for x in s.questions}
    qs.update_question(q["days"], section_id=section.id)
    b.publish(s, env.hr)
    answer(s, q["days"], number=4)
    answer(s, q["days"], number=12)
    answer(s, q["why"], text="遠いから")
    with pytest.raises(Conflict) as err:
        action(s, {**q, "section": section})
    assert err.value.code == code and err.value.status == 409


def test_published_survey_allows_corrections_and_additions_at_the_end(env):
    s = ready(env)
    b.publish(s, env.hr)
    tw, why, days = ordered_questions(s)
    answer(s, days, number=4)
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
