"""The session after sign-in: renewed, flagged cookies, POST-only logout, deactivation ends it."""

from __future__ import annotations

from sqlalchemy import select

from tests.office import csrf_token, login
from workhub.auth.models import AuditEvent
from workhub.extensions import db
from workhub.org.models import User


def session_cookie(response) -> str:
    [header] = [
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("workhub_session=")
    ]
    return header


def test_session_is_renewed_at_login(app, client, make_user):
    user = make_user()
    csrf_token(client)
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    before = client.get_cookie("workhub_session").value

    assert login(client, user).status_code == 302

    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"] == str(user.id)
    assert client.get_cookie("workhub_session").value != before


def test_language_chosen_before_login_is_kept(client, make_user):
    user = make_user()
    client.post("/language", data={"language": "en", "csrf_token": csrf_token(client)})
    login(client, user)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_cookie_flags(client, make_user):
    user = make_user()
    header = session_cookie(login(client, user))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" not in header


def test_cookie_is_secure_when_configured(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    user = make_user()
    response = client.post(
        "/login",
        data={"login": user.login, "password": user.password, "csrf_token": csrf_token(client)},
    )
    header = session_cookie(response)
    assert "; Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


def test_logout_by_get_is_not_allowed(client, logged_in):
    logged_in()
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_logout_without_csrf_is_refused(client, logged_in):
    logged_in()
    response = client.post("/logout")
    assert response.status_code == 400
    assert client.get("/").status_code == 200


def test_logout_signs_out_and_audits(app, client, logged_in):
    user = logged_in()
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "logout")).all()
        assert [(r.actor_id, r.ip) for r in rows] == [(user.id, "127.0.0.1")]


def test_logout_when_signed_out_goes_to_login(client):
    response = client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_deactivated_user_loses_the_session(app, client, logged_in):
    user = logged_in()
    assert client.get("/profile").status_code == 200
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    api = client.get("/api/v1/me")
    assert api.status_code == 401
    assert api.json["error"]["code"] == "unauthorized"


def test_deleted_user_loses_the_session(app, client, logged_in):
    user = logged_in()
    with app.app_context():
        db.session.delete(db.session.get(User, user.id))
        db.session.commit()
    assert client.get("/").status_code == 302


def test_tampered_session_cookie_is_ignored(client, logged_in):
    logged_in()
    value = client.get_cookie("workhub_session").value
    client.set_cookie("workhub_session", value[:-4] + ("AAAA" if value[-4:] != "AAAA" else "BBBB"))
    assert client.get("/").status_code == 302
