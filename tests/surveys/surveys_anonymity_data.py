"""Shared pieces of the anonymity tests (tests/test_surveys_anonymity*.py): the walk over
every table, the people who answer, and a look at the raw bytes the database keeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from surveys import answering
from surveys.models import Survey
from tests.surveys.surveys_answer_data import GOOD, person
from workhub.extensions import db

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
def respondents(app, make_department, make_user):
    make_department("IT", "情報政策課")
    make_department("FIN", "財政課")
    for name in ("emp", "mate", "hr"):
        make_user(name, roles=("employee", "hr") if name == "hr" else ("employee",),
                  department="IT", display_name=f"試験 {name}")
    for number in range(8):
        make_user(f"p{number}", department="IT" if number % 2 else "FIN")


def answer_as(survey_id: int, login_name: str, wish: str, recommend: int) -> None:
    survey = db.session.get(Survey, survey_id)
    answering.submit(survey, person(login_name), {**GOOD, "wishes": wish,
                                                  "recommend": recommend})
    db.session.commit()


def _pages(table: str) -> bytes:
    """Every page of ``table`` as stored, dead tuples and free space included."""
    db.session.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
    pages = db.session.scalar(text(
        "SELECT pg_relation_size(:t) / current_setting('block_size')::int"), {"t": table})
    return b"".join(bytes(db.session.scalar(text("SELECT get_raw_page(:t, :n)"),
                                            {"t": table, "n": n})) for n in range(pages))


def raw_database_holds(marker: str) -> bool:
    """Whether ``marker`` (as UTF-8 or as JSON's escape) is anywhere in the bytes the database
    keeps for the pool: PostgreSQL's pages of survey_pool and survey_drafts, read with
    pageinspect, or SQLite's database file and its write-ahead log."""
    needles = [marker.encode(), json.dumps(marker).encode()]
    if db.engine.dialect.name == "postgresql":
        blob = _pages("survey_pool") + _pages("survey_drafts")
        db.session.commit()
    else:
        path = Path(db.engine.url.database)
        blob = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    return any(n in blob for n in needles)


