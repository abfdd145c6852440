"""The ``workhub`` commands of the core: init-db, department, user, token, demo."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, inspect, select

from tests.office import TEST_PASSWORD, login
from workhub import create_app
from workhub.auth.models import ApiToken, AuditEvent
from workhub.config import ROLES
from workhub.extensions import db
from workhub.org.models import Department, User


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, input=None, env=None):
        return runner.invoke(args=list(args), input=input, env=env, catch_exceptions=False)

    return invoke


def said(app, msgid: str, **values) -> str:
    """``msgid`` as the CLI prints it: in the site's default language (no request to ask)."""
    with app.test_request_context(), force_locale(app.config["DEFAULT_LANGUAGE"]):
        values = {k: gettext(v) if isinstance(v, Msg) else v for k, v in values.items()}
        return gettext(msgid, **values)


class Msg(str):
    """A value that is itself a message to translate (e.g. a field name)."""


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def get_user(app, login_id: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == login_id))
        if user is not None:
            _ = user.roles, user.department
            db.session.expunge(user)
        return user


# --- init-db -------------------------------------------------------------------------------


def test_init_db_is_idempotent(cli):
    for _ in range(2):
        result = cli("init-db")
        assert result.exit_code == 0, result.output
        assert "latest schema" in result.output


def test_init_db_creates_a_fresh_database(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKHUB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("WORKHUB_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh = create_app({"TESTING": True})
    try:
        runner = fresh.test_cli_runner()
        for _ in range(2):
            result = runner.invoke(args=["init-db"], catch_exceptions=False)
            assert result.exit_code == 0, result.output
        with fresh.app_context():
            tables = set(inspect(db.engine).get_table_names())
        assert {"users", "departments", "api_tokens", "audit_events", "alembic_version"} <= tables
    finally:
        with fresh.app_context():
            db.engine.dispose()


# --- department ----------------------------------------------------------------------------


def test_department_create_with_parent(app, cli):
    assert cli("department", "create", "SOMU", "--name-ja", "総務局").exit_code == 0
    result = cli("department", "create", "SOMU-KA", "--name-ja", "総務課",
                 "--name-en", "General Affairs", "--parent", "SOMU")
    assert result.exit_code == 0, result.output
    assert "SOMU-KA" in result.output
    with app.app_context():
        dept = db.session.scalar(select(Department).where(Department.code == "SOMU-KA"))
        assert (dept.name_ja, dept.name_en, dept.parent.code) == (
            "総務課", "General Affairs", "SOMU")


JA_NAME = Msg("Japanese name")
BAD_DEPARTMENTS = {
    "duplicate": (["DUP", "--name-ja", "別の課"],
                  ("The department code %(code)s is already used.", {"code": "DUP"})),
    "unknown parent": (["NEW", "--name-ja", "新課", "--parent", "NOPE"],
                       ("No department with code %(code)s.", {"code": "NOPE"})),
    "bad code": (["bad code!", "--name-ja", "課"],
                 ("A department code is 1–32 letters, digits, '-' or '_'.", {})),
    "empty name": (["NEW", "--name-ja", " "], ("%(what)s is required.", {"what": JA_NAME})),
    "long name": (["NEW", "--name-ja", "長" * 121],
                  ("%(what)s is too long (%(n)d characters at most).",
                   {"what": JA_NAME, "n": 120})),
    "control chars": (["NEW", "--name-ja", "課\x1b[31m"],
                      ("%(what)s contains control characters.", {"what": JA_NAME})),
}


@pytest.mark.parametrize("args,message", BAD_DEPARTMENTS.values(), ids=BAD_DEPARTMENTS.keys())
def test_department_create_refuses_bad_input(app, cli, make_department, args, message):
    make_department("DUP", "既存課")
    result = cli("department", "create", *args)
    assert result.exit_code != 0
    assert said(app, message[0], **message[1]) in result.output
    assert "Traceback" not in result.output
    assert count(app, Department) == 1


def test_department_create_needs_a_name(cli):
    result = cli("department", "create", "X")
    assert result.exit_code == 2
    assert "--name-ja" in result.output


# --- user ----------------------------------------------------------------------------------

STRONG = "Kasumigaseki-2026"


def test_user_create_reads_the_password_from_stdin(app, cli, client, make_department):
    make_department("JOHO")
    result = cli("user", "create", "it.admin", "--role", "admin", "--role", "employee",
                 "--department", "JOHO", "--display-name", "情報 管理者",
                 "--email", "it.admin@city.example.jp", "--password-stdin",
                 input=STRONG + "\n")
    assert result.exit_code == 0, result.output
    assert STRONG not in result.output
    user = get_user(app, "it.admin")
    assert user.roles == {"admin", "employee"}
    assert (user.display_name, user.email, user.department.code) == (
        "情報 管理者", "it.admin@city.example.jp", "JOHO")
    assert user.auth_source == "local" and user.password_hash != STRONG
    assert login(client, "it.admin", STRONG).status_code == 302


EMPLOYEE = ["--role", "employee"]
BAD_USERS = {
    "weak password": (["weak", *EMPLOYEE], "short\n",
                      ("The password must be at least %(n)d characters.", {"n": 10})),
    "password is the login": (["tanaka.taro", *EMPLOYEE], "tanaka.taro-2026\n",
                              ("The password must not contain the login ID.", {})),
    "empty password": (["nopass", *EMPLOYEE], "\n",
                       ("A local account needs a password.", {})),
    "password too long": (["longpass", *EMPLOYEE], "Ab1-" * 300 + "\n",
                          ("The password must be at most %(n)d characters.", {"n": 1024})),
    "password with NUL": (["nulpass", *EMPLOYEE], STRONG + "\x00\n",
                          ("The password may not contain control characters.", {})),
    "unknown role": (["someone", "--role", "boss"], STRONG + "\n",
                     ("Unknown role: %(roles)s", {"roles": "boss"})),
    "duplicate login": (["existing", *EMPLOYEE], STRONG + "\n",
                        ("The login ID %(login)s is already used.", {"login": "existing"})),
    "bad login": (["Bad Login!", *EMPLOYEE], STRONG + "\n",
                  ("A login ID is 1–64 lower-case letters, digits, '.', '-' or '_'.", {})),
    "unknown department": (["someone", *EMPLOYEE, "--department", "NOPE"], STRONG + "\n",
                           ("No department with code %(code)s.", {"code": "NOPE"})),
    "bad email": (["someone", *EMPLOYEE, "--email", "not-an-address"], STRONG + "\n",
                  ("The e-mail address is not valid.", {})),
}


@pytest.mark.parametrize("args,stdin,message", BAD_USERS.values(), ids=BAD_USERS.keys())
def test_user_create_refuses_bad_input(app, cli, make_user, args, stdin, message):
    make_user("existing")
    result = cli("user", "create", *args, "--password-stdin", input=stdin)
    assert result.exit_code != 0
    assert said(app, message[0], **message[1]) in result.output
    assert "Traceback" not in result.output
    assert count(app, User) == 1


def test_user_create_needs_a_role(app, cli):
    result = cli("user", "create", "someone", "--password-stdin", input=STRONG + "\n")
    assert result.exit_code == 2
    assert count(app, User) == 0


def test_user_roles_are_replaced_and_audited(app, cli, make_user):
    make_user("sato", roles=("employee",))
    result = cli("user", "roles", "sato", "employee", "hr", "manager")
    assert result.exit_code == 0, result.output
    assert get_user(app, "sato").roles == {"employee", "hr", "manager"}
    with app.app_context():
        [row] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.event == "roles.changed")
        ).all()
        assert row.target == "sato"
        assert row.ip == "cli"
        assert row.detail == {"before": ["employee"], "after": ["employee", "hr", "manager"]}


