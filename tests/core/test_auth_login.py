"""Local sign-in: success, each kind of failure, one generic message, audit, lockout, limits."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import select

from tests.office import TEST_PASSWORD, csrf_token, login
from workhub.auth.models import AuditEvent
from workhub.auth.services import GENERIC_LOGIN_FAILURE
from workhub.extensions import db
from workhub.org.models import User


def audit_rows(app, event: str | None = None) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if event:
            query = query.where(AuditEvent.event == event)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def generic_message(app, language: str = "ja") -> str:
    """The one failure message, as the page shows it (translated, HTML-escaped)."""
    with app.test_request_context(), force_locale(language):
        return str(escape(str(GENERIC_LOGIN_FAILURE)))


def post_login(client, login_id: str, password: str, **extra):
    data = {"login": login_id, "password": password, "csrf_token": csrf_token(client)}
    data.update(extra)
    return client.post("/login", data=data)


def signed_in_user_id(client) -> str | None:
    with client.session_transaction() as sess:
        return sess.get("_user_id")


def test_success_redirects_home_and_audits_ip(app, client, make_user):
    user = make_user("sato.hanako")
    response = client.post(
        "/login",
        data={"login": "Sato.Hanako ", "password": TEST_PASSWORD, "csrf_token": csrf_token(client)},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert signed_in_user_id(client) == str(user.id)
    [row] = audit_rows(app, "login.ok")
    assert (row.actor_id, row.actor_login, row.ip) == (user.id, "sato.hanako", "192.0.2.7")
    with app.app_context():
        assert db.session.get(User, user.id).last_login_at is not None


BAD_INPUTS = {
    "wrong password": ("known", "not-the-password-1"),
    "unknown user": ("nobody.here", TEST_PASSWORD),
    "empty password": ("known", ""),
    "empty login": ("", TEST_PASSWORD),
    "whitespace login": ("   ", TEST_PASSWORD),
    "10k login": ("k" * 10_000, TEST_PASSWORD),
    "10k password": ("known", "p" * 10_000),
    "NUL in login": ("known\x00", TEST_PASSWORD),
    "NUL in password": ("known", TEST_PASSWORD + "\x00"),
    "SQL injection": ("known' OR '1'='1", "' OR '1'='1' --"),
    "LDAP filter injection": ("*)(uid=*))(|(uid=*", "*"),
    "markup": ("<script>alert(1)</script>", "<b>x</b>"),
    "RTL override": ("\u202eknown", TEST_PASSWORD),
    "full-width login": ("ｋｎｏｗｎ", TEST_PASSWORD),
    "control chars": ("known\r\nSet-Cookie: x=1", TEST_PASSWORD),
}


@pytest.mark.parametrize("login_id,password", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_credentials_get_the_generic_message(app, client, make_user, login_id, password):
    make_user("known")
    response = post_login(client, login_id, password)
    assert response.status_code in (400, 401)
    page = response.get_data(as_text=True)
    assert generic_message(app) in page
    assert signed_in_user_id(client) is None
    rows = audit_rows(app)
    assert [r.event for r in rows] == ["login.failed"]
    assert rows[0].ip == "127.0.0.1"
    # What was typed is kept short and printable in the log.
    assert rows[0].actor_login is None or (
        len(rows[0].actor_login) <= 64 and rows[0].actor_login.isprintable()
    )


def _normalise(page: str) -> str:
    # The CSRF token is signed with a timestamp: it is the only part allowed to differ.
    return re.sub(r'name="csrf_token"[^>]*>', "", page)


def test_unknown_user_and_wrong_password_answer_identically(app, client, make_user):
    unknown = post_login(client, "ghost", "Wrong-password-99")
    make_user("ghost")
    wrong = post_login(client, "ghost", "Wrong-password-99")
    assert unknown.status_code == wrong.status_code == 401
    assert _normalise(unknown.get_data(as_text=True)) == _normalise(wrong.get_data(as_text=True))
    reasons = [r.detail.get("reason") for r in audit_rows(app, "login.failed")]
    assert reasons == ["bad_credentials", "bad_credentials"]


def test_inactive_user_is_refused(app, client, make_user):
    user = make_user("retired", active=False)
    response = login(client, user)
    assert response.status_code == 401
    assert generic_message(app) in response.get_data(as_text=True)
    assert signed_in_user_id(client) is None
    [row] = audit_rows(app, "login.failed")
    assert row.detail["reason"] == "inactive"


def test_success_resets_the_failure_count(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 3)
    user = make_user("suzuki")
    for _ in range(2):
        post_login(client, "suzuki", "Wrong-password-1")
    assert login(client, user).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/profile")})
    for _ in range(2):
        post_login(client, "suzuki", "Wrong-password-1")
    assert login(client, user).status_code == 302


def test_rate_limit_answers_429(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN", "3 per minute")
    make_user("kato")
    for _ in range(3):
        assert post_login(client, "kato", "Wrong-password-1").status_code == 401
    response = post_login(client, "kato", TEST_PASSWORD)
    assert response.status_code == 429
    assert "text/html" in response.content_type
    assert signed_in_user_id(client) is None
    # Showing the form is not limited.
    assert client.get("/login").status_code == 200


@pytest.mark.parametrize("target", ["/profile", "/profile?tab=tokens"])
def test_next_on_this_site_is_followed(client, make_user, target):
    user = make_user()
    response = post_login(client, user.login, user.password, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == target


UNSAFE_NEXT = [
    "https://evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example" + "x" * 3000,
    "/\t/evil.example",
    "http:/evil.example",
    " //evil.example",
    "///evil.example",
]


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_unsafe_next_goes_home(client, make_user, target):
    user = make_user()
    response = post_login(client, user.login, user.password, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_unsafe_next_is_not_put_in_the_form(client, target):
    page = client.get("/login", query_string={"next": target}).get_data(as_text=True)
    assert re.search(r'name="next" type="hidden" value=""', page)


def test_login_required_page_comes_back_after_sign_in(client, make_user):
    user = make_user()
    response = client.get("/profile")
    assert response.status_code == 302
    form_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/profile"' in form_page
    response = post_login(client, user.login, user.password, next="/profile")
    assert response.headers["Location"] == "/profile"


def test_signed_in_user_visiting_login_goes_home(client, logged_in):
    logged_in()
    response = client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_post_to_a_protected_url_does_not_come_back_to_it(client):
    # After sign-in, a GET of a POST-only URL would only be a 405.
    response = client.post("/profile/tokens", data={"name": "x", "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
