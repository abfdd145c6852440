"""API token scopes (read, or read and write, per feature), expiry, and the administrators'
list of everyone's tokens (workhub/auth/scopes.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from tests.office import csrf_token, login
from workhub.auth import scopes
from workhub.auth.models import ApiToken, AuditEvent
from workhub.auth.services import create_token
from workhub.errors import DomainError
from workhub.extensions import db
from workhub.org.models import User
from workhub.telework.models import Booking

READ_ALL = dict.fromkeys(scopes.FEATURES, "read")


def new_token(app, user_id: int, granted=None, days: int = 90) -> str:
    with app.app_context():
        _row, secret = create_token(db.session.get(User, user_id), "script", scopes=granted,
                                    days=days)
        db.session.commit()
        return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def api_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def url_for_rule(rule) -> str:
    """A URL of ``rule`` with a value for each parameter (the scope check comes first)."""
    return re.sub(r"<(?:int:)?(\w+)>", lambda m: "2026-04" if m.group(1) == "month" else "1",
                  rule.rule)


def test_every_api_route_belongs_to_a_feature(app):
    """A new API route with no feature would be refused to every token: name its feature in
    scopes.PATH_FEATURES (or OPEN_PATHS, read only)."""
    unknown = sorted({rule.rule for rule, _m in api_rules(app)
                      if scopes.feature_of(rule.rule) is None})
    assert unknown == []


def test_a_read_only_token_cannot_write_anywhere(app, client, make_user):
    """Every writing API route, called with a token that may read everything: 403, and
    nothing written."""
    user = make_user("yamada", roles=("employee", "manager", "hr", "it_admin", "secretary",
                                      "admin"))
    secret = new_token(app, user.id, READ_ALL)
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    writes = [(rule, method) for rule, method in api_rules(app) if method != "GET"]
    assert len(writes) > 20
    for rule, method in writes:
        response = client.open(url_for_rule(rule), method=method, headers=bearer(secret),
                               json={"dates": ["2026-04-01"]})
        assert response.status_code == 403, (method, rule.rule, response.get_json())
        assert response.json["error"]["code"] == "insufficient_scope"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_a_token_reads_only_the_features_it_names(app, client, make_user):
    user = make_user("sato")
    secret = new_token(app, user.id, {"telework": "write"})
    headers = bearer(secret)
    assert client.get("/api/v1/telework/bookings", headers=headers).status_code == 200
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    for path in ("/api/v1/surveys", "/api/v1/devices", "/api/v1/meetings"):
        response = client.get(path, headers=headers)
        assert response.status_code == 403 and response.json["error"]["code"] == \
            "insufficient_scope"
    # Writing telework is allowed: the view itself answers (here: a booking is made).
    response = client.post("/api/v1/telework/bookings", headers=headers,
                           json={"dates": ["2026-04-06"], "place": "home", "slot": "full"})
    assert response.status_code != 403


def test_a_tampered_scope_in_the_database_grants_nothing(app, client, make_user):
    """Plain SQL writes a scope that does not exist: it is ignored, not read as 'write'."""
    user = make_user("kato")
    secret = new_token(app, user.id, {"telework": "read"})
    with app.app_context():
        db.session.execute(text("UPDATE api_tokens SET scopes = 'telework:superuser "
                                "telework:write:x devices'"))
        db.session.commit()
    headers = bearer(secret)
    assert client.get("/api/v1/telework/bookings", headers=headers).status_code == 403
    assert client.post("/api/v1/telework/bookings", headers=headers,
                       json={}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_tokens_expire(app, client, make_user, time_machine):
    user = make_user("ito")
    time_machine.move_to("2026-04-01T09:00:00+09:00", tick=False)
    short = new_token(app, user.id, READ_ALL, days=30)
    default = new_token(app, user.id, READ_ALL)
    time_machine.shift(timedelta(days=30, seconds=-1))
    assert client.get("/api/v1/me", headers=bearer(short)).status_code == 200
    time_machine.shift(timedelta(seconds=2))
    assert client.get("/api/v1/me", headers=bearer(short)).status_code == 401
    time_machine.shift(timedelta(days=60))
    assert client.get("/api/v1/me", headers=bearer(default)).status_code == 401
    with app.app_context():
        row = db.session.scalars(select(ApiToken).order_by(ApiToken.id)).all()[1]
        assert row.expires_at - row.created_at == timedelta(days=90)


@pytest.mark.parametrize("days", [0, -1, 366, 10_000, True])
def test_a_token_lasts_at_most_a_year(app, app_ctx, make_user, days):
    user = db.session.get(User, make_user("mori").id)
    with pytest.raises(DomainError) as err:
        create_token(user, "script", scopes=READ_ALL, days=days)
    assert err.value.field == "days"


@pytest.mark.parametrize("granted", [{}, {"telework": ""}, {"telework": "admin"},
                                     {"hr": "write"}, {"telework": "READ"}])
def test_bad_scopes_are_refused(app, app_ctx, make_user, granted):
    user = db.session.get(User, make_user("mori").id)
    with pytest.raises(DomainError) as err:
        create_token(user, "script", scopes=granted)
    assert err.value.field == "scopes"


def post_token(client, **fields):
    data = {"name": "集計", "days": "90", **{f"scope_{f}": "read" for f in scopes.FEATURES}}
    data.update(fields)
    data["csrf_token"] = csrf_token(client, "/profile")
    return client.post("/profile/tokens", data=data)


def token_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ApiToken))


@pytest.mark.parametrize("fields", [
    {"days": "1000"}, {"days": "abc"}, {"days": ""}, {"scope_telework": "admin"},
    {"scope_surveys": "write" * 1000},
    dict.fromkeys((f"scope_{f}" for f in scopes.FEATURES), ""),
])
def test_the_profile_form_refuses_bad_scopes_and_expiry(app, client, logged_in, english,
                                                        fields):
    logged_in()
    response = post_token(client, **fields)
    assert response.status_code == 400
    assert 'id="new-token"' not in response.get_data(as_text=True)
    assert token_count(app) == 0


def test_the_profile_form_makes_a_scoped_token_and_lists_it(app, client, logged_in, english):
    logged_in()
    response = post_token(client, days="30", scope_telework="write", scope_devices="",
                          scope_surveys="read", scope_meetings="")
    assert response.status_code == 200
    secret = re.search(r'id="new-token">([^<]+)<', response.get_data(as_text=True)).group(1)
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row.scopes == "surveys:read telework:write"
        assert row.expires_at - row.created_at == timedelta(days=30)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    page = client.get("/profile").get_data(as_text=True)
    assert "Telework: read and write" in page and "Surveys: read" in page
    assert "Devices and lines" not in page.split("Your tokens")[1]
    # Shown in office time (Japan), which is a day ahead of UTC after 15:00 UTC.
    assert row.expires_at.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%Y-%m-%d") in page


def test_admins_list_and_revoke_anyones_token(app, client, make_user, english):
    owner = make_user("hanako")
    secret = new_token(app, owner.id, READ_ALL)
    admin = make_user("kanri", roles=("admin",))
    login(client, admin)
    app.test_client().get("/api/v1/me", headers=bearer(secret))  # last use is shown
    page = client.get("/admin/tokens").get_data(as_text=True)
    assert "hanako" in page and "script" in page and "Never" not in page
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    response = client.post(f"/admin/tokens/{token_id}/revoke",
                           data={"csrf_token": csrf_token(client, "/admin/tokens")})
    assert response.status_code == 303
    assert app.test_client().get("/api/v1/me", headers=bearer(secret)).status_code == 401
    with app.app_context():
        [event] = db.session.scalars(select(AuditEvent).where(
            AuditEvent.event == "token.revoked")).all()
        assert (event.actor_login, event.target) == ("kanri", "hanako")
    assert ">hanako</a>" not in client.get("/admin/tokens").get_data(as_text=True)
    assert ">hanako</a>" in client.get("/admin/tokens?status=revoked").get_data(as_text=True)
    assert client.get("/admin/tokens?status=nonsense").status_code == 400
    assert client.post("/admin/tokens/999999/revoke", data={
        "csrf_token": csrf_token(client, "/admin/tokens")}).status_code == 404