def test_user_roles_unchanged_writes_no_audit(app, cli, make_user):
    make_user("sato", roles=("employee",))
    assert cli("user", "roles", "sato", "employee").exit_code == 0
    assert count(app, AuditEvent) == 0


@pytest.mark.parametrize("args,message", [
    (["sato", "employee", "king"], "king"),
    (["nobody", "employee"], "nobody"),
])
def test_user_roles_refuses_bad_input(app, cli, make_user, args, message):
    make_user("sato", roles=("employee",))
    result = cli("user", "roles", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert get_user(app, "sato").roles == {"employee"}
    assert count(app, AuditEvent) == 0


# --- token ---------------------------------------------------------------------------------


def test_token_create_prints_a_working_token(app, cli, client, make_user):
    make_user("suzuki")
    result = cli("token", "create", "suzuki", "--name", "集計")
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.json["login"] == "suzuki"
    with app.app_context():
        [row] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.event == "token.created")
        ).all()
        assert (row.target, row.ip) == ("suzuki", "cli")


def test_token_create_for_a_deactivated_user_fails(app, cli, make_user):
    make_user("retired", active=False)
    result = cli("token", "create", "retired")
    assert result.exit_code != 0
    assert said(app, "The account %(login)s is deactivated.", login="retired") in result.output
    assert "whk_" not in result.output


