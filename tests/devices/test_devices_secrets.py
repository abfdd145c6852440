"""SIM PIN/PUK: encrypted at rest, revealed only by POST to holders of the line_secrets
permission (roles are not enough), audited, never cached, never in any other page, export or
API answer; the permission page for administrators; key settings and rotation."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from tests.dbstate import snapshot
from tests.devices.devices_inventory_data import line_data
from tests.office import csrf_token, login
from workhub.auth.models import AuditEvent
from workhub.config import load_config
from workhub.devices import lines
from workhub.devices import secrets as svc
from workhub.devices.models import InventoryEvent, Line, UserPermission
from workhub.errors import Forbidden
from workhub.extensions import db
from workhub.org.models import User

pytestmark = pytest.mark.usefixtures("fast_hashing", "english")

PIN, PUK = "4711", "90817263"


@pytest.fixture
def people(make_user):
    return {
        "keeper": make_user("keeper", roles=("it_admin",)),
        "it": make_user("plain-it", roles=("it_admin",)),
        "admin": make_user("boss", roles=("admin",)),
        "employee": make_user("staff"),
    }


@pytest.fixture
def line_id(app, people):
    """A line with PIN and PUK stored; ``keeper`` holds the permission."""
    with app.app_context():
        keeper = db.session.get(User, people["keeper"].id)
        line = lines.create_line(line_data(), keeper)
        svc.set_secrets(line, keeper, pin=PIN, puk=PUK)
        db.session.add(UserPermission(user_id=keeper.id, name="line_secrets"))
        db.session.commit()
        return line.id


def raw_columns(line_id: int) -> tuple[bytes, bytes]:
    row = db.session.execute(text("SELECT pin_encrypted, puk_encrypted FROM lines WHERE id = :i"),
                             {"i": line_id}).one()
    return bytes(row[0]), bytes(row[1])


def test_database_holds_no_plaintext(app, line_id):
    with app.app_context():
        pin, puk = raw_columns(line_id)
        assert PIN.encode() not in pin and PUK.encode() not in puk
        assert svc.decrypt(pin) == PIN and svc.decrypt(puk) == PUK
        details = " ".join(e.detail or "" for e in db.session.scalars(select(InventoryEvent)))
        assert PIN not in details and PUK not in details and '"pin"' in details


def test_reveal_service_needs_the_permission_not_a_role(app_ctx, line_id, people):
    line = db.session.get(Line, line_id)
    for who in ("it", "admin", "employee"):
        with pytest.raises(Forbidden):
            svc.reveal(line, db.session.get(User, people[who].id))
    values = svc.reveal(line, db.session.get(User, people["keeper"].id), ip="10.0.0.9")
    assert values == {"pin": PIN, "puk": PUK}
    audit = db.session.scalar(select(AuditEvent).where(
        AuditEvent.event == "devices.line_secrets_revealed"))
    assert audit.actor_login == "keeper" and audit.ip == "10.0.0.9"
    assert PIN not in json.dumps(audit.detail)
    assert db.session.scalar(select(InventoryEvent.action).where(
        InventoryEvent.action == "revealed")) == "revealed"


def test_reveal_page_is_a_post_shown_once_and_not_cached(client, app, line_id, people):
    login(client, people["keeper"])
    page = client.get(f"/devices/lines/{line_id}").get_data(as_text=True)
    assert "Show PIN and PUK" in page and PIN not in page
    assert client.get(f"/devices/lines/{line_id}/secrets").status_code == 405
    token = csrf_token(client, f"/devices/lines/{line_id}")
    response = client.post(f"/devices/lines/{line_id}/secrets", data={"csrf_token": token})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and PIN in body and PUK in body
    assert "no-store" in response.headers["Cache-Control"]
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.id).where(
            AuditEvent.event == "devices.line_secrets_revealed")) is not None


@pytest.mark.parametrize("who", ["it", "admin"])
def test_it_and_admins_without_the_permission_see_no_secret_anywhere(client, app, line_id,
                                                                   people, who):
    login(client, people[who])
    page = client.get(f"/devices/lines/{line_id}").get_data(as_text=True)
    assert "Show PIN and PUK" not in page and "PIN stored" in page
    token = csrf_token(client, f"/devices/lines/{line_id}")
    before = snapshot(app)
    assert client.post(f"/devices/lines/{line_id}/secrets",
                       data={"csrf_token": token}).status_code == 403
    assert snapshot(app) == before
    for url in (f"/devices/lines/{line_id}", f"/devices/lines/{line_id}/edit",
                "/devices/lines", "/devices/lines/export.csv", f"/api/v1/lines/{line_id}",
                "/api/v1/lines"):
        body = client.get(url).get_data()
        assert PIN.encode() not in body and PUK.encode() not in body, url
    xlsx = client.get("/devices/lines/export.xlsx").get_data()
    assert b"PUK" not in xlsx  # no column at all (the sheet XML would name it)
    api = client.get(f"/api/v1/lines/{line_id}").json
    assert not {"pin", "puk", "pin_encrypted", "puk_encrypted"} & set(api)


def test_edit_form_sets_and_clears_secrets_without_showing_them(client, app, line_id, people):
    login(client, people["it"])
    form = client.get(f"/devices/lines/{line_id}/edit").get_data(as_text=True)
    assert PIN not in form and 'type="password"' in form
    with app.app_context():
        values = {k: ("" if v is None else str(v))
                  for k, v in lines.line_values(db.session.get(Line, line_id)).items()}
    token = csrf_token(client, f"/devices/lines/{line_id}/edit")
    bad = client.post(f"/devices/lines/{line_id}/edit",
                      data={**values, "pin": "12", "csrf_token": token})
    assert bad.status_code == 422 and "4 to 8 digits" in bad.get_data(as_text=True)
    client.post(f"/devices/lines/{line_id}/edit",
                data={**values, "pin": "123456", "csrf_token": token})
    with app.app_context():
        line = db.session.get(Line, line_id)
        assert svc.decrypt(line.pin_encrypted) == "123456"
        assert svc.decrypt(line.puk_encrypted) == PUK  # left empty: kept
    client.post(f"/devices/lines/{line_id}/edit",
                data={**values, "clear_secrets": "y", "csrf_token": token})
    with app.app_context():
        assert svc.stored(db.session.get(Line, line_id)) == {"pin": False, "puk": False}


def test_wrong_key_is_a_clear_error_not_a_crash(client, app, line_id, people, monkeypatch):
    monkeypatch.setitem(app.config, "ENCRYPTION_KEYS", (Fernet.generate_key().decode(),))
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key-entirely")
    login(client, people["keeper"])
    token = csrf_token(client, f"/devices/lines/{line_id}")
    response = client.post(f"/devices/lines/{line_id}/secrets", data={"csrf_token": token})
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "WORKHUB_ENCRYPTION_KEYS" in body
    assert "cannot be decrypted" in body


def test_key_rotation_keeps_old_secrets_readable(app_ctx, app, line_id, monkeypatch):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "ENCRYPTION_KEYS", (old,))
    line = db.session.get(Line, line_id)
    # Stored with the key derived from SECRET_KEY: still read once real keys are set.
    assert svc.decrypt(line.pin_encrypted) == PIN
    assert svc.reencrypt_all() == 1
    monkeypatch.setitem(app.config, "ENCRYPTION_KEYS", (new, old))
    assert svc.decrypt(line.pin_encrypted) == PIN
    svc.reencrypt_all()
    monkeypatch.setitem(app.config, "ENCRYPTION_KEYS", (new,))
    monkeypatch.setitem(app.config, "SECRET_KEY", "rotated-away")
    assert svc.decrypt(line.pin_encrypted) == PIN and svc.decrypt(line.puk_encrypted) == PUK


def test_encryption_keys_setting(tmp_path):
    key = Fernet.generate_key().decode()
    env = {"WORKHUB_INSTANCE_PATH": str(tmp_path), "WORKHUB_SECRET_KEY": "k" * 32}
    assert load_config(env)["ENCRYPTION_KEYS"] == ()
    other = Fernet.generate_key().decode()
    assert load_config({**env, "WORKHUB_ENCRYPTION_KEYS": f" {key} ,{other}"})[
        "ENCRYPTION_KEYS"] == (key, other)
    with pytest.raises(ValueError) as caught:
        load_config({**env, "WORKHUB_ENCRYPTION_KEYS": f"{key},not-a-key-secret"})
    assert "key 2" in str(caught.value) and "not-a-key-secret" not in str(caught.value)


def test_pin_and_puk_formats(app_ctx, line_id, people):
    line = db.session.get(Line, line_id)
    actor = db.session.get(User, people["it"].id)
    for pin, puk in (("123", None), ("123456789", None), (None, "1234567"), ("12a4", None)):
        with pytest.raises(svc.f.Invalid):
            svc.set_secrets(line, actor, pin=pin, puk=puk)
    assert svc.set_secrets(line, actor, pin="１２３４") == ["pin"]  # full-width digits
    assert svc.decrypt(line.pin_encrypted) == "1234"


# --- the permission page ----------------------------------------------------------------------


def test_admin_grants_and_revokes_audited(client, app, people):
    login(client, people["admin"])
    token = csrf_token(client, "/devices/permissions")
    response = client.post("/devices/permissions", data={"login": "plain-it",
                                                         "csrf_token": token})
    assert response.status_code == 303
    page = client.get("/devices/permissions").get_data(as_text=True)
    assert "plain-it" in page
    with app.app_context():
        row = db.session.scalar(select(UserPermission).where(
            UserPermission.user_id == people["it"].id))
        assert row is not None and row.granted_by_id == people["admin"].id
        row_id = row.id
    again = client.post("/devices/permissions", data={"login": "plain-it", "csrf_token": token})
    assert again.status_code == 409 and "already" in again.get_data(as_text=True)
    assert client.post(f"/devices/permissions/{row_id}/revoke",
                       data={"csrf_token": token}).status_code == 303
    with app.app_context():
        assert db.session.get(UserPermission, row_id) is None
        audited = set(db.session.scalars(select(AuditEvent.event)))
        assert {"devices.permission_granted", "devices.permission_revoked"} <= audited


@pytest.mark.parametrize(("login_id", "status", "message"), [
    ("staff", 400, "Only IT staff and administrators"),
    ("nobody", 404, "no user with that login"),
    ("", 422, "required"),
])
def test_grant_refuses_wrong_people_and_changes_nothing(client, app, people, login_id, status,
                                                        message):
    login(client, people["admin"])
    token = csrf_token(client, "/devices/permissions")
    before = snapshot(app)
    response = client.post("/devices/permissions", data={"login": login_id, "csrf_token": token})
    assert response.status_code == status and message in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_it_may_not_grant_itself(client, app, people):
    login(client, people["it"])
    assert client.get("/devices/permissions").status_code == 403
    with app.app_context(), pytest.raises(Forbidden):
        svc.grant(db.session.get(User, people["it"].id), db.session.get(User, people["it"].id))


def test_reencrypt_command_rotates_and_refuses_unreadable(app, line_id, monkeypatch):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    runner = app.test_cli_runner()
    monkeypatch.setitem(app.config, "ENCRYPTION_KEYS", (new, old))
    result = runner.invoke(args=["devices-reencrypt"])
    assert result.exit_code == 0 and "1 lines" in result.output
    # Without the key the PIN was written with, nothing is rewritten and the command fails.
    monkeypatch.setitem(app.config, "ENCRYPTION_KEYS", (old,))
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key-entirely-0123456789")
    result = runner.invoke(args=["devices-reencrypt"])
    assert result.exit_code == 1 and "re-encrypted" not in result.output
    monkeypatch.setitem(app.config, "ENCRYPTION_KEYS", (new,))
    with app.app_context():
        assert svc.decrypt(db.session.get(Line, line_id).pin_encrypted) == PIN
