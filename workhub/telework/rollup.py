"""The statistics roll-up: telework_rollup kept by database triggers on telework_sessions.

Why triggers: a session row changes through the services, but also through cascades the ORM
never sees (deleting a person deletes their sessions; deleting a department sets their
department to NULL). A trigger runs in the same transaction as every one of those changes,
on SQLite and PostgreSQL alike, so the roll-up cannot drift. ``rebuild()`` recomputes it from
the sessions (``workhub telework-rollup --rebuild``, and the migration that creates it);
``check()`` compares the two (``workhub telework-rollup``).

Each session adds 1 to ``sessions`` and its length in seconds (when finished) to
``seconds`` (whole seconds) of two buckets: (month of ``day``, department or 0, place, slot,
weekday of ``day`` with 0 = Monday) and the same with department ``ORG`` (-1), the whole
office, so office-wide figures read ~60 rows a month instead of thousands. An update takes
the session out of its old buckets and puts it in the new ones.
"""

# ruff: noqa: S608 — every SQL string here is built from this module's constants, no input.
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

KEY = "month, department_key, place, slot, weekday"
ORG = -1  # department_key of the whole-office buckets

# --- SQLite ------------------------------------------------------------------------------

_SQLITE_BUCKET = {
    "month": "substr({r}.day, 1, 7)",
    "department_key": "coalesce({r}.department_id, 0)",
    "place": "{r}.place",
    "slot": "{r}.slot",
    "weekday": "(CAST(strftime('%w', {r}.day) AS INTEGER) + 6) % 7",
}
# Whole seconds: julianday() differences carry float noise; whole numbers add up exactly.
_SQLITE_SECONDS = ("coalesce(round((julianday({r}.ended_at) - julianday({r}.started_at)) "
                   "* 86400.0), 0.0)")


def _sqlite_bucket(r: str, org: bool) -> dict[str, str]:
    out = {col: expr.format(r=r) for col, expr in _SQLITE_BUCKET.items()}
    if org:
        out["department_key"] = str(ORG)
    return out


def _sqlite_add(r: str) -> str:
    out = []
    for org in (False, True):
        values = ", ".join(_sqlite_bucket(r, org).values())
        out.append(f"INSERT INTO telework_rollup ({KEY}, sessions, seconds) "
                   f"VALUES ({values}, 1, {_SQLITE_SECONDS.format(r=r)}) "
                   f"ON CONFLICT ({KEY}) DO UPDATE SET sessions = sessions + 1, "
                   f"seconds = seconds + excluded.seconds;")
    return " ".join(out)


def _sqlite_remove(r: str) -> str:
    out = []
    for org in (False, True):
        where = " AND ".join(f"{col} = {expr}" for col, expr in _sqlite_bucket(r, org).items())
        out.append(f"UPDATE telework_rollup SET sessions = sessions - 1, "
                   f"seconds = seconds - {_SQLITE_SECONDS.format(r=r)} WHERE {where}; "
                   f"DELETE FROM telework_rollup WHERE sessions <= 0 AND {where};")
    return " ".join(out)


SQLITE_TRIGGERS = (
    "CREATE TRIGGER telework_rollup_insert AFTER INSERT ON telework_sessions BEGIN "
    + _sqlite_add("NEW") + " END",
    "CREATE TRIGGER telework_rollup_delete AFTER DELETE ON telework_sessions BEGIN "
    + _sqlite_remove("OLD") + " END",
    # Only the columns that place a session in a bucket or change its length.
    "CREATE TRIGGER telework_rollup_update AFTER UPDATE OF day, department_id, place, slot, "
    "started_at, ended_at ON telework_sessions BEGIN "
    + _sqlite_remove("OLD") + " " + _sqlite_add("NEW") + " END",
)
SQLITE_DROP = tuple(f"DROP TRIGGER IF EXISTS telework_rollup_{op}"
                    for op in ("insert", "delete", "update"))

# --- PostgreSQL --------------------------------------------------------------------------

_PG_BUCKET = ("to_char({r}.day, 'YYYY-MM'), {dept}, {r}.place, "
              "{r}.slot, extract(isodow FROM {r}.day)::int - 1")
_PG_DEPT = "coalesce({r}.department_id, 0)"


def _pg_bucket(r: str, org: bool) -> str:
    return _PG_BUCKET.format(r=r, dept=str(ORG) if org else _PG_DEPT.format(r=r))