def test_cli_token_with_scopes_and_days(app, cli, make_user):
    make_user("suzuki")
    result = cli("token", "create", "suzuki", "--scope", "telework:write", "--scope",
                 "surveys:read", "--days", "10")
    assert result.exit_code == 0, result.output
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row.scopes == "surveys:read telework:write"
        assert row.expires_at - row.created_at == timedelta(days=10)
    assert cli("token", "create", "suzuki", "--scope", "payroll:write").exit_code != 0
    assert cli("token", "create", "suzuki", "--days", "400").exit_code != 0


def test_token_create_for_unknown_user_fails(cli):
    result = cli("token", "create", "nobody")
    assert result.exit_code != 0
    assert "nobody" in result.output


# --- demo ----------------------------------------------------------------------------------

DEMO_PASSWORD = "Demo-Password-2026"


@pytest.fixture
def hash_once(monkeypatch):
    """Hash each distinct password once: forty scrypt hashes of one password add seconds."""
    import functools

    import workhub.auth.passwords as passwords

    monkeypatch.setattr(passwords, "hash_password", functools.cache(passwords.hash_password))


def test_demo_is_idempotent_and_uses_the_given_password(app, cli, client, hash_once):
    result = cli("demo", env={"WORKHUB_DEMO_PASSWORD": DEMO_PASSWORD})
    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD not in result.output
    users, departments = count(app, User), count(app, Department)
    assert 35 <= users <= 45
    assert 10 <= departments <= 16
    with app.app_context():
        held = {role for user in db.session.scalars(select(User)) for role in user.roles}
        assert held == set(ROLES)
        # A 局/部/課 tree: some department is three levels deep.
        assert max(len(d.path()) for d in db.session.scalars(select(Department))) == 3
        # Japanese names.
        assert db.session.scalar(select(User).where(User.login == "admin")).display_name \
            == "管理 太郎"

    again = cli("demo", env={"WORKHUB_DEMO_PASSWORD": DEMO_PASSWORD})
    assert again.exit_code == 0
    assert "already present" in again.output
    assert (count(app, User), count(app, Department)) == (users, departments)
    assert login(client, "admin", DEMO_PASSWORD).status_code == 302


def test_demo_prints_a_generated_password(app, cli, client, monkeypatch):
    import workhub.demo as demo

    monkeypatch.delenv("WORKHUB_DEMO_PASSWORD", raising=False)
    monkeypatch.setattr(demo, "STAFF", demo.STAFF[:2])  # two users are enough here
    result = cli("demo")
    assert result.exit_code == 0, result.output
    password = result.output.strip().rsplit(" ", 1)[-1]
    assert len(password) >= 10
    assert login(client, demo.STAFF[0][0], password).status_code == 302


def test_demo_refuses_a_weak_password(app, cli, monkeypatch):
    result = cli("demo", env={"WORKHUB_DEMO_PASSWORD": "short"})
    assert result.exit_code != 0
    assert said(app, "The password must be at least %(n)d characters.", n=10) in result.output
    assert (count(app, User), count(app, Department)) == (0, 0)


def test_make_user_fixture_password_is_strong():
    # The fixtures' password must itself pass the rules the CLI enforces.
    from workhub.auth.passwords import check_password_strength

    check_password_strength(TEST_PASSWORD, "user1")
