"""The core works end to end: health, login, home, API identity."""

from tests.office import csrf_token, login


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_login_then_home_shows_name(client, make_user):
    user = make_user("hanako", display_name="山田 花子")
    assert login(client, user).status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "山田 花子" in page


def test_csrf_token_is_required_on_login(client, make_user):
    user = make_user()
    csrf_token(client)
    response = client.post("/login", data={"login": user.login, "password": user.password})
    assert response.status_code == 400
