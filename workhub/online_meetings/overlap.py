"""The database's own guarantee that two bookings of one licence never overlap.

PostgreSQL: an exclusion constraint over (licence, [starts_at, ends_at)). The licence is
written as the one-value range ``[licence_id, licence_id]`` so that ``&&`` (overlap) means
"the same licence" and no extension (btree_gist) is needed. SQLite has no exclusion
constraints; there two triggers refuse an INSERT or UPDATE that would overlap. SQLite lets
one writer at a time change the database and the trigger runs inside that write, so the
check and the write cannot be split by another connection.

The refusal names ``NAME`` on both databases (``is_overlap``), so the services can turn it
into a message when two people book one licence at the same moment.
"""

# ruff: noqa: S608 — every SQL string here is built from this module's constants, no input.
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

TABLE = "meeting_licence_bookings"
NAME = "meeting_licence_bookings_no_overlap"

_CLASH = (f"SELECT 1 FROM {TABLE} AS held WHERE held.licence_id = NEW.licence_id "
          "AND held.starts_at < NEW.ends_at AND NEW.starts_at < held.ends_at")
SQLITE_INSTALL = (
    f"CREATE TRIGGER {NAME}_insert BEFORE INSERT ON {TABLE} "
    f"WHEN EXISTS ({_CLASH}) BEGIN SELECT RAISE(ABORT, '{NAME}'); END",
    f"CREATE TRIGGER {NAME}_update BEFORE UPDATE OF licence_id, starts_at, ends_at ON {TABLE} "
    f"WHEN EXISTS ({_CLASH} AND held.id <> NEW.id) BEGIN SELECT RAISE(ABORT, '{NAME}'); END",
)
SQLITE_DROP = (f"DROP TRIGGER IF EXISTS {NAME}_insert", f"DROP TRIGGER IF EXISTS {NAME}_update")
PG_INSTALL = (
    f"ALTER TABLE {TABLE} ADD CONSTRAINT {NAME} EXCLUDE USING gist "
    "(int4range(licence_id, licence_id, '[]') WITH &&, "
    "tstzrange(starts_at, ends_at, '[)') WITH &&)",
)
PG_DROP = (f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {NAME}",)


def install(conn: Connection) -> None:
    for statement in (PG_INSTALL if conn.dialect.name == "postgresql" else SQLITE_INSTALL):
        conn.execute(text(statement))


def drop(conn: Connection) -> None:
    for statement in (PG_DROP if conn.dialect.name == "postgresql" else SQLITE_DROP):
        conn.execute(text(statement))


def is_overlap(exc: BaseException) -> bool:
    """Whether ``exc`` is the database refusing an overlapping booking."""
    return isinstance(exc, DBAPIError) and NAME in str(exc.orig)
