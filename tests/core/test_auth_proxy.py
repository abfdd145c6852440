"""The client address behind the city's reverse proxy: trusted only when configured."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from tests.office import csrf_token
from workhub import create_app
from workhub.auth.models import AuditEvent
from workhub.extensions import db


def login_ips(app) -> list[str | None]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.ip).where(AuditEvent.event == "login.ok")))


def sign_in(client, user, **kwargs):
    token = csrf_token(client)
    return client.post(
        "/login",
        data={"login": user.login, "password": user.password, "csrf_token": token},
        **kwargs,
    )


def test_forwarded_for_is_ignored_without_trusted_proxies(app, client, make_user):
    user = make_user()
    response = sign_in(client, user, headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 302
    assert login_ips(app) == ["127.0.0.1"]


@pytest.fixture
def proxied_app(app, database_url, tmp_path, monkeypatch):
    """A second app on the same database, behind one trusted proxy."""
    monkeypatch.setenv("WORKHUB_INSTANCE_PATH", str(tmp_path))
    behind = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": secrets.token_hex(16),
        "AUTH_PROVIDERS": ["local"],
        "TRUSTED_PROXIES": 1,
    })
    yield behind
    with behind.app_context():
        db.engine.dispose()


def test_forwarded_for_is_used_behind_a_trusted_proxy(proxied_app, make_user):
    user = make_user()
    client = proxied_app.test_client()
    # Over HTTPS, CSRF also checks that the form came from this site (browsers send Referer).
    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
               "Referer": "https://localhost/login"}
    response = sign_in(client, user, headers=headers)
    assert response.status_code == 302
    assert login_ips(proxied_app) == ["203.0.113.9"]
    # The proxy said https: the answer says so too.
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_rate_limit_counts_each_client_behind_the_proxy(proxied_app, make_user, monkeypatch):
    monkeypatch.setitem(proxied_app.config, "RATELIMIT_LOGIN", "2 per minute")
    user = make_user()
    client = proxied_app.test_client()
    token = csrf_token(client)

    def attempt(ip):
        return client.post(
            "/login",
            data={"login": user.login, "password": "wrong-password-1", "csrf_token": token},
            headers={"X-Forwarded-For": ip},
        ).status_code

    assert [attempt("203.0.113.1") for _ in range(3)] == [401, 401, 429]
    # Another person behind the same proxy is not blocked by the first one.
    assert attempt("203.0.113.2") == 401
