"""Login throttling: counted per typed login in its own table, atomically, unknown logins too;
a short growing wait instead of a lock; nothing typed is stored (workhub/auth/throttle.py)."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text

from tests.office import TEST_PASSWORD, csrf_token, login
from workhub.auth.models import AuditEvent, LoginThrottle
from workhub.auth.services import LoginFailed, LoginPaused, LoginSettings, authenticate
from workhub.auth.throttle import ThrottleSettings
from workhub.extensions import db

START = datetime.fromisoformat("2026-04-01T09:00:00+09:00")
WRONG = "Wrong-password-1"


@pytest.fixture
def fast(app, monkeypatch):
    """3 attempts in a row, then 10 s, 20 s, 40 s (the most)."""
    for key, value in {"LOGIN_MAX_FAILURES": 3, "LOGIN_DELAY_SECONDS": 10,
                       "LOGIN_MAX_DELAY_SECONDS": 40, "RATELIMIT_LOGIN": "1000 per minute"}.items():
        monkeypatch.setitem(app.config, key, value)


def post_login(client, login_id: str, password: str):
    return client.post("/login", data={"login": login_id, "password": password,
                                       "csrf_token": csrf_token(client)})


def reasons(app) -> list[str]:
    with app.app_context():
        return [r.detail.get("reason") for r in db.session.scalars(
            select(AuditEvent).where(AuditEvent.event == "login.failed").order_by(AuditEvent.id))]


def signed_in(client) -> bool:
    with client.session_transaction() as sess:
        return "_user_id" in sess


def test_a_paused_login_lets_the_right_password_through_after_a_growing_wait(
        app, client, make_user, fast, english, time_machine):
    time_machine.move_to(START, tick=False)
    user = make_user("tanaka")
    for _ in range(3):
        assert post_login(client, "tanaka", WRONG).status_code == 401

    # Paused: even the right password is not checked, and the page says how long to wait.
    response = login(client, user)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "10"
    assert "Try again in 10 seconds" in response.get_data(as_text=True)
    assert not signed_in(client)
    time_machine.shift(timedelta(seconds=11))
    assert post_login(client, "tanaka", WRONG).status_code == 401  # 4th: now 20 s
    time_machine.shift(timedelta(seconds=15))
    assert login(client, user).status_code == 429
    time_machine.shift(timedelta(seconds=6))
    assert post_login(client, "tanaka", WRONG).status_code == 401  # 5th: 40 s
    time_machine.shift(timedelta(seconds=41))
    assert post_login(client, "tanaka", WRONG).status_code == 401  # 6th: still 40 s (cap)
    assert login(client, user).headers["Retry-After"] == "40"
    time_machine.shift(timedelta(seconds=40))

    assert login(client, user).status_code == 302
    assert signed_in(client)
    with app.app_context():  # a success forgets the count
        assert db.session.scalar(select(LoginThrottle)) is None
    assert reasons(app).count("paused") == 3


def test_unknown_logins_are_paused_exactly_like_known_ones(
        app, client, make_user, fast, time_machine):
    time_machine.move_to(START, tick=False)
    make_user("suzuki")

    def story(login_id: str) -> list[tuple[int, str | None, str]]:
        seen = []
        for step in range(6):
            response = post_login(client, login_id, WRONG)
            body = response.get_data(as_text=True)
            flash = re.search(r'class="alert[^"]*"[^>]*>(.*?)</div>', body, re.S)
            seen.append((response.status_code, response.headers.get("Retry-After"),
                         flash.group(1).strip() if flash else ""))
            time_machine.shift(timedelta(seconds=4 * step))
        return seen

    known = story("suzuki")
    time_machine.move_to(START, tick=False)
    unknown = story("no.such.person")
    assert known == unknown
    assert [status for status, _, _ in known] == [401, 401, 401, 429, 401, 429]


def test_parallel_guesses_get_no_more_checks_than_allowed(app, make_user):
    """Twenty guesses sent at once: three are checked, the rest are told to wait. (With a
    count read and written back by each request, most of the twenty were checked.)"""
    make_user("kato")
    settings = LoginSettings(providers=["local"], throttle=ThrottleSettings(max_failures=3))
    start = threading.Barrier(20)
    outcomes: list[str] = []

    def guess(n: int) -> None:
        with app.app_context():
            start.wait()
            try:
                authenticate("kato", f"{WRONG}{n}", settings, ip="192.0.2.1")
            except LoginPaused:
                outcomes.append("paused")
            except LoginFailed:
                outcomes.append("checked")
            finally:
                db.session.commit()
                db.session.remove()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["checked"] * 3 + ["paused"] * 17
    assert reasons(app).count("bad_credentials") == 3


def test_a_rolled_back_request_does_not_undo_the_count(app, app_ctx, make_user):
    """An attempt is counted on its own connection before it is checked: a request that fails
    afterwards (and rolls back) leaves the count standing."""
    make_user("ito")
    settings = LoginSettings(providers=["local"], throttle=ThrottleSettings(max_failures=2))
    for _ in range(2):
        with pytest.raises(LoginFailed):
            authenticate("ito", WRONG, settings)
        db.session.rollback()
    with pytest.raises(LoginPaused):
        authenticate("ito", TEST_PASSWORD, settings)


def test_nothing_typed_is_kept(app, client, fast):
    """Plain SQL on the table: neither the typed login (sometimes a password typed into the
    wrong field) nor the password appears in any column."""
    typed = "Himitsu-Pass-2026"
    for _ in range(4):
        post_login(client, typed, "Another-Secret-99")
    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM login_throttles")).all()
        dump = repr([tuple(r) for r in rows])
        assert len(rows) == 1 and rows[0].failures == 3
    for secret in (typed, typed.lower(), "Another-Secret-99"):
        assert secret not in dump


def test_the_count_is_forgotten_after_a_day(app, client, make_user, fast, time_machine):
    time_machine.move_to(START, tick=False)
    make_user("yamada")
    for _ in range(3):
        post_login(client, "yamada", WRONG)
    time_machine.shift(timedelta(hours=25))
    for _ in range(3):  # three more in a row before the next wait
        assert post_login(client, "yamada", WRONG).status_code == 401
    assert post_login(client, "yamada", WRONG).status_code == 429


def test_admin_sees_the_pause_and_a_password_reset_lifts_it(
        app, client, make_user, fast, english, time_machine):
    time_machine.move_to(START, tick=False)
    admin = make_user("kanri", roles=("admin",))
    other = make_user("hanako")
    other_client = app.test_client()
    for _ in range(3):
        post_login(other_client, "hanako", WRONG)
    login(client, admin)
    page = client.get(f"/admin/users/{other.id}").get_data(as_text=True)
    assert "Sign-in paused until" in page and "2026-04-01 09:00:10" in page
    new = "Fresh-Start-2026-x"
    response = client.post(f"/admin/users/{other.id}/password", data={
        "password": new, "confirm": new, "csrf_token": csrf_token(client, "/profile")})
    assert response.status_code == 303
    assert "Sign-in paused until" not in client.get(f"/admin/users/{other.id}").get_data(
        as_text=True)
    assert login(other_client, "hanako", new).status_code == 302


LOCKOUT_POLICY = "cn=lockout,ou=policies,dc=city,dc=example,dc=jp"


def test_workhub_never_locks_a_person_out_of_the_directory(
        ldap_app, slapd, ldap_edit, set_ldap, english, time_machine):
    """The test directory locks a person after 4 failed binds (ppolicy, like Active
    Directory). Twelve wrong passwords through WorkHub send it only 2; the person's own
    password still binds, and signs in through WorkHub once the window has passed."""
    from tests.fixtures_ldap import LDAP_PASSWORD

    set_ldap(LDAP_LOCKOUT_THRESHOLD=4, LDAP_LOCKOUT_WINDOW_MINUTES=30, LOGIN_MAX_FAILURES=3,
             LOGIN_DELAY_SECONDS=1, LOGIN_MAX_DELAY_SECONDS=30,
             RATELIMIT_LOGIN="1000 per minute")
    dn = ldap_edit.add_person("nishimura", "西村 恵")
    ldap_edit.add_value(dn, "pwdPolicySubentry", LOCKOUT_POLICY)
    time_machine.move_to(START, tick=False)
    client = ldap_app.test_client()
    offset = slapd.log_size()
    statuses = []
    for _ in range(12):
        statuses.append(post_login(client, "nishimura", WRONG).status_code)
        time_machine.shift(timedelta(minutes=1))  # past every wait of WorkHub's own
    assert statuses == [401, 401] + [429] * 10
    assert slapd.binds_since(offset).count(dn) == 2
    assert binds(slapd, dn, LDAP_PASSWORD)  # not locked in the directory

    response = login(client, "nishimura", LDAP_PASSWORD)
    assert response.status_code == 429
    assert "Try again in 18 minutes" in response.get_data(as_text=True)
    time_machine.shift(timedelta(minutes=19))
    assert login(client, "nishimura", LDAP_PASSWORD).status_code == 302


def test_a_directory_that_never_locks_gets_no_budget(ldap_app, slapd, set_ldap, time_machine):
    set_ldap(LDAP_LOCKOUT_THRESHOLD=0, LOGIN_MAX_FAILURES=3, LOGIN_DELAY_SECONDS=1,
             LOGIN_MAX_DELAY_SECONDS=1, RATELIMIT_LOGIN="1000 per minute")
    time_machine.move_to(START, tick=False)
    client = ldap_app.test_client()
    for _ in range(6):
        assert post_login(client, "tanaka", WRONG).status_code == 401
        time_machine.shift(timedelta(seconds=2))


def test_an_unreachable_directory_gives_the_attempt_back(ldap_app, set_ldap, app_ctx):
    set_ldap(LDAP_URL="ldap://127.0.0.1:1", LDAP_TIMEOUT=1)
    from workhub.auth.ldap import directory_from_config
    from workhub.auth.services import DirectoryUnavailable

    settings = LoginSettings(providers=["ldap", "local"],
                             throttle=ThrottleSettings(max_failures=2, directory_threshold=4))
    for _ in range(4):
        with pytest.raises(DirectoryUnavailable):
            authenticate("tanaka", WRONG, settings,
                         directory=directory_from_config(ldap_app.config))
        db.session.commit()
    row = db.session.scalar(select(LoginThrottle))
    assert (row.failures, row.directory_failures) == (0, 0)


def binds(slapd, dn: str, password: str) -> bool:
    """Whether ``dn`` can bind with ``password`` straight to the directory."""
    import ldap3

    server = ldap3.Server("127.0.0.1", port=slapd.port, get_info=ldap3.NONE)
    conn = ldap3.Connection(server, user=dn, password=password)
    try:
        return conn.bind()
    finally:
        conn.unbind()


def test_the_test_directory_really_locks_after_four_failures(slapd, ldap_edit):
    """Without this the test above could pass against a directory that never locks."""
    from tests.fixtures_ldap import LDAP_PASSWORD

    dn = ldap_edit.add_person("kimura", "木村 翼")
    ldap_edit.add_value(dn, "pwdPolicySubentry", LOCKOUT_POLICY)
    assert [binds(slapd, dn, WRONG) for _ in range(4)] == [False] * 4
    assert not binds(slapd, dn, LDAP_PASSWORD)