def _pg_statements(r: str) -> tuple[str, str]:
    """(take out of the old buckets, put in the new buckets) for OLD / NEW."""
    secs = _PG_SECONDS.format(r=r)
    remove = "".join(
        f"""
    UPDATE telework_rollup SET sessions = sessions - 1, seconds = seconds - {secs}
     WHERE ({KEY}) = ({_pg_bucket(r, org)});
    DELETE FROM telework_rollup WHERE sessions <= 0 AND ({KEY}) = ({_pg_bucket(r, org)});"""
        for org in (False, True))
    add = "".join(
        f"""
    INSERT INTO telework_rollup ({KEY}, sessions, seconds)
    VALUES ({_pg_bucket(r, org)}, 1, {secs})
    ON CONFLICT ({KEY}) DO UPDATE SET sessions = telework_rollup.sessions + 1,
           seconds = telework_rollup.seconds + excluded.seconds;"""
        for org in (False, True))
    return remove, add
_PG_SECONDS = "coalesce(round(extract(epoch FROM {r}.ended_at - {r}.started_at))::float8, 0.0)"

PG_TRIGGERS = (
    f"""
CREATE OR REPLACE FUNCTION telework_rollup_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN{_pg_statements("OLD")[0]}
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN{_pg_statements("NEW")[1]}
  END IF;
  RETURN NULL;
END
$$""",
    "CREATE TRIGGER telework_rollup_sync AFTER INSERT OR DELETE OR UPDATE OF day, "
    "department_id, place, slot, started_at, ended_at ON telework_sessions "
    "FOR EACH ROW EXECUTE FUNCTION telework_rollup_apply()",
)
PG_DROP = ("DROP TRIGGER IF EXISTS telework_rollup_sync ON telework_sessions",
           "DROP FUNCTION IF EXISTS telework_rollup_apply()")


def install_triggers(conn: Connection) -> None:
    for statement in (PG_TRIGGERS if conn.dialect.name == "postgresql" else SQLITE_TRIGGERS):
        conn.execute(text(statement))


def drop_triggers(conn: Connection) -> None:
    for statement in (PG_DROP if conn.dialect.name == "postgresql" else SQLITE_DROP):
        conn.execute(text(statement))


def _grouped_sessions(dialect: str) -> str:
    """The roll-up computed from the sessions, as a SELECT of (key…, sessions, seconds)."""
    parts = []
    for org in (False, True):
        if dialect == "postgresql":
            bucket, seconds = _pg_bucket("s", org), _PG_SECONDS.format(r="s")
        else:
            bucket = ", ".join(_sqlite_bucket("s", org).values())
            seconds = _SQLITE_SECONDS.format(r="s")
        # Group by result columns 1–5 (the constant department of the office-wide buckets
        # cannot be written as a GROUP BY term: a bare number there means a column position).
        parts.append(f"SELECT {bucket}, count(*), sum({seconds}) FROM telework_sessions s "
                     f"GROUP BY 1, 2, 3, 4, 5")
    return " UNION ALL ".join(parts)


def rebuild(conn: Connection) -> int:
    """Recompute the roll-up from the sessions (inside the caller's transaction; the
    sessions table is locked against writers meanwhile on PostgreSQL). Return its rows."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE telework_sessions IN SHARE MODE"))
    conn.execute(text("DELETE FROM telework_rollup"))
    conn.execute(text(f"INSERT INTO telework_rollup ({KEY}, sessions, seconds) "
                      + _grouped_sessions(conn.dialect.name)))
    return int(conn.execute(text("SELECT count(*) FROM telework_rollup")).scalar_one())


def check(conn: Connection) -> list[tuple]:
    """Buckets where the roll-up and the sessions disagree: (key, rollup, sessions)."""
    fresh = {tuple(row[:5]): (int(row[5]), float(row[6] or 0))
             for row in conn.execute(text(_grouped_sessions(conn.dialect.name)))}
    kept = {tuple(row[:5]): (int(row[5]), float(row[6] or 0))
            for row in conn.execute(text(f"SELECT {KEY}, sessions, seconds FROM telework_rollup"))}
    out = []
    for key in sorted(set(fresh) | set(kept), key=str):
        a, b = kept.get(key, (0, 0.0)), fresh.get(key, (0, 0.0))
        if a[0] != b[0] or abs(a[1] - b[1]) > 0.5:
            out.append((key, a, b))
    return out
