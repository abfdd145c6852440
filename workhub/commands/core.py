"""Core commands: database, departments, users, tokens, serve, dev helper."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app

from workhub.errors import DomainError
from workhub.extensions import db


def _fail(exc: DomainError):
    db.session.rollback()
    raise click.ClickException(exc.message)


def register(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db():
        """Create or upgrade the database schema (Alembic upgrade head)."""
        from workhub.migrate import upgrade

        upgrade()
        click.echo("database is at the latest schema")

    @app.cli.command("make-migration")
    @click.argument("message")
    def make_migration(message):
        """Autogenerate a migration from the models (for developers)."""
        from workhub.migrate import revision

        revision(message)

    @app.cli.command("demo")
    def demo():
        """Load the demo city office (departments and ~40 staff). Safe to run twice."""
        import os

        from workhub.demo import STAFF, generate_password, load_demo

        password = os.environ.get("WORKHUB_DEMO_PASSWORD", "")
        generated = not password
        if generated:
            password = generate_password()
        try:
            created = load_demo(password)
        except DomainError as exc:
            _fail(exc)
        db.session.commit()
        if created == 0:
            click.echo("demo users already present; other demo data added where missing")
            return
        sample = ", ".join(s[0] for s in STAFF[:4])
        click.echo(f"created {created} demo users (logins: {sample}, …)")
        if generated:
            click.echo(f"demo password for every demo user: {password}")
        else:
            click.echo("demo password: the value of WORKHUB_DEMO_PASSWORD")

    @app.cli.group()
    def department():
        """Manage departments."""

    @department.command("create")
    @click.argument("code")
    @click.option("--name-ja", required=True, help="Japanese name, e.g. 総務課.")
    @click.option("--name-en", default=None, help="English name.")
    @click.option("--parent", default=None, help="Code of the parent department.")
    def department_create(code, name_ja, name_en, parent):
        """Create a department CODE."""
        from workhub.org.services import create_department

        try:
            dept = create_department(code, name_ja, name_en, parent)
        except DomainError as exc:
            _fail(exc)
        db.session.commit()
        click.echo(f"created department {dept.code}")

    @app.cli.group()
    def user():
        """Manage users."""

    @user.command("create")
    @click.argument("login")
    @click.option("--role", "roles", multiple=True, required=True,
                  help="A role (repeatable): employee, manager, hr, it_admin, secretary, admin.")
    @click.option("--department", default=None, help="Department code.")
    @click.option("--display-name", default=None, help="Display name (defaults to LOGIN).")
    @click.option("--email", default=None, help="E-mail address.")
    @click.option("--password-stdin", is_flag=True, required=True,
                  help="Read the password from standard input (one line).")
    def user_create(login, roles, department, display_name, email, password_stdin):
        """Create a local user LOGIN."""
        from workhub.org.services import create_user

        password = sys.stdin.readline().rstrip("\r\n")
        try:
            created = create_user(
                login,
                display_name=display_name or login,
                roles=roles,
                department_code=department,
                email=email,
                password=password,
            )
        except DomainError as exc:
            _fail(exc)
        db.session.commit()
        click.echo(f"created user {created.login}")

    @user.command("roles")
    @click.argument("login")
    @click.argument("roles", nargs=-1, required=True)
    def user_roles(login, roles):
        """Replace the roles of LOGIN with ROLES."""
        from workhub.org.services import get_user, set_user_roles

        try:
            target = get_user(login)
            set_user_roles(target, roles, actor=None, ip="cli")
        except DomainError as exc:
            _fail(exc)
        db.session.commit()
        click.echo(f"{target.login}: {' '.join(sorted(target.roles))}")

    @app.cli.group()
    def token():
        """Manage personal API tokens."""

    @token.command("create")
    @click.argument("login")
    @click.option("--name", default="cli", help="A name to tell the token apart.")
    @click.option("--scope", "scope_args", multiple=True, metavar="FEATURE:LEVEL",
                  help="What it may do, e.g. telework:write or surveys:read (repeatable; "
                       "features: telework, devices, surveys, meetings). Default: read all.")
    @click.option("--days", default=90, show_default=True, type=int,
                  help="Days until it expires (at most 365).")
    def token_create(login, name, scope_args, days):
        """Create a personal API token for LOGIN and print it once."""
        from workhub.auth.scopes import FEATURES
        from workhub.auth.services import create_token
        from workhub.org.services import get_user

        scopes: dict[str, str | None] = dict.fromkeys(FEATURES, "read")
        if scope_args:
            scopes = dict.fromkeys(FEATURES)
            for arg in scope_args:
                feature, _sep, level = arg.partition(":")
                scopes[feature] = level or "read"
        try:
            owner = get_user(login)
            _row, secret = create_token(owner, name, scopes=scopes, days=days, ip="cli")
        except DomainError as exc:
            _fail(exc)
        db.session.commit()
        click.echo(secret)

    @app.cli.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
    @click.option("--port", default=5000, show_default=True, type=int, help="Port to bind.")
    @click.option("--threads", default=8, show_default=True, type=int,
                  help="Worker threads of the WSGI server.")
    def serve(host, port, threads):
        """Serve WorkHub with the production WSGI server (waitress). In production
        (WORKHUB_ENV, the default) unsafe settings are refused, all listed at once."""
        import os

        from workhub.production import mode, production_problems
        from workhub.request_limits import waitress_server

        try:
            env_mode = mode(os.environ)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        if env_mode == "production":
            problems = production_problems(current_app.config, os.environ)
            if problems:
                raise click.ClickException(
                    "WorkHub will not start in production with these settings:\n"
                    + "\n".join(f"  - {p}" for p in problems)
                    + "\nFix them, or set WORKHUB_ENV=development to try WorkHub out.")
        click.echo(f"WorkHub on http://{host}:{port}/ ({env_mode})")
        waitress_server(current_app._get_current_object(), host=host, port=port,
                        threads=threads, ident="WorkHub").run()

    @app.cli.group()
    def audit():
        """The audit log."""

    @audit.command("verify")
    @click.option("--no-seal", is_flag=True,
                  help="Do not chain entries still unsealed first (read only).")
    def audit_verify(no_seal: bool):
        """Check the audit log's hash chain: any entry changed, deleted or added is named.
        Exits 1 when the chain is broken."""
        from workhub.auth.audit_chain import seal, verify

        if not no_seal:
            seal()
        verdict = verify()
        click.echo(f"{verdict.sealed} entries checked, {verdict.unsealed} not sealed yet; "
                   f"head {verdict.head_seq} {verdict.head_hash or '-'}")
        if verdict.problems:
            for problem in verdict.problems:
                click.echo(f"BROKEN: {problem}", err=True)
            raise SystemExit(1)
        click.echo("the chain is intact")
