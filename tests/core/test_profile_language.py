"""Language switch: POST with CSRF, persisted on the user, unknown languages refused."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext

from tests.office import csrf_token, login
from workhub.extensions import db
from workhub.org.models import User


def switch(client, language, path="/", **extra):
    data = {"language": language, "csrf_token": csrf_token(client, path), **extra}
    return client.post("/language", data=data)


def stored_language(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id).language


def translated(app, language: str, message: str) -> str:
    with app.test_request_context(), force_locale(language):
        return gettext(message)


def test_switch_is_stored_on_the_user(app, client, logged_in):
    user = logged_in()
    response = switch(client, "en")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert stored_language(app, user.id) == "en"
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    # It follows the user to a new session (another browser).
    other = app.test_client()
    login(other, user)
    assert '<html lang="en">' in other.get("/profile").get_data(as_text=True)


def test_switch_back_to_japanese(app, client, logged_in):
    user = logged_in()
    switch(client, "en")
    switch(client, "ja")
    assert stored_language(app, user.id) == "ja"
    assert '<html lang="ja">' in client.get("/").get_data(as_text=True)


def test_anonymous_switch_uses_the_session(client):
    assert '<html lang="ja">' in client.get("/login").get_data(as_text=True)
    assert switch(client, "en", "/login", next="/login").headers["Location"] == "/login"
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil"])
def test_unsafe_next_goes_home(client, target):
    assert switch(client, "en", "/login", next=target).headers["Location"] == "/"


@pytest.mark.parametrize("language", ["fr", "", "EN", "ja-JP", "en' OR 1=1", "x" * 10_000])
def test_unknown_language_is_refused(app, client, logged_in, language):
    user = logged_in()
    response = switch(client, language)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert translated(app, "ja", "Choose Japanese or English.") in page
    assert stored_language(app, user.id) is None
    with client.session_transaction() as sess:
        assert "lang" not in sess


def test_missing_field_is_refused(app, client, logged_in):
    user = logged_in()
    response = client.post("/language", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 400
    assert stored_language(app, user.id) is None


def test_get_is_not_allowed(client, logged_in):
    logged_in()
    assert client.get("/language?language=en").status_code == 405


def test_csrf_is_required(app, client, logged_in):
    user = logged_in()
    assert client.post("/language", data={"language": "en"}).status_code == 400
    assert stored_language(app, user.id) is None


@pytest.mark.parametrize("language", ["ja", "en"])
def test_profile_renders_in_each_language(app, client, logged_in, language):
    logged_in()
    switch(client, language)
    response = client.get("/profile")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    for message in ("Profile", "Personal API tokens", "Create token", "Language"):
        assert translated(app, language, message) in page
    # The language select shows the current choice.
    assert f'<option selected value="{language}">' in page
