"""Shared fixtures: one app per run on SQLite or PostgreSQL, a clean database per test.

Which database: ``WORKHUB_TEST_DB=sqlite`` (default) or ``postgresql``; for PostgreSQL a fresh
database is created from ``WORKHUB_TEST_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``) and dropped at the end, so runs never share
state. A missing PostgreSQL fails the run: it does not skip.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Text, cast, delete, event, exists, func, literal, select, union_all
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import make_url

from workhub import create_app
from workhub.extensions import db, limiter

# Fixtures of the real components live in their own modules.
pytest_plugins = ["fixtures_ldap", "fixtures_browser", "fixtures_smtp", "surveys_anonymity_data"]

TEST_PASSWORD = "Kasumigaseki-2026"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def _backend() -> str:
    backend = os.environ.get("WORKHUB_TEST_DB", "sqlite")
    if backend not in ("sqlite", "postgresql"):
        raise pytest.UsageError("WORKHUB_TEST_DB must be sqlite or postgresql")
    return backend


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if _backend() == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'workhub.db'}"
        return
    import psycopg

    base = make_url(
        os.environ.get("WORKHUB_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    ).set(drivername="postgresql+psycopg")
    name = f"workhub_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin_dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
        # A test database need not survive a crash: commits do not wait for the disk.
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit TO off')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    # create_app reads the environment first: keep it away from the checkout's instance/.
    os.environ["WORKHUB_INSTANCE_PATH"] = str(instance)
    os.environ.setdefault("WORKHUB_SECRET_KEY", "test-" + secrets.token_hex(16))
    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(instance),
            "UPLOAD_DIR": str(instance / "uploads"),
            "SECRET_KEY": "test-" + secrets.token_hex(16),
            "AUTH_PROVIDERS": ["local"],
        }
    )
    from workhub.migrate import upgrade

    with application.app_context():
        if db.engine.dialect.name == "sqlite":
            # A test database need not survive a crash: commits do not wait for the disk.
            event.listen(db.engine, "connect", _commit_without_fsync)
            db.engine.dispose()
        # The schema comes from the migrations, so every run also tests them.
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


def _commit_without_fsync(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


@pytest.fixture(autouse=True)
def _clean(request, app):
    """Empty every table and the rate-limit counters after each test."""
    yield
    with app.app_context():
        db.session.rollback()
        empty_tables(db.session.connection())
        db.session.commit()
        db.session.remove()
    limiter.reset()


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


@pytest.fixture
def fast_hashing(monkeypatch):
    """scrypt costs ~0.1 s a hash: tests about pages, not hashing, use a cheap one."""
    from werkzeug.security import generate_password_hash

    monkeypatch.setattr(
        "workhub.auth.passwords.hash_password",
        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"),
    )


@pytest.fixture
def english(app, monkeypatch):
    """Messages in English for tests that check a rule's wording (Japanese is the default;
    tests/test_i18n_catalogue.py makes sure every message has its Japanese translation)."""
    monkeypatch.setitem(app.config, "DEFAULT_LANGUAGE", "en")
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "en")


@pytest.fixture
def uploads(app, tmp_path, monkeypatch) -> Path:
    """UPLOAD_DIR in the test's own temporary folder (recordings and their spool)."""
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(folder))
    return folder


@pytest.fixture
def app_ctx(app):
    """An application context for tests that call services directly."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@dataclass
class UserInfo:
    """What a test needs to know about a user it created (no live ORM object)."""

    id: int
    login: str
    password: str
    roles: set[str] = field(default_factory=set)
    department_code: str | None = None


@pytest.fixture
def make_department(app):
    from workhub.org.services import create_department

    def factory(code: str, name_ja: str | None = None, parent: str | None = None,
                name_en: str | None = None) -> str:
        with app.app_context():
            create_department(code, name_ja or f"{code}課", name_en, parent)
            db.session.commit()
        return code

    return factory


@pytest.fixture
def make_user(app):
    """Create a local user; returns a UserInfo."""
    from workhub.org.services import create_user

    counter = iter(range(1, 10_000))

    def factory(login: str | None = None, roles=("employee",), department: str | None = None,
                display_name: str | None = None, email: str | None = None,
                password: str = TEST_PASSWORD, active: bool = True) -> UserInfo:
        login = login or f"user{next(counter)}"
        with app.app_context():
            user = create_user(
                login,
                display_name=display_name or f"試験 {login}",
                roles=roles,
                department_code=department,
                email=email or f"{login}@city.example.jp",
                password=password,
            )
            user.active = active
            db.session.commit()
            return UserInfo(user.id, user.login, password, set(user.roles), department)

    return factory


@pytest.fixture
def office_clock(time_machine):
    """The frozen clock, moved in office time: ``office_clock("2026-04-14 09:00")`` stops it
    there (it does not tick) and returns that moment."""
    from office import at

    def move(text: str):
        moment = at(text)
        time_machine.move_to(moment, tick=False)
        return moment

    return move


def csrf_token(client, path: str = "/login") -> str:
    """Fetch ``path`` and return the CSRF token of its first form."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, user: UserInfo | str, password: str = TEST_PASSWORD):
    """Sign ``client`` in through the real login form; returns the response."""
    name = user if isinstance(user, str) else user.login
    pw = password if isinstance(user, str) else user.password
    return client.post(
        "/login",
        data={"login": name, "password": pw, "csrf_token": csrf_token(client)},
    )


@pytest.fixture
def logged_in(client, make_user):
    """Return a factory: create a user with ``roles`` and sign ``client`` in as them."""

    def factory(roles=("employee",), **kwargs) -> UserInfo:
        info = make_user(roles=roles, **kwargs)
        response = login(client, info)
        assert response.status_code == 302, response.get_data(as_text=True)
        return info

    return factory
