"""Answering rules at the service level: checking answers, drafts, one submission per
person, refusals that write nothing, and changing identified answers."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Date, DateTime, select

from surveys import answering as svc
from surveys import drafts
from surveys.models import (
    SurveyAnswer,
    SurveyDraft,
    SurveyParticipation,
    SurveyPoolEntry,
    SurveyResponse,
)
from surveys.validation import AnswerErrors, clean_text, validate_answers
from tests.dbstate import snapshot
from tests.surveys.surveys_answer_data import (
    GOOD,
    count,
    full_survey,
    memory_survey,
    person,
    release_all,
)
from workhub.database import UTCDateTime
from workhub.errors import Conflict, DomainError, Forbidden, NotFound
from workhub.extensions import db

pytestmark = pytest.mark.usefixtures("english", "fast_hashing")

REQUIRED_ONLY = {"satisfaction": 3, "place": "office"}


@pytest.fixture
def people(app_ctx, make_department, make_user):
    make_department("GEN", "総務局", name_en="General Affairs")
    make_department("IT", "情報政策課", parent="GEN")
    make_department("FIN", "財政課")
    make_user("emp", department="IT")
    make_user("mate", department="IT")
    make_user("fin", department="FIN")
    make_user("gone", department="IT", active=False)
    return {login: person(login) for login in ("emp", "mate", "fin", "gone")}


@pytest.fixture
def survey(app_ctx):
    return full_survey()


@pytest.fixture
def in_memory(app_ctx):
    """The same questions, never stored: checking answers needs no database."""
    return memory_survey()


def problems(exc: AnswerErrors) -> dict[str, str]:
    return {p.key: p.message for p in exc.problems}


# --- checking answers ------------------------------------------------------------------------


def test_good_answers_come_back_clean(in_memory):
    given = {**GOOD, "obstacles": ["devices", "network"], "name": "  テスト \t",
             "days": "２", "recommend": "8", "wishes": " 週 3 日\r\nを希望 "}
    clean = validate_answers(in_memory, given)
    assert clean == {**GOOD, "obstacles": ["network", "devices"], "wishes": "週 3 日\nを希望"}


def test_required_questions_are_named(in_memory):
    with pytest.raises(AnswerErrors) as err:
        validate_answers(in_memory, {"recommend": 3})
    found = problems(err.value)
    assert set(found) == {"satisfaction", "place"}
    assert found["place"] == "“Main place of work”: this question must be answered."
    assert err.value.status == 422 and err.value.field == "satisfaction"


def test_a_condition_makes_a_question_required_only_when_shown(in_memory):
    assert validate_answers(in_memory, {**REQUIRED_ONLY, "obstacles": ["devices"]})
    with pytest.raises(AnswerErrors) as err:
        validate_answers(in_memory, {**REQUIRED_ONLY, "obstacles": ["network"]})
    assert list(problems(err.value)) == ["network_detail"]


@pytest.mark.parametrize("detail", ["hidden text", 12345, {"x": 1}, "x" * 5000])
def test_answers_to_hidden_questions_are_dropped_whatever_they_are(in_memory, detail):
    clean = validate_answers(in_memory, {**REQUIRED_ONLY, "obstacles": ["devices"],
                                      "network_detail": detail})
    assert "network_detail" not in clean


def test_unknown_keys_are_refused_and_named(in_memory):
    with pytest.raises(AnswerErrors) as err:
        validate_answers(in_memory, {**REQUIRED_ONLY, "salary": 1, "\x00<b>evil</b>" + "x" * 99: 2})
    found = problems(err.value)
    assert found["salary"] == "There is no question salary in this survey."
    evil = next(k for k in found if k != "salary")
    assert "\x00" not in evil and len(evil) <= 40


@pytest.mark.parametrize("key,value,fragment", [
    ("satisfaction", 0, "from 1 to 5"),
    ("satisfaction", 6, "from 1 to 5"),
    ("satisfaction", 3.5, "from 1 to 5"),
    ("satisfaction", True, "from 1 to 5"),
    ("satisfaction", "abc", "from 1 to 5"),
    ("satisfaction", "9" * 50, "from 1 to 5"),
    ("satisfaction", [3], "from 1 to 5"),
    ("place", "garden", "choose one of the options"),
    ("place", 1, "choose one of the options"),
    ("place", ["home"], "choose one of the options"),
    ("obstacles", ["network", "network"], "only once"),
    ("obstacles", ["network", "weather"], "choose from the options"),
    ("obstacles", [1], "choose from the options"),
    ("obstacles", {"network": True}, "choose from the options"),
    ("recommend", 11, "from 0 to 10"),
    ("recommend", -1, "from 0 to 10"),
    ("recommend", 7.5, "from 0 to 10"),
    ("recommend", "8.5", "from 0 to 10"),
    ("days", 6, "from 0 to 5"),
    ("days", -0.5, "from 0 to 5"),
    ("days", "many", "enter a number"),
    ("days", "1e309", "enter a number"),
    ("days", float("nan"), "enter a number"),
    ("days", float("inf"), "enter a number"),
    ("days", [], None),  # empty: no answer, the question is optional
    ("since", "2025-02-30", "does not exist"),
    ("since", "2025/04/01", "YYYY-MM-DD"),
    ("since", "tomorrow", "YYYY-MM-DD"),
    ("since", 20250401, "YYYY-MM-DD"),
    ("since", "1800-01-01", "between 1900-01-01"),
    ("wishes", "あ" * 4001, "at most 4000 characters"),
    ("wishes", 5, "enter text"),
    ("name", "x" * 21, "at most 20 characters"),
    ("name", ["x"], "enter text"),
    ("tools", {"chat": 6}, "from 1 to 5"),
    ("tools", {"phone": 3}, "no statement phone"),
    ("tools", [1, 2], "1–5 scale"),
    ("tools", {"chat": "high"}, "from 1 to 5"),
])
def test_bad_values_are_refused_naming_the_question(in_memory, key, value, fragment):
    answers = {**REQUIRED_ONLY, key: value}
    if fragment is None:
        assert key not in validate_answers(in_memory, answers)
        return
    with pytest.raises(AnswerErrors) as err:
        validate_answers(in_memory, answers)
    found = problems(err.value)
    assert list(found) == [key]
    assert fragment in found[key]
    assert found[key].startswith("“")


def test_every_problem_is_reported_at_once(in_memory):
    with pytest.raises(AnswerErrors) as err:
        validate_answers(in_memory, {"satisfaction": 9, "days": 99, "bogus": 1})
    assert set(problems(err.value)) == {"bogus", "satisfaction", "place", "days"}
    assert all(m in err.value.message for m in problems(err.value).values())


def test_answers_must_be_an_object(in_memory):
    for bad in (None, [], "a=1", 5):
        with pytest.raises(AnswerErrors) as err:
            validate_answers(in_memory, bad)
        assert err.value.field == "answers"


def test_control_characters_are_removed_and_line_breaks_kept_only_in_long_text(in_memory):
    assert clean_text("a\x00b\u202ec\u200bd\x7f", multiline=False) == "abcd"
    assert clean_text("one\ntwo\u2028three", multiline=False) == "one two three"
    assert clean_text(" one\r\ntwo\rthree\u2029four\t ", multiline=True) == \
        "one\ntwo\nthree\nfour"
    clean = validate_answers(in_memory, {**REQUIRED_ONLY, "name": "\ud800名\x1b[31m前",
                                      "wishes": "\n\x00\n"})
    assert clean["name"] == "名[31m前" and "wishes" not in clean


def test_a_matrix_that_is_required_needs_every_row(in_memory):
    tools = next(q for q in in_memory.questions if q.key == "tools")
    tools.required = True
    with pytest.raises(AnswerErrors) as err:
        validate_answers(in_memory, {**REQUIRED_ONLY, "tools": {"chat": 2}})
    assert "every statement" in problems(err.value)["tools"]
    assert validate_answers(in_memory, {**REQUIRED_ONLY, "tools": {"chat": 2}}, partial=True)


def test_drafts_are_checked_for_types_not_for_required(in_memory):
    assert validate_answers(in_memory, {"days": 3}, partial=True) == {"days": 3}
    with pytest.raises(AnswerErrors):
        validate_answers(in_memory, {"days": 30}, partial=True)


def test_question_text_follows_the_language(in_memory):
    with pytest.raises(AnswerErrors) as err:
        validate_answers(in_memory, {"satisfaction": 1}, language="ja")
    assert "主な勤務場所" in problems(err.value)["place"]


# --- submitting ------------------------------------------------------------------------------


def test_anonymous_submission_keeps_no_person(people, time_machine):
    time_machine.move_to(datetime(2026, 3, 31, 15, 30, tzinfo=UTC), tick=False)  # 00:30 JST
    survey = full_survey()
    emp = people["emp"]
    drafts.save_draft(survey, emp, {"days": 1})
    result = svc.submit(survey, emp, GOOD)
    db.session.commit()
    assert result == svc.Submitted(survey.id, True, date(2026, 4, 1))
    part = db.session.scalar(select(SurveyParticipation))
    # Who took part, with no date and not yet released; the answers wait in the pool.
    assert (part.user_id, part.department_id, part.status, part.submitted_on,
            part.released) == (emp.id, emp.department_id, "submitted", None, False)
    assert count(SurveyResponse) == 0 and count(SurveyPoolEntry) == 1
    assert count(SurveyDraft) == 0
    assert svc.has_answered(survey, emp)
    assert release_all(survey) == 1
    assert count(SurveyPoolEntry) == 0
    response = db.session.scalar(select(SurveyResponse))
    assert (response.user_id, response.department_id, response.updated_at) == (None, None, None)
    assert svc.answers_of(survey, response) == GOOD
    db.session.refresh(part)
    assert part.released and part.submitted_on is None


def test_identified_submission_names_the_person(people):
    survey = full_survey(anonymous=False)
    emp = people["emp"]
    svc.submit(survey, emp, REQUIRED_ONLY)
    db.session.commit()
    response = svc.own_response(survey, emp)
    assert (response.user_id, response.department_id) == (emp.id, emp.department_id)
    assert svc.answers_of(survey, response) == REQUIRED_ONLY


def test_a_second_submission_is_refused_and_writes_nothing(app, people, survey):
    emp = people["emp"]
    svc.submit(survey, emp, GOOD)
    db.session.commit()
    before = snapshot(app)
    with pytest.raises(Conflict) as err:
        svc.submit(survey, emp, REQUIRED_ONLY)
    assert err.value.code == "already_answered"
    assert err.value.message == "You have already answered this survey."
    db.session.rollback()
    assert snapshot(app) == before


def test_the_database_decides_when_the_check_is_passed(app, people, survey, monkeypatch):
    """Two submits that both pass the early check (at the same moment): the unique
    participation refuses the second with 409, and the session stays usable."""
    emp = people["emp"]
    svc.submit(survey, emp, GOOD)
    db.session.commit()
    monkeypatch.setattr(svc, "participation_of", lambda survey, user: None)
    with pytest.raises(Conflict):
        svc.submit(survey, emp, REQUIRED_ONLY)
    assert count(SurveyPoolEntry) == 1 and count(SurveyParticipation) == 1


@pytest.mark.parametrize("change,who,error,code", [
    ({"status": "draft"}, "emp", Conflict, "survey_not_published"),
    ({"status": "closed"}, "emp", Conflict, "survey_closed"),
    ({"closes_at": -1}, "emp", Conflict, "survey_closed"),
    ({"opens_at": +1}, "emp", Conflict, "survey_not_open"),
    ({"audience_all": False}, "emp", Forbidden, "not_in_audience"),
    ({}, "gone", Forbidden, "inactive"),
])
def test_refusals_write_nothing(app, people, survey, change, who, error, code):
    now = datetime.now(UTC)
    for name, value in change.items():
        if name in ("opens_at", "closes_at"):
            survey.opens_at = now - timedelta(days=3) if name == "closes_at" else None
            value = now + timedelta(hours=value)
        setattr(survey, name, value)
    if "audience_all" in change:
        from surveys.models import SurveyAudience
        fin = people["fin"].department_id
        survey.audience.append(SurveyAudience(department_id=fin))
    db.session.commit()
    before = snapshot(app)
    for action in (lambda: svc.submit(survey, people[who], GOOD),
                   lambda: drafts.save_draft(survey, people[who], {"days": 1})):
        with pytest.raises(error) as err:
            action()
        assert err.value.code == code
        db.session.rollback()
    assert snapshot(app) == before


def test_an_upcoming_survey_says_when_it_opens(people, survey):
    survey.opens_at = datetime(2099, 1, 1, 0, 0, tzinfo=UTC)
    survey.closes_at = datetime(2099, 2, 1, tzinfo=UTC)
    with pytest.raises(Conflict) as err:
        svc.check_can_answer(survey, people["emp"])
    assert err.value.message == "This survey opens on 2099-01-01 09:00 (Japan time)."


def test_bad_answers_write_nothing(app, people, survey):
    before = snapshot(app)
    with pytest.raises(AnswerErrors):
        svc.submit(survey, people["emp"], {**GOOD, "satisfaction": 7})
    db.session.rollback()
    assert snapshot(app) == before


def test_a_response_keeps_no_period_or_time():
    names = {c.name for c in SurveyResponse.__table__.columns}
    assert "period" not in names
    time_types = {c.name for t in (SurveyResponse.__table__, SurveyPoolEntry.__table__,
                                   SurveyAnswer.__table__) for c in t.columns
                  if isinstance(c.type, Date | DateTime | UTCDateTime)}
    # Only identified edits keep a time; an answer's own date value is an answer.
    assert time_types == {"updated_at", "date_value"}


def test_answer_rows_get_random_ids_in_every_survey(people, survey):
    svc.submit(survey, people["emp"], GOOD)
    release_all(survey)
    ids = db.session.scalars(select(SurveyAnswer.id)).all()
    assert len(ids) == 12 and len(set(ids)) == 12
    assert all(0 < i < 2**31 for i in ids)
    assert max(ids) > 1000  # drawn at random: not 1, 2, 3…


# --- drafts ----------------------------------------------------------------------------------


def test_drafts_are_saved_resumed_and_replaced(people, survey):
    emp = people["emp"]
    assert drafts.draft_of(survey, emp) is None
    saved = drafts.save_draft(survey, emp, {"days": "3", "name": " 仮 "})
    assert saved.answers == {"days": 3, "name": "仮"} and saved.key
    db.session.commit()
    assert drafts.draft_of(survey, emp, saved.key) == {"days": 3, "name": "仮"}
    again = drafts.save_draft(survey, emp, {"satisfaction": 2}, key=saved.key)
    assert again.key == saved.key
    db.session.commit()
    assert drafts.draft_of(survey, emp, saved.key) == {"satisfaction": 2}
    assert count(SurveyDraft) == 1
    assert drafts.draft_of(survey, people["mate"]) is None
    assert drafts.discard_draft(survey, emp) and not drafts.discard_draft(survey, emp)


def test_an_identified_surveys_draft_is_not_sealed(people):
    survey = full_survey(anonymous=False)
    saved = drafts.save_draft(survey, people["emp"], {"days": 2})
    assert saved.key is None
    assert drafts.draft_of(survey, people["emp"]) == {"days": 2}


def test_a_sealed_draft_opens_only_with_its_key(people, survey):
    emp = people["emp"]
    saved = drafts.save_draft(survey, emp, {"name": "鍵のかかった下書き"})
    db.session.commit()
    row = drafts.draft_row(survey, emp)
    assert row.sealed and "鍵" not in row.answers_json and "name" not in row.answers_json
    for wrong in (None, "", "not a key", Fernet.generate_key().decode(), "é" * 44, "a" * 500):
        with pytest.raises(drafts.DraftSealed):
            drafts.draft_of(survey, emp, wrong)
    # Saving without the key starts a new one (the old draft is replaced, not merged).
    fresh = drafts.save_draft(survey, emp, {"days": 1}, key="garbage")
    assert fresh.key != saved.key
    assert drafts.draft_of(survey, emp, fresh.key) == {"days": 1}


def test_a_damaged_draft_resumes_empty(people, survey):
    emp = people["emp"]
    db.session.add(SurveyDraft(survey_id=survey.id, user_id=emp.id, answers_json="[1,",
                               saved_on=date.today()))
    db.session.flush()
    assert drafts.draft_of(survey, emp) == {}


def test_no_draft_after_answering(people, survey):
    emp = people["emp"]
    svc.submit(survey, emp, GOOD)
    with pytest.raises(Conflict):
        drafts.save_draft(survey, emp, {"days": 1})


# --- identified answers ----------------------------------------------------------------------


def test_identified_answers_can_be_changed_until_closing(people, time_machine):
    survey = full_survey(anonymous=False)
    emp = people["emp"]
    svc.submit(survey, emp, GOOD)
    db.session.commit()
    assert svc.can_edit_response(survey, emp)
    assert not svc.can_edit_response(survey, people["mate"])
    svc.update_response(survey, emp, {**REQUIRED_ONLY, "wishes": "変更"})
    db.session.commit()
    response = svc.own_response(survey, emp)
    assert svc.answers_of(survey, response) == {**REQUIRED_ONLY, "wishes": "変更"}
    assert response.updated_at is not None
    assert count(SurveyResponse) == 1 and count(SurveyParticipation) == 1
    with pytest.raises(AnswerErrors):
        svc.update_response(survey, emp, {"satisfaction": 1})
    db.session.rollback()
    time_machine.move_to(survey.closes_at + timedelta(seconds=1), tick=False)
    assert not svc.can_edit_response(survey, emp)
    with pytest.raises(Conflict) as err:
        svc.update_response(survey, emp, REQUIRED_ONLY)
    assert err.value.code == "survey_closed"
    # Closed, the answers can still be read.
    assert svc.answers_of(survey, svc.own_response(survey, emp))["wishes"] == "変更"


def test_identified_answers_stay_when_editing_is_off(people):
    survey = full_survey(anonymous=False, editable=False)
    emp = people["emp"]
    svc.submit(survey, emp, GOOD)
    assert not svc.can_edit_response(survey, emp)
    with pytest.raises(Conflict) as err:
        svc.update_response(survey, emp, REQUIRED_ONLY)
    assert err.value.code == "not_editable"


def test_anonymous_answers_can_never_be_changed_or_found(people, survey):
    emp = people["emp"]
    svc.submit(survey, emp, GOOD)
    assert not svc.can_edit_response(survey, emp)
    with pytest.raises(Conflict) as err:
        svc.update_response(survey, emp, REQUIRED_ONLY)
    assert err.value.code == "anonymous"
    with pytest.raises(NotFound) as err:
        svc.own_response(survey, emp)
    assert err.value.code == "anonymous"


def test_nothing_to_change_before_answering(people):
    survey = full_survey(anonymous=False)
    with pytest.raises(NotFound) as err:
        svc.update_response(survey, people["emp"], REQUIRED_ONLY)
    assert err.value.code == "not_answered"


def test_drafts_are_json_in_the_answer_shape(people):
    survey = full_survey(anonymous=False)
    drafts.save_draft(survey, people["emp"], {"tools": {"video": "4"}, "since": "2025-04-01"})
    row = db.session.scalar(select(SurveyDraft))
    assert json.loads(row.answers_json) == {"since": "2025-04-01", "tools": {"video": 4}}
    assert isinstance(svc.answer_refusal(survey, people["emp"]), type(None))
    assert issubclass(AnswerErrors, DomainError)
