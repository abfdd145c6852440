"""GET /healthz: 200 when the database answers, 503 when it does not."""

from __future__ import annotations

import re
import socket

import pytest
from flask_babel import force_locale
from markupsafe import escape

from workhub import create_app
from workhub.extensions import db
from workhub.web import _http_message


def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.json == {"status": "ok", "database": "ok"}
    assert not response.headers.getlist("Set-Cookie")


def test_needs_no_login_and_only_get(client):
    assert client.get("/healthz").status_code == 200
    response = client.post("/healthz")
    assert response.status_code in (400, 405)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def app_with_database(tmp_path, monkeypatch):
    """Build a separate app whose database URL is ``url``."""
    made = []

    def factory(url: str):
        monkeypatch.setenv("WORKHUB_INSTANCE_PATH", str(tmp_path))
        monkeypatch.setenv("WORKHUB_DATABASE_URL", url)
        application = create_app({"TESTING": True})
        made.append(application)
        return application

    yield factory
    for application in made:
        with application.app_context():
            db.engine.dispose()


@pytest.mark.parametrize(
    "url",
    [
        pytest.param(f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/workhub",
                     id="postgresql on a closed port"),
        pytest.param("sqlite:////nonexistent-folder/for/workhub.db", id="sqlite unreadable"),
    ],
)
def test_database_down_gives_503(app_with_database, url):
    response = app_with_database(url).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unavailable"}


def test_database_down_does_not_leak_details(app_with_database):
    url = f"postgresql+psycopg://postgres:secret-pw@127.0.0.1:{_closed_port()}/workhub"
    body = app_with_database(url).test_client().get("/healthz").get_data(as_text=True)
    assert "secret-pw" not in body and "127.0.0.1" not in body


@pytest.fixture
def down_app(app_with_database):
    return app_with_database(f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/workhub")


def _signed_in(client):
    # A session cookie from before the outage, as a browser would still hold it.
    with client.session_transaction() as sess:
        sess["_user_id"] = "1"
        sess["_fresh"] = True


@pytest.mark.parametrize("language", ["ja", "en"])
def test_pages_answer_503_while_the_database_is_down(down_app, language):
    client = down_app.test_client()
    _signed_in(client)
    with client.session_transaction() as sess:
        sess["lang"] = language
    response = client.get("/profile")
    assert response.status_code == 503
    assert response.content_type.startswith("text/html")
    assert response.headers["Retry-After"]
    page = response.get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    with down_app.test_request_context(), force_locale(language):
        assert str(escape(_http_message(503))) in page


def test_api_answers_503_json_while_the_database_is_down(down_app):
    client = down_app.test_client()
    for headers in ({"Authorization": "Bearer whk_" + "A" * 43}, {}):
        if not headers:
            _signed_in(client)
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 503
        assert response.json["error"]["code"] == "unavailable"


def test_sign_in_answers_503_while_the_database_is_down(down_app):
    client = down_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"login": "sato", "password": "Kasumigaseki-2026", "csrf_token": token}
    )
    assert response.status_code == 503
