"""The statistics roll-up: telework_rollup kept by database triggers on telework_sessions.

Why triggers: a session row changes through the services, but also through cascades the ORM
never sees (deleting a person deletes their sessions; deleting a department sets their
department to NULL). A trigger runs in the same transaction as every one of those changes,
on SQLite and PostgreSQL alike, so the roll-up cannot drift. ``rebuild()`` recomputes it from
the sessions (``workhub telework-rollup --rebuild``, and the migration that creates it);
``check()`` compares the two (``workhub telework-rollup``).

Each session adds 1 to ``sessions`` and its length in whole seconds (when finished) to
``seconds`` of three buckets, keyed (month of ``day``, department, place, slot, weekday):

* (…, its department or 0, …, weekday of ``day`` with 0 = Monday): departments' weekdays;
* (…, ``ORG`` = -1, …, weekday): the whole office, ~60 rows a month instead of thousands;
* (…, its department or 0, …, ``ALL_DAYS`` = -1): departments' totals, ~5× fewer rows.

An update takes the session out of its old buckets and puts it in the new ones.
"""

# ruff: noqa: S608 — every SQL string here is built from this module's constants, no input.
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

KEY = "month, department_key, place, slot, weekday"
ORG = -1  # department_key of the whole-office buckets
ALL_DAYS = -1  # weekday of the departments' all-weekday buckets
# (whole office?, all weekdays?) of each bucket a session is counted in.
BUCKETS = ((False, False), (True, False), (False, True))

# SQL expressions of the key columns and the seconds, per dialect; {r} is the row (NEW/OLD).
_SQL = {
    "sqlite": {
        "month": "substr({r}.day, 1, 7)",
        "department_key": "coalesce({r}.department_id, 0)",
        "place": "{r}.place",
        "slot": "{r}.slot",
        "weekday": "(CAST(strftime('%w', {r}.day) AS INTEGER) + 6) % 7",
        # Whole seconds: julianday() differences carry float noise; whole numbers add exactly.
        "seconds": "coalesce(round((julianday({r}.ended_at) - julianday({r}.started_at)) "
                   "* 86400.0), 0.0)",
    },
    "postgresql": {
        "month": "to_char({r}.day, 'YYYY-MM')",
        "department_key": "coalesce({r}.department_id, 0)",
        "place": "{r}.place",
        "slot": "{r}.slot",
        "weekday": "extract(isodow FROM {r}.day)::int - 1",
        "seconds": "coalesce(round(extract(epoch FROM {r}.ended_at - {r}.started_at))::float8, "
                   "0.0)",
    },
}


def _bucket(dialect: str, r: str, org: bool, all_days: bool) -> dict[str, str]:
    out = {col: _SQL[dialect][col].format(r=r) for col in KEY.split(", ")}
    if org:
        out["department_key"] = str(ORG)
    if all_days:
        out["weekday"] = str(ALL_DAYS)
    return out


def _add(dialect: str, r: str) -> str:
    seconds = _SQL[dialect]["seconds"].format(r=r)
    return " ".join(
        f"INSERT INTO telework_rollup ({KEY}, sessions, seconds) "
        f"VALUES ({', '.join(_bucket(dialect, r, *b).values())}, 1, {seconds}) "
        f"ON CONFLICT ({KEY}) DO UPDATE SET sessions = telework_rollup.sessions + 1, "
        f"seconds = telework_rollup.seconds + excluded.seconds;"
        for b in BUCKETS)


def _remove(dialect: str, r: str) -> str:
    seconds = _SQL[dialect]["seconds"].format(r=r)
    out = []
    for b in BUCKETS:
        where = " AND ".join(f"{c} = {e}" for c, e in _bucket(dialect, r, *b).items())
        out.append(f"UPDATE telework_rollup SET sessions = sessions - 1, "
                   f"seconds = seconds - {seconds} WHERE {where}; "
                   f"DELETE FROM telework_rollup WHERE sessions <= 0 AND {where};")
    return " ".join(out)


# Only the columns that place a session in a bucket or change its length.
_WATCHED = "day, department_id, place, slot, started_at, ended_at"

SQLITE_TRIGGERS = (
    "CREATE TRIGGER telework_rollup_insert AFTER INSERT ON telework_sessions BEGIN "
    + _add("sqlite", "NEW") + " END",
    "CREATE TRIGGER telework_rollup_delete AFTER DELETE ON telework_sessions BEGIN "
    + _remove("sqlite", "OLD") + " END",
    f"CREATE TRIGGER telework_rollup_update AFTER UPDATE OF {_WATCHED} ON telework_sessions "
    "BEGIN " + _remove("sqlite", "OLD") + " " + _add("sqlite", "NEW") + " END",
)
SQLITE_DROP = tuple(f"DROP TRIGGER IF EXISTS telework_rollup_{op}"
                    for op in ("insert", "delete", "update"))

PG_TRIGGERS = (
    f"""CREATE OR REPLACE FUNCTION telework_rollup_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN {_remove("postgresql", "OLD")} END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN {_add("postgresql", "NEW")} END IF;
  RETURN NULL;
END
$$""",
    f"CREATE TRIGGER telework_rollup_sync AFTER INSERT OR DELETE OR UPDATE OF {_WATCHED} "
    "ON telework_sessions FOR EACH ROW EXECUTE FUNCTION telework_rollup_apply()",
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
    seconds = _SQL[dialect]["seconds"].format(r="s")
    # Grouped by result columns 1–5: a constant key (-1) cannot be a GROUP BY term, where a
    # bare number means a column position.
    return " UNION ALL ".join(
        f"SELECT {', '.join(_bucket(dialect, 's', *b).values())}, count(*), sum({seconds}) "
        f"FROM telework_sessions s GROUP BY 1, 2, 3, 4, 5"
        for b in BUCKETS)


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
