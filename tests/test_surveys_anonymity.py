"""Anonymity is a property of storage: after answering an anonymous survey (through the page
and the API, after a draft), no row of any table holds both the person and their response
or answers; responses keep the ISO week only; ids follow no order of participation; the
audit log and the log lines hold neither the response id nor an answer."""

from __future__ import annotations

import json
import logging
import re
import uuid

import pytest
from conftest import csrf_token, login
from sqlalchemy import inspect, select
from surveys_answer_data import GOOD, full_survey, person

from surveys import answering
from surveys.models import SurveyAnswer, SurveyParticipation, SurveyQuestion, SurveyResponse
from workhub.auth.services import create_token
from workhub.extensions import db

pytestmark = pytest.mark.usefixtures("fast_hashing")

SECRET_WISH = "匿名のはずの要望 7f3a"  # answer text that must never sit next to its author
SECRET_NAME = "ひみつ 91c2"


def _person_columns(table) -> set[str]:
    """Columns pointing at users.id."""
    return {fk.parent.name for fk in table.foreign_keys if fk.column.table.name == "users"}


def linked_rows(user, markers: set[str]) -> list[tuple[str, dict]]:
    """Every row, in every table of the schema, that holds ``user`` (their id in a column
    pointing at users, or their login, e-mail or name in any text) together with any of
    ``markers`` (response ids, answer texts) anywhere in the row."""
    names = {user.login, user.email, user.display_name}
    found = []
    tables = inspect(db.engine).get_table_names()
    assert set(db.metadata.tables) <= set(tables)  # the walk covers the whole schema
    for name in sorted(db.metadata.tables):
        table = db.metadata.tables[name]
        person_columns = _person_columns(table) | ({"id"} if name == "users" else set())
        for row in db.session.execute(select(table)).mappings():
            texts = [json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, dict | list)
                     else str(v) for v in row.values() if v is not None]
            has_person = any(row[c] == user.id for c in person_columns) or any(
                n in t for n in names for t in texts)
            has_answer = any(m in t for m in markers for t in texts)
            if has_person and has_answer:
                found.append((name, dict(row)))
    return found


@pytest.fixture
def people(app, make_department, make_user):
    make_department("IT", "情報政策課")
    for name in ("emp", "mate", "hr"):
        make_user(name, roles=("employee", "hr") if name == "hr" else ("employee",),
                  department="IT", display_name=f"試験 {name}")


def answer_by_page(client, survey_id: int) -> None:
    token = csrf_token(client, f"/surveys/{survey_id}/answer")
    form = {"q-satisfaction": "2", "q-place": "home", "q-obstacles": "network",
            "q-network_detail": SECRET_NAME, "q-wishes": SECRET_WISH, "csrf_token": token}
    assert client.post(f"/surveys/{survey_id}/answer",
                       data={**form, "action": "draft"}).status_code == 303
    assert client.post(f"/surveys/{survey_id}/answer",
                       data={**form, "action": "submit"}).status_code == 303


def test_no_row_links_a_person_to_their_anonymous_answers(app, client, people, caplog):
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
        responses = db.session.scalars(select(SurveyResponse)).all()
        assert len(responses) == 2
        markers = {r.id for r in responses} | {SECRET_WISH, SECRET_NAME}
        for login_name in ("emp", "mate"):
            assert linked_rows(person(login_name), markers) == []
        for response in responses:
            assert response.user_id is None and response.department_id is None
            assert re.fullmatch(r"[0-9]{4}-W[0-9]{2}", response.period)
            assert response.updated_at is None
            assert uuid.UUID(response.id).version == 4
        participation = db.session.scalars(select(SurveyParticipation)).all()
        assert {p.user_id for p in participation} == {person("emp").id, person("mate").id}
        log_text = "\n".join(r.getMessage() for r in caplog.records)
        assert "a response was submitted to survey" in log_text
        for marker in markers:
            assert marker not in log_text
        assert all(r.args in ((), None) or r.args == (survey_id,) for r in caplog.records
                   if "response was submitted" in r.msg)


def test_the_walk_does_find_a_link_when_there_is_one(app, people):
    """The check above can fail: an identified survey links person and answers."""
    with app.app_context():
        survey = full_survey(anonymous=False)
        emp = person("emp")
        answering.submit(survey, emp, {**GOOD, "wishes": SECRET_WISH})
        db.session.commit()
        response = db.session.scalar(select(SurveyResponse))
        assert ("survey_responses", ) == tuple({t for t, _row in
                                                 linked_rows(emp, {response.id})})
        answering.save_draft(full_survey(), person("mate"), {"wishes": SECRET_WISH})
        assert "survey_drafts" in {t for t, _row in linked_rows(person("mate"), {SECRET_WISH})}


def test_ids_follow_no_order_of_participation(app, make_department, make_user):
    make_department("IT", "情報政策課")
    logins = [f"p{i:02d}" for i in range(10)]
    for name in logins:
        make_user(name, department="IT")
    with app.app_context():
        survey = full_survey()
        for number, name in enumerate(logins):  # the i-th person answers recommend = i
            answering.submit(survey, person(name), {"satisfaction": 3, "place": "home",
                                                    "recommend": number})
            db.session.commit()
        order = [p.user_id for p in db.session.scalars(
            select(SurveyParticipation).order_by(SurveyParticipation.id))]
        assert order == [person(name).id for name in logins]
        recommend = db.session.scalar(select(SurveyQuestion.id)
                                      .where(SurveyQuestion.key == "recommend"))
        by_response_id = [int(n) for n in db.session.scalars(
            select(SurveyAnswer.number).join(SurveyResponse)
            .where(SurveyAnswer.question_id == recommend).order_by(SurveyResponse.id))]
        by_answer_id = [int(n) for n in db.session.scalars(
            select(SurveyAnswer.number).where(SurveyAnswer.question_id == recommend)
            .order_by(SurveyAnswer.id))]
        # Ten values in random order: in participation order by chance once in 3.6 million.
        assert sorted(by_response_id) == list(range(10))
        assert by_response_id != list(range(10)) and by_answer_id != list(range(10))


def test_the_audit_log_and_notifications_stay_silent(app, client, people):
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
        events = db.session.scalars(select(AuditEvent)).all()
        # Signing in is audited; answering is not.
        assert not [e for e in events if e.event.startswith("survey")
                    and "response" in json.dumps(e.detail)]
        assert (db.session.query(Job).count(), db.session.query(Notification).count()) == \
            before[1:]


def test_sqlite_keeps_no_hidden_row_order_of_responses(app_ctx):
    """SQLite numbers ordinary rows in insertion order (rowid): the responses table has none,
    so its rows are stored in the order of their random ids."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    if db.engine.dialect.name != "sqlite":
        # PostgreSQL has no such column to remove (its physical order is a documented limit).
        assert db.engine.dialect.name == "postgresql"
        return
    with pytest.raises(OperationalError):
        db.session.execute(text("SELECT rowid FROM survey_responses"))
    db.session.rollback()
