"""Row locks and claims that settle two requests at once on both databases (core)."""

from __future__ import annotations

from sqlalchemy import select

from workhub.extensions import db


def lock_row(model, row_id: int) -> None:
    """Hold ``model``'s row ``row_id`` until the caller commits or rolls back, so a second
    request doing the same waits and then sees the first one's writes.

    PostgreSQL takes a row lock (SELECT … FOR UPDATE). SQLite has no row locks and ignores
    FOR UPDATE: there a no-op write takes the database's write lock instead, which is held
    to the end of the transaction just the same."""
    table = model.__table__
    (key,) = table.primary_key.columns
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.scalar(select(key).where(key == row_id).with_for_update())
    else:
        db.session.execute(table.update().where(key == row_id).values({key.name: key}))


def insert_unless_taken(model, values: dict, conflict: list[str], where=None):
    """INSERT … ON CONFLICT DO NOTHING RETURNING the key: one atomic statement, so two
    requests racing for a unique slot (a running session, a month close) get one winner and
    a None, without a failed flush that would spoil the caller's transaction."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    key = model.__table__.primary_key.columns.values()[0]
    stmt = (insert(model).values(**values)
            .on_conflict_do_nothing(index_elements=conflict, index_where=where)
            .returning(key))
    return db.session.execute(stmt).scalar()
