"""GET /healthz: 200 when the database answers, 503 when it does not."""

from __future__ import annotations

import socket

import pytest

from workhub import create_app
from workhub.extensions import db


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
