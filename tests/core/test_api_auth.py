"""The JSON API: bearer tokens, cookie sessions with CSRF, JSON errors, tokens stored hashed."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

import pytest
from flask import g
from flask_login import login_user
from flask_wtf.csrf import CSRFError, generate_csrf
from sqlalchemy import select, text

from tests.office import csrf_token
from workhub.api import authenticate_request
from workhub.auth import scopes
from workhub.auth.models import ApiToken
from workhub.auth.services import create_token, revoke_token
from workhub.extensions import db
from workhub.org.models import User


def new_token(app, user_id: int, name: str = "script") -> str:
    with app.app_context():
        _row, secret = create_token(db.session.get(User, user_id), name)
        db.session.commit()
        return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def assert_json_error(response, status: int, code: str | None = None) -> None:
    assert response.status_code == status
    assert response.content_type == "application/json"
    error = response.json["error"]
    assert set(error) == {"code", "message"}
    assert error["message"]
    if code:
        assert error["code"] == code


def test_me_with_token(app, client, make_user, make_department):
    make_department("JOHO", "情報システム課", name_en="Information Systems")
    user = make_user("yamada", roles=("employee", "manager"), department="JOHO",
                     display_name="山田 太郎")
    response = client.get("/api/v1/me", headers=bearer(new_token(app, user.id)))
    assert response.status_code == 200
    assert response.json == {
        "login": "yamada",
        "display_name": "山田 太郎",
        "kana": None,
        "email": "yamada@city.example.jp",
        "department": {"code": "JOHO", "name_ja": "情報システム課",
                       "name_en": "Information Systems"},
        "roles": ["employee", "manager"],
    }
    # A token request creates no session.
    assert not [h for h in response.headers.getlist("Set-Cookie") if "workhub_session" in h]
    assert response.headers["Cache-Control"] == "no-store"


def test_me_with_token_from_profile_page(client, logged_in, app):
    user = logged_in()
    page = client.post(
        "/profile/tokens", data={"name": "excel", "csrf_token": csrf_token(client, "/profile")}
    ).get_data(as_text=True)
    secret = re.search(r'id="new-token">([^<]+)<', page).group(1)
    other = app.test_client()
    response = other.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 200
    assert response.json["login"] == user.login


BAD_HEADERS = {
    "missing": {},
    "empty bearer": {"Authorization": "Bearer "},
    "garbage": {"Authorization": "Bearer not-a-token"},
    "right prefix, wrong secret": {"Authorization": "Bearer whk_" + "A" * 43},
    "basic scheme": {"Authorization": "Basic dXNlcjpwYXNz"},
    "token without scheme": {"Authorization": "whk_" + "A" * 43},
    "huge": {"Authorization": "Bearer whk_" + "A" * 20_000},
    "hostile": {"Authorization": "Bearer whk_' OR 1=1 --"},
}


@pytest.mark.parametrize("headers", BAD_HEADERS.values(), ids=BAD_HEADERS.keys())
def test_bad_tokens_get_401_json(client, make_user, headers):
    make_user()
    response = client.get("/api/v1/me", headers=headers)
    assert_json_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_gets_401(app, client, make_user):
    user = make_user()
    secret = new_token(app, user.id)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    with app.app_context():
        owner = db.session.get(User, user.id)
        row = db.session.scalar(select(ApiToken))
        revoke_token(row.id, owner=owner, actor=owner)
        db.session.commit()
    assert_json_error(client.get("/api/v1/me", headers=bearer(secret)), 401, "unauthorized")


def test_token_of_deactivated_user_gets_401(app, client, make_user):
    user = make_user()
    secret = new_token(app, user.id)
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert_json_error(client.get("/api/v1/me", headers=bearer(secret)), 401, "unauthorized")


def test_token_does_not_open_html_pages(app, client, make_user):
    user = make_user()
    response = client.get("/profile", headers=bearer(new_token(app, user.id)))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_session_cookie_works_for_get(client, logged_in):
    user = logged_in()
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json["login"] == user.login


def test_unknown_api_path_is_404_json(client, app, make_user):
    assert_json_error(client.get("/api/v1/no-such-thing"), 404, "not_found")
    assert_json_error(client.get("/api/v2/me"), 404, "not_found")
    user = make_user()
    headers = bearer(new_token(app, user.id))
    assert_json_error(client.get("/api/v1/no-such-thing", headers=headers), 404, "not_found")


def test_wrong_method_is_405_json(app, client, logged_in):
    user = logged_in()
    # With a cookie session and no CSRF token, and with a bearer token: both get a JSON 405.
    response = client.post("/api/v1/me", json={})
    assert_json_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]
    other = app.test_client()
    response = other.delete("/api/v1/me", headers=bearer(new_token(app, user.id)))
    assert_json_error(response, 405, "method_not_allowed")


class TestCsrfGuard:
    """The API's own guard: cookie sessions need the CSRF token on unsafe methods.

    The core has no unsafe API route yet, so the guard is called directly in a request
    context, exactly as the blueprint runs it before every API view.
    """

    def _call(self, app, user_id, *, token_auth=False, headers=None):
        with app.test_request_context("/api/v1/me", method="POST", headers=headers or {}):
            login_user(db.session.get(User, user_id))
            if token_auth:
                g.token_auth = True
                g.token_scopes = scopes.full()
            return authenticate_request()

    def test_cookie_session_without_csrf_is_refused(self, app, make_user):
        user = make_user()
        with pytest.raises(CSRFError):
            self._call(app, user.id)

    def test_cookie_session_with_csrf_header_passes(self, app, make_user):
        user = make_user()
        with app.test_request_context("/api/v1/me"):
            token = generate_csrf()
            from flask import session

            saved = dict(session)
        with app.test_request_context(
            "/api/v1/me", method="POST", headers={"X-CSRFToken": token}
        ):
            from flask import session

            session.update(saved)
            login_user(db.session.get(User, user.id))
            assert authenticate_request() is None

    def test_bearer_needs_no_csrf(self, app, make_user):
        user = make_user()
        # /me takes no POST: the guard still runs, and a token may not write to /me.
        response = self._call(app, user.id, token_auth=True)
        assert response.status_code == 403 and response.json["error"]["code"] == \
            "insufficient_scope"
        with app.test_request_context("/api/v1/telework/bookings", method="POST"):
            login_user(db.session.get(User, user.id))
            g.token_auth, g.token_scopes = True, scopes.full()
            assert authenticate_request() is None

    def test_csrf_failure_under_api_is_json(self, app):
        with app.test_request_context("/api/v1/me", method="POST"):
            response = app.make_response(
                app.handle_user_exception(CSRFError("The CSRF token is missing."))
            )
        assert_json_error(response, 400, "csrf_failed")


def test_tokens_are_stored_hashed(app, make_user):
    user = make_user()
    secret = new_token(app, user.id)
    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM api_tokens")).mappings().all()
        assert len(rows) == 1
        stored = " ".join(str(v) for v in rows[0].values())
        assert secret not in stored
        assert secret[8:] not in stored
        assert rows[0]["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
        assert secret.startswith(rows[0]["prefix"])
        audit = db.session.execute(text("SELECT * FROM audit_events")).mappings().all()
        assert secret not in " ".join(str(v) for row in audit for v in row.values())


def test_last_used_at_is_updated(app, client, make_user, time_machine):
    time_machine.move_to(datetime.fromisoformat("2026-05-11T10:00:00+09:00"), tick=False)
    user = make_user()
    secret = new_token(app, user.id)

    def last_used():
        with app.app_context():
            return db.session.scalar(select(ApiToken.last_used_at))

    assert last_used() is None
    client.get("/api/v1/me", headers=bearer(secret))
    first = last_used()
    assert first == datetime.fromisoformat("2026-05-11T01:00:00+00:00")
    time_machine.shift(timedelta(seconds=30))
    client.get("/api/v1/me", headers=bearer(secret))
    assert last_used() == first  # written at most once a minute
    time_machine.shift(timedelta(minutes=2))
    client.get("/api/v1/me", headers=bearer(secret))
    assert last_used() == first + timedelta(minutes=2, seconds=30)
