"""Anonymity against the database's own bookkeeping (issue 13), on SQLite and PostgreSQL:
``xmin``/``ctid``, row order, id order and deleted rows pair no participation with a
response within a released batch."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from surveys.models import Survey, SurveyParticipation, SurveyPoolEntry, SurveyQuestion
from surveys.release import release
from tests.surveys.surveys_anonymity_data import answer_as, raw_database_holds
from tests.surveys.surveys_answer_data import count, full_survey, person
from workhub.extensions import db

pytestmark = pytest.mark.usefixtures("fast_hashing")


def _ten_answer_and_release(app) -> tuple[int, list[int]]:
    """Ten people answer in turn (the i-th says recommend = i); one batch is released.
    Returns the survey id and the participants in the order they answered."""
    with app.app_context():
        survey_id = full_survey(min_group_size=3).id
        order = []
        for number, name in enumerate([f"p{i}" for i in range(8)] + ["emp", "mate"]):
            answer_as(survey_id, name, "同じ要望", number)
            order.append(person(name).id)
        assert release(db.session.get(Survey, survey_id)) == 10
        db.session.commit()
        return survey_id, order


def _recommend_in(order_by_sql: str, survey_id: int) -> list[int]:
    recommend = db.session.scalar(select(SurveyQuestion.id).where(
        SurveyQuestion.key == "recommend", SurveyQuestion.survey_id == survey_id))
    sql = " ".join(("SELECT a.number FROM survey_answers a JOIN survey_responses r",
                    "ON r.id = a.response_id WHERE a.question_id = :q ORDER BY", order_by_sql))
    return [int(n) for n in db.session.execute(text(sql), {"q": recommend}).scalars()]


def test_ids_and_row_order_follow_no_order_of_participation(app, respondents):
    survey_id, order = _ten_answer_and_release(app)
    with app.app_context():
        by_participation = [p.user_id for p in db.session.scalars(
            select(SurveyParticipation).where(SurveyParticipation.survey_id == survey_id)
            .order_by(SurveyParticipation.id))]
        assert by_participation == order  # who answered when is no secret
        orders = {"response id": _recommend_in("r.id", survey_id),
                  "answer id": _recommend_in("a.id", survey_id)}
        if db.engine.dialect.name == "postgresql":
            orders["answer position"] = _recommend_in("a.ctid", survey_id)
            orders["response position"] = _recommend_in("r.ctid", survey_id)
        for what, values in orders.items():
            # Ten values in random order: in participation order by chance once in 3.6 million.
            assert sorted(values) == list(range(10)), what
            assert values != list(range(10)), f"{what} follows the order of participation"


def test_sqlite_keeps_no_hidden_row_order_of_responses_or_pool(app_ctx):
    """SQLite numbers ordinary rows in insertion order (rowid): the responses and the pool
    have none, so their rows are stored in the order of their random ids."""
    from sqlalchemy.exc import OperationalError

    if db.engine.dialect.name != "sqlite":
        assert db.engine.dialect.name == "postgresql"  # see the xmin/ctid test below
        return
    assert db.session.execute(text("PRAGMA secure_delete")).scalar() == 1
    for table in ("survey_responses", "survey_pool"):
        with pytest.raises(OperationalError):
            db.session.execute(text(f"SELECT rowid FROM {table}"))  # noqa: S608
        db.session.rollback()


def test_postgresql_xmin_and_ctid_pair_nobody_within_a_batch(app, respondents):
    """The attack of issue 13: join participation and responses on the transaction that
    wrote them, or on their position. Every row of a batch, participations included, carries
    the one transaction id of the release, so a join on xmin pairs each person with all of
    the batch's responses at once."""
    survey_id, _order = _ten_answer_and_release(app)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            assert db.engine.dialect.name == "sqlite"  # no transaction ids in the rows
            return
        xmin = {table: set(db.session.execute(text(
            f"SELECT xmin::text FROM {table} WHERE survey_id = :s"),  # noqa: S608
            {"s": survey_id}).scalars()) for table in (
            "survey_participation", "survey_responses")}
        answers_xmin = set(db.session.execute(text(
            "SELECT a.xmin::text FROM survey_answers a JOIN survey_responses r "
            "ON r.id = a.response_id WHERE r.survey_id = :s"), {"s": survey_id}).scalars())
        assert len(xmin["survey_responses"]) == 1
        assert xmin["survey_participation"] == xmin["survey_responses"] == answers_xmin
        pairs = db.session.execute(text(
            "SELECT p.user_id, count(*) FROM survey_participation p JOIN survey_responses r "
            "ON p.xmin = r.xmin WHERE p.survey_id = :s AND r.survey_id = :s "
            "GROUP BY p.user_id"), {"s": survey_id}).all()
        assert len(pairs) == 10 and {n for _user, n in pairs} == {10}
        # Before this design a savepoint gave the participation the next transaction id
        # after its response's: a join on a small offset paired them one to one.
        for offset in range(-3, 4):
            matches = db.session.execute(text(
                "SELECT count(*) FROM survey_participation p JOIN survey_responses r "
                "ON r.xmin::text::bigint = p.xmin::text::bigint + :d "
                "WHERE p.survey_id = :s AND r.survey_id = :s"), {"s": survey_id, "d": offset})
            assert matches.scalar() in (0, 100), offset


def test_released_pool_entries_leave_nothing_in_the_pages(app, respondents):
    """Deleted rows linger: PostgreSQL keeps dead tuples (and plain VACUUM leaves their bytes
    in the page), SQLite keeps freed cells unless ``secure_delete``. After a release the
    pool's JSON of the answers is nowhere in the stored bytes."""
    marker = "プールの秘密 c0de"
    with app.app_context():
        survey = full_survey(min_group_size=3)
        other = full_survey(min_group_size=5)
        answer_as(other.id, "p7", "残る回答", 1)  # keeps a live row on the pool's page
        for number in range(3):
            answer_as(survey.id, f"p{number}", f"{marker} {number}", number)
        # The check can see a pooled answer: before the release it is there.
        assert raw_database_holds(f"\"wishes\": \"{marker} 0\"")
        assert release(db.session.get(Survey, survey.id)) == 3
        db.session.commit()  # the release vacuums after its commit
        for number in range(3):
            assert not raw_database_holds(f"\"wishes\": \"{marker} {number}\"")
        assert count(SurveyPoolEntry) == 1


