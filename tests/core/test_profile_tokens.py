"""Personal API tokens on the profile page: create (shown once), bad names, revoke."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.office import csrf_token
from workhub.auth.models import ApiToken, AuditEvent
from workhub.auth.services import create_token
from workhub.extensions import db
from workhub.org.models import User


def count(app, model, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return db.session.scalar(query)


def create(client, name: str):
    return client.post(
        "/profile/tokens", data={"name": name, "csrf_token": csrf_token(client, "/profile")}
    )


def test_profile_page_shows_the_user(client, logged_in):
    user = logged_in(display_name="佐藤 花子")
    page = client.get("/profile").get_data(as_text=True)
    assert user.login in page and "佐藤 花子" in page


def test_profile_requires_login(client):
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_token_is_shown_once_then_only_its_prefix(app, client, logged_in):
    logged_in()
    response = create(client, "集計スクリプト")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    secret = re.search(r'id="new-token">([^<]+)<', page).group(1)
    assert secret.startswith("whk_") and len(secret) > 40
    assert "集計スクリプト" in page

    again = client.get("/profile").get_data(as_text=True)
    assert secret not in again
    with app.app_context():
        prefix = db.session.scalar(select(ApiToken.prefix))
    assert secret.startswith(prefix) and f"{prefix}…" in again
    assert count(app, AuditEvent, event="token.created") == 1


BAD_NAMES = {
    "empty": "",
    "blank": "   ",
    "too long": "x" * 81,
    "very long": "長" * 10_000,
    "NUL": "script\x00name",
    "newline": "line one\nline two",
    "RTL override": "\u202etxt.exe",
}


@pytest.mark.parametrize("name", BAD_NAMES.values(), ids=BAD_NAMES.keys())
def test_bad_names_rerender_with_an_error_and_write_nothing(app, client, logged_in, name):
    logged_in()
    response = create(client, name)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="name-error"' in page
    assert 'aria-invalid="true"' in page
    assert 'id="new-token"' not in page
    assert count(app, ApiToken) == 0
    assert count(app, AuditEvent, event="token.created") == 0


@pytest.mark.parametrize("name", ["x" * 80, "集計\u3000スクリプト", "' OR 1=1 --"])
def test_ordinary_names_are_accepted(app, client, logged_in, name):
    logged_in()
    assert create(client, name).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(ApiToken.name)) == name


def test_markup_in_a_name_is_shown_as_text(app, client, logged_in):
    logged_in()
    page = create(client, "<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_create_without_csrf_is_refused(app, client, logged_in):
    logged_in()
    assert client.post("/profile/tokens", data={"name": "x"}).status_code == 400
    assert count(app, ApiToken) == 0


def _token_of(app, user_id: int) -> int:
    with app.app_context():
        row, _secret = create_token(db.session.get(User, user_id), "t")
        db.session.commit()
        return row.id


def revoke(client, token_id: int):
    return client.post(
        f"/profile/tokens/{token_id}/revoke",
        data={"csrf_token": csrf_token(client, "/profile")},
    )


def test_revoke_own_token(app, client, logged_in):
    user = logged_in()
    token_id = _token_of(app, user.id)
    response = revoke(client, token_id)
    assert response.status_code == 302
    assert response.headers["Location"] == "/profile"
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is not None
    assert count(app, AuditEvent, event="token.revoked") == 1
    # Revoking twice changes nothing more.
    assert revoke(client, token_id).status_code == 302
    assert count(app, AuditEvent, event="token.revoked") == 1


def test_cannot_revoke_someone_elses_token(app, client, logged_in, make_user):
    logged_in()
    other = make_user()
    token_id = _token_of(app, other.id)
    response = revoke(client, token_id)
    assert response.status_code == 404
    assert "text/html" in response.content_type
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None
    assert count(app, AuditEvent, event="token.revoked") == 0


def test_revoke_unknown_token_is_404(client, logged_in):
    logged_in()
    assert revoke(client, 999_999).status_code == 404


def test_revoke_needs_post_and_csrf(app, client, logged_in):
    user = logged_in()
    token_id = _token_of(app, user.id)
    assert client.get(f"/profile/tokens/{token_id}/revoke").status_code == 405
    assert client.post(f"/profile/tokens/{token_id}/revoke").status_code == 400
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None
