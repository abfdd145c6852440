"""The database's state for the tests: empty every table, read every row, compare two
snapshots, write a saved world back (``Restore``)."""

from __future__ import annotations

from sqlalchemy import Text, cast, delete, event, exists, func, literal, select, union_all
from sqlalchemy.dialects.postgresql import aggregate_order_by

from workhub.extensions import db


def empty_tables(connection) -> None:
    """Delete every row, children first."""
    tables = db.metadata.sorted_tables
    if connection.dialect.name == "postgresql":
        # One statement, one round trip (PostgreSQL checks the foreign keys at its end).
        connection.execute(_one_statement(delete(table) for table in tables))
        return
    # In-process SQLite: a statement is cheap, so only skip the tables that are empty.
    probes = [select(literal(table.name)).where(exists(select(literal(1)).select_from(table)))
              for table in tables]
    filled = set(connection.execute(union_all(*probes)).scalars())
    for table in reversed(tables):
        if table.name in filled:
            connection.execute(delete(table))


def _one_statement(changes, *columns):
    """A SELECT of ``columns`` carrying the data-changing statements ``changes`` as common
    table expressions (PostgreSQL runs them together in one statement)."""
    return select(*(columns or (literal(1),))).add_cte(
        *(change.cte(f"change_{n}") for n, change in enumerate(changes)))


def table_rows(app) -> dict[str, list]:
    """Every row of every table, as Python values (what ``restore`` writes back)."""
    with app.app_context():
        connection = db.session.connection()
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in db.metadata.sorted_tables
        }


def snapshot(app) -> dict[str, object]:
    """Every row of every table: equal before and after means nothing was written.

    On PostgreSQL each table comes as the JSON text of its rows, all tables in one query (one
    round trip instead of one a table); the text keeps every stored value exactly."""
    with app.app_context():
        connection = db.session.connection()
        if connection.dialect.name != "postgresql":
            return table_rows(app)
        tables = db.metadata.sorted_tables
        query = select(*(
            select(cast(func.json_agg(aggregate_order_by(table.table_valued(),
                                                         *table.primary_key.columns)), Text))
            .scalar_subquery()
            for table in tables
        ))
        return dict(zip((table.name for table in tables), connection.execute(query).one(),
                        strict=True))


# Kept by database triggers from telework_sessions (workhub/telework/rollup.py): restoring the
# sessions restores it.
DERIVED_TABLES = frozenset({"telework_rollup"})


class Restore:
    """Writes ``rows`` (what ``table_rows`` returned) back into the empty database: call it
    with the app, as often as needed.

    On PostgreSQL it is one statement (one round trip), built and compiled the first time and
    then sent to the driver as it was; every id sequence then restarts after the highest id,
    as SQLite's ids do, so the ids a test creates do not depend on the tests before it. On
    SQLite the tables go in dependency order, each table's rows in key order (a parent
    department before its children).
    """

    def __init__(self, rows: dict[str, list]):
        self.rows = rows
        self._sent: tuple[str, object] | None = None  # (SQL, parameters) as the driver got them

    def _tables(self):
        return [table for table in db.metadata.sorted_tables
                if self.rows.get(table.name) and table.name not in DERIVED_TABLES]

    def _values(self, table) -> list[dict]:
        keys = [column.key for column in table.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows[table.name]]

    def __call__(self, app) -> None:
        with app.app_context():
            connection = db.session.connection()
            if connection.dialect.name != "postgresql":
                for table in self._tables():
                    connection.execute(table.insert(), self._values(table))
            elif self._sent is not None:
                connection.exec_driver_sql(*self._sent)
            else:
                statement = _one_statement(
                    (table.insert().values(self._values(table)) for table in self._tables()),
                    *_restart_sequences(self.rows))

                def keep(_conn, _cursor, sql, parameters, _context, _many):
                    self._sent = (sql, parameters)

                event.listen(connection, "before_cursor_execute", keep)
                try:
                    connection.execute(statement)
                finally:
                    event.remove(connection, "before_cursor_execute", keep)
            db.session.commit()


def _restart_sequences(rows: dict[str, list]) -> list:
    """``setval`` calls that make each integer id sequence continue after the highest id in
    ``rows`` (1 for an empty table)."""
    calls = []
    for table in db.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is not None:
            at = list(table.columns).index(column)
            highest = max((row[at] for row in rows.get(table.name, ())), default=0)
            calls.append(func.setval(func.pg_get_serial_sequence(table.name, column.name),
                                     highest + 1, False))
    return calls
