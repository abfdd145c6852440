"""Error pages: HTML in Japanese and English for pages, JSON under /api/."""

from __future__ import annotations

import pytest
from flask import abort, request
from flask_babel import force_locale, gettext
from markupsafe import escape

from tests.office import csrf_token
from workhub.web import _http_message

LANGS = ["ja", "en"]


def in_language(app, language: str, func, *args, **kwargs) -> str:
    with app.test_request_context(), force_locale(language):
        return str(escape(func(*args, **kwargs)))


def use_language(client, language: str, page: str = "/login") -> None:
    token = csrf_token(client, page)
    client.post("/language", data={"language": language, "csrf_token": token})


def assert_error_page(app, response, status: int, language: str, message: str | None = None):
    assert response.status_code == status
    assert response.content_type.startswith("text/html")
    page = response.get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    assert in_language(app, language, gettext, "Error %(status)s", status=status) in page
    expected = message or in_language(app, language, _http_message, status)
    assert expected in page
    # The page keeps the site's chrome: a way home and the main landmark.
    assert '<main id="main"' in page and 'href="/"' in page


def assert_json_error(response, status: int, code: str):
    assert response.status_code == status
    assert response.content_type == "application/json"
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]


@pytest.mark.parametrize("language", LANGS)
def test_403_page(app, client, logged_in, language):
    logged_in(roles=("employee",))
    use_language(client, language, "/")
    assert_error_page(app, client.get("/admin/users"), 403, language)


@pytest.mark.parametrize("language", LANGS)
def test_404_page(app, client, language):
    use_language(client, language)
    assert_error_page(app, client.get("/no/such/page"), 404, language)


@pytest.mark.parametrize("language", LANGS)
def test_405_page(app, client, language):
    use_language(client, language)
    response = client.get("/logout")
    assert_error_page(app, response, 405, language)
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize("language", LANGS)
def test_413_page(app, client, monkeypatch, language):
    use_language(client, language)
    token = csrf_token(client)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    response = client.post(
        "/login", data={"login": "x" * 10_000, "password": "y", "csrf_token": token}
    )
    assert_error_page(app, response, 413, language)


@pytest.mark.parametrize("language", LANGS)
def test_500_page(app, client, monkeypatch, caplog, language):
    use_language(client, language)

    def broken():
        raise RuntimeError("database password is hunter2")

    monkeypatch.setitem(app.view_functions, "auth.login", broken)
    response = client.get("/login")
    assert_error_page(app, response, 500, language)
    assert "hunter2" not in response.get_data(as_text=True)
    assert any("hunter2" in (r.exc_text or "") for r in caplog.records)


@pytest.mark.parametrize("language", LANGS)
def test_csrf_failure_has_a_clear_message(app, client, make_user, language):
    use_language(client, language)
    user = make_user()
    response = client.post("/login", data={"login": user.login, "password": user.password})
    message = in_language(
        app, language, gettext,
        "The form has expired or was sent from elsewhere. Reload the page and try again.",
    )
    assert_error_page(app, response, 400, language, message)


@pytest.mark.parametrize("language", LANGS)
def test_429_page(app, client, monkeypatch, language):
    use_language(client, language)
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN", "1 per minute")
    token = csrf_token(client)
    for _ in range(2):
        response = client.post("/login", data={"login": "a", "password": "b", "csrf_token": token})
    assert response.status_code == 429
    assert in_language(app, language, _http_message, 429) in response.get_data(as_text=True)


# --- under /api/ the same errors are JSON ---------------------------------------------------


def test_api_404_and_405_are_json(client):
    assert_json_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_json_error(client.put("/api/v1/openapi.json"), 405, "method_not_allowed")


@pytest.mark.parametrize("status,code", [(403, "forbidden"), (409, "conflict")])
def test_api_aborts_are_json(app, client, logged_in, monkeypatch, status, code):
    logged_in()
    monkeypatch.setitem(app.view_functions, "api.me", lambda: abort(status))
    assert_json_error(client.get("/api/v1/me"), status, code)


def test_api_413_is_json(app, client, logged_in, monkeypatch):
    logged_in()
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    monkeypatch.setitem(app.view_functions, "api.me", lambda: {"size": len(request.get_data())})
    response = client.get("/api/v1/me", data=b"x" * 10_000,
                          headers={"Content-Type": "application/octet-stream"})
    assert_json_error(response, 413, "too_large")


def test_api_500_is_json_and_hides_the_cause(app, client, logged_in, monkeypatch):
    logged_in()

    def broken():
        raise RuntimeError("secret detail")

    monkeypatch.setitem(app.view_functions, "api.me", broken)
    response = client.get("/api/v1/me")
    assert_json_error(response, 500, "server_error")
    assert "secret detail" not in response.get_data(as_text=True)


@pytest.mark.parametrize("language", LANGS)
def test_api_error_messages_follow_the_language(app, client, language):
    use_language(client, language)
    response = client.get("/api/v1/me")
    expected = in_language(app, language, _http_message, 401)
    assert response.json["error"]["message"] == str(expected)
