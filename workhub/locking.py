"""Row locks that serialise two requests at once on both databases (core)."""

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
