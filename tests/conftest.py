"""Shared fixtures: one app per run on SQLite or PostgreSQL, a clean database per test.

Which database: ``WORKHUB_TEST_DB=sqlite`` (default) or ``postgresql``; for PostgreSQL a fresh
database is created from ``WORKHUB_TEST_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``) and dropped at the end, so runs never share
state. A missing PostgreSQL fails the run: it does not skip.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from tests.dbstate import empty_tables
from tests.office import TEST_PASSWORD, UserInfo, at, login
from workhub import create_app
from workhub.extensions import db, limiter

# Fixtures of the real components live in their own modules.
pytest_plugins = ["tests.fixtures_ldap", "tests.fixtures_browser", "tests.fixtures_smtp"]

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
    tests/core/test_i18n_catalogue.py makes sure every message has its Japanese translation)."""
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
    def move(text: str):
        moment = at(text)
        time_machine.move_to(moment, tick=False)
        return moment

    return move


@pytest.fixture
def logged_in(client, make_user):
    """Return a factory: create a user with ``roles`` and sign ``client`` in as them."""

    def factory(roles=("employee",), **kwargs) -> UserInfo:
        info = make_user(roles=roles, **kwargs)
        response = login(client, info)
        assert response.status_code == 302, response.get_data(as_text=True)
        return info

    return factory
