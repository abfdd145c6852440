"""Sign-ins that the server can end (issue 14), tried as the person who copied a cookie would:
the copy is replayed after sign-out, after a password reset, a change of roles or
department, deactivation, "sign out everywhere" and an administrator's "end all sign-ins"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.office import TEST_PASSWORD, csrf_token, login
from workhub.auth.models import AuditEvent, UserSession
from workhub.extensions import db
from workhub.org.accounts import admin_set_user_roles, reset_user_password, set_user_active
from workhub.org.models import Department, User

pytestmark = pytest.mark.usefixtures("english", "fast_hashing")

NEW = "Shinjuku-Gyoen-2027"


def signed_in(client) -> bool:
    """Whether ``client`` reaches a page that needs a sign-in."""
    return client.get("/profile").status_code == 200


def stolen_copy(app, client):
    """A second browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("workhub_session", client.get_cookie("workhub_session").value)
    return thief


def post(client, path: str, data=None):
    return client.post(path, data={"csrf_token": csrf_token(client, "/profile"),
                                   **(data or {})})


def person(login_name: str) -> User:
    return db.session.scalar(select(User).where(User.login == login_name))


@pytest.fixture
def emp(app, client, make_user, make_department):
    make_department("IT", "情報政策課")
    make_department("FIN", "財政課")
    info = make_user("emp", department="IT")
    make_user("boss", roles=("employee", "admin"), department="IT")
    assert login(client, info).status_code == 302
    return info


def test_a_copied_cookie_works_until_sign_out_and_never_after(app, client, emp):
    thief = stolen_copy(app, client)
    assert signed_in(thief)  # the attack is real: a copy of the cookie is a sign-in
    assert post(client, "/logout").status_code == 302
    assert not signed_in(client) and not signed_in(thief)


@pytest.mark.parametrize("change", ["password_reset", "roles", "department", "deactivated"])
def test_changes_of_rights_end_every_sign_in(app, client, emp, change):
    other = app.test_client()
    login(other, "emp")
    thief = stolen_copy(app, client)
    with app.app_context():
        user, boss = person("emp"), person("boss")
        if change == "password_reset":
            reset_user_password(user, NEW, actor=boss)
        elif change == "roles":
            admin_set_user_roles(user, ["employee", "hr"], actor=boss)
        elif change == "department":
            user.department_id = db.session.scalar(
                select(Department.id).where(Department.code == "FIN"))
        else:
            set_user_active(user, False, actor=boss)
        db.session.commit()
    for browser in (client, other, thief):
        assert not signed_in(browser), change
    if change != "deactivated":  # signing in again works, under the new rights
        assert login(client, "emp", NEW if change == "password_reset" else TEST_PASSWORD
                     ).status_code == 302
        assert signed_in(client)


def test_an_unrelated_change_keeps_the_sign_in(app, client, emp):
    with app.app_context():
        user = person("emp")
        user.language, user.kana = "ja", "てすと"
        db.session.commit()
    assert signed_in(client)


def test_sign_out_everywhere(app, client, emp):
    phone = app.test_client()
    login(phone, "emp")
    thief = stolen_copy(app, phone)
    page = client.get("/profile").get_data(as_text=True)
    assert page.count("<tr>") >= 3 and "this browser" in page  # two sign-ins listed
    response = post(client, "/profile/sign-out-everywhere")
    assert response.status_code == 303 and response.headers["Location"].endswith("/login")
    for browser in (client, phone, thief):
        assert not signed_in(browser)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "sessions.ended"))
        assert event.detail == {"count": 2, "by": "self"} and event.target == "emp"
        assert all(s.ended_at is not None for s in db.session.scalars(select(UserSession)))


def test_an_administrator_ends_a_persons_sign_ins(app, client, emp):
    admin = app.test_client()
    login(admin, "boss")
    with app.app_context():
        emp_id = person("emp").id
    page = admin.get(f"/admin/users/{emp_id}").get_data(as_text=True)
    assert "1 browser is signed in as this person." in page
    response = admin.post(f"/admin/users/{emp_id}/sessions/end",
                          data={"csrf_token": csrf_token(admin, f"/admin/users/{emp_id}")})
    assert response.status_code == 303
    assert not signed_in(client) and signed_in(admin)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "sessions.ended"))
        assert (event.actor_login, event.target, event.detail["by"]) == ("boss", "emp", "admin")
    missing = admin.post("/admin/users/99999/sessions/end",
                         data={"csrf_token": csrf_token(admin, f"/admin/users/{emp_id}")})
    assert missing.status_code == 404
    no_csrf = admin.post(f"/admin/users/{emp_id}/sessions/end")
    assert no_csrf.status_code == 400


def test_changing_ones_own_password_keeps_this_sign_in_only(app, client, emp):
    other = app.test_client()
    login(other, "emp")
    response = post(client, "/profile/password", {
        "current_password": TEST_PASSWORD, "password": NEW, "confirm": NEW})
    assert response.status_code == 303
    assert signed_in(client) and not signed_in(other)
    assert login(other, "emp", NEW).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.event).where(
            AuditEvent.event == "password.changed")) == "password.changed"


@pytest.mark.parametrize("data,message", [
    ({"current_password": "wrong-one-123", "password": NEW, "confirm": NEW},
     "The current password is not right."),
    ({"current_password": TEST_PASSWORD, "password": NEW, "confirm": NEW + "x"},
     "The two passwords differ."),
    ({"current_password": TEST_PASSWORD, "password": "short", "confirm": "short"},
     "at least 10 characters"),
    ({"current_password": TEST_PASSWORD, "password": TEST_PASSWORD,
      "confirm": TEST_PASSWORD}, "other than the current one"),
    ({"current_password": "", "password": NEW, "confirm": NEW},
     "Enter your current password."),
    ({"current_password": "x" * 5000, "password": NEW, "confirm": NEW}, "At most"),
    ({"current_password": TEST_PASSWORD, "password": "新しい\x00パスワード です",
      "confirm": "新しい\x00パスワード です"}, "control characters"),
])
def test_a_refused_password_change_changes_nothing(app, client, emp, data, message):
    with app.app_context():
        before = person("emp").password_hash
    response = post(client, "/profile/password", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert person("emp").password_hash == before
    assert signed_in(client)


def test_a_session_without_its_server_record_signs_nobody_in(app, client, emp):
    """A cookie signed with the right key but naming no live session (forged by someone
    who has the key, or kept from before this version) is refused."""
    with client.session_transaction() as sess:
        sess["sid"] = "made-up"
    assert not signed_in(client)
    with client.session_transaction() as sess:
        sess.pop("sid")
    assert not signed_in(client)


def test_a_sign_in_unused_for_longer_than_the_cookie_lives_is_dead(app, client, emp,
                                                                    time_machine):
    thief = stolen_copy(app, client)
    time_machine.move_to(datetime.now(UTC), tick=False)
    time_machine.shift(app.permanent_session_lifetime + timedelta(minutes=1))
    assert not signed_in(thief)


def test_last_use_is_noted_without_a_write_per_request(app, client, emp, time_machine):
    with app.app_context():
        first = db.session.scalar(select(UserSession.last_seen_at))
    time_machine.move_to(datetime.now(UTC), tick=False)
    signed_in(client)
    with app.app_context():
        assert db.session.scalar(select(UserSession.last_seen_at)) == first
    time_machine.shift(timedelta(minutes=6))
    signed_in(client)
    with app.app_context():
        assert db.session.scalar(select(UserSession.last_seen_at)) > first
