"""LDAP sign-in against a real OpenLDAP slapd: the login form and the directory service."""

from __future__ import annotations

import socket

import pytest

from tests.fixtures_ldap import (
    LDAP_PASSWORD,
    ROLE_GROUPS,
    SERVICE_DN,
    audit_rows,
    person_dn,
    user_row,
)
from tests.office import csrf_token
from workhub.auth.ldap import LdapDirectory, directory_from_config
from workhub.auth.services import DirectoryUnavailable, LoginFailed

pytestmark = pytest.mark.ldap

GENERIC = "The login ID or password is incorrect"
UNREACHABLE = "The staff directory cannot be reached right now"


@pytest.fixture
def english(client):
    """The test client with English pages, so assertions do not depend on the catalogue."""
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    return client


@pytest.fixture
def departments(make_department):
    for code, name in (("SOMU", "総務課"), ("JINJI", "人事課"), ("JOHO", "情報政策課"),
                       ("HISHO", "秘書課")):
        make_department(code, name)


def post_login(client, login: str, password: str):
    return client.post(
        "/login", data={"login": login, "password": password, "csrf_token": csrf_token(client)}
    )


def fresh_client(app):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    return client


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def directory(ldap_app):
    return directory_from_config(ldap_app.config)


# -- good sign-in ------------------------------------------------------------------------------


def test_first_login_creates_the_user_from_the_directory(ldap_app, english, departments):
    response = post_login(english, "tanaka", LDAP_PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)
    user = user_row(ldap_app, "tanaka")
    assert user == {
        "login": "tanaka",
        "display_name": "田中 太郎",
        "kana": "たなか たろう",
        "email": "tanaka@city.example.jp",
        "department": "SOMU",
        "roles": {"employee", "manager"},
        "active": True,
        "auth_source": "ldap",
        "ldap_dn": person_dn("tanaka"),
    }
    assert "田中 太郎" in english.get("/").get_data(as_text=True)
    assert audit_rows(ldap_app, "login.ok")[-1]["provider"] == "ldap"
    change = audit_rows(ldap_app, "roles.changed")[-1]
    assert change["target"] == "tanaka" and change["source"] == "directory"
    assert change["after"] == ["employee", "manager"]


@pytest.mark.parametrize(
    ("uid", "roles", "department"),
    [
        ("sato", {"employee", "hr"}, "JINJI"),
        ("suzuki", {"employee", "it_admin"}, "JOHO"),
        ("watanabe", {"employee", "admin"}, "JOHO"),
        ("takahashi", {"employee", "secretary"}, "HISHO"),  # posixGroup memberUid
        ("ito", {"employee"}, None),  # no group; department code unknown to WorkHub
    ],
)
def test_roles_come_from_group_membership(ldap_app, english, departments, uid, roles,
                                          department):
    assert post_login(english, uid, LDAP_PASSWORD).status_code == 302
    user = user_row(ldap_app, uid)
    assert user["roles"] == roles
    assert user["department"] == department


def test_directory_service_returns_the_entry(directory):
    entry = directory.authenticate("takahashi", LDAP_PASSWORD)
    assert entry.login == "takahashi"
    assert entry.dn == person_dn("takahashi")
    assert entry.display_name == "高橋 美咲"
    assert entry.email == "takahashi@city.example.jp"
    assert entry.department_code == "HISHO"
    assert entry.roles == {"secretary"}


def test_roles_also_come_from_member_of(ldap_app):
    # Active Directory lists a person's groups in memberOf; DNs compare without case.
    from workhub.auth.ldap import _Person

    directory = directory_from_config(ldap_app.config)
    person = _Person(person_dn("x"), {"memberof": [
        "CN=Admins, OU=Groups, DC=City, DC=Example, DC=JP", "cn=unrelated,ou=groups"]})
    assert directory._roles_from_member_of(person) == {"admin"}


def test_second_login_updates_name_department_and_roles(ldap_app, departments, ldap_edit):
    dn = person_dn("yamamoto")
    ldap_edit.add_value(ROLE_GROUPS["manager"], "member", dn)
    assert post_login(fresh_client(ldap_app), "yamamoto", LDAP_PASSWORD).status_code == 302
    first = user_row(ldap_app, "yamamoto")
    assert (first["display_name"], first["department"]) == ("山本 翔太", "SOMU")
    assert first["roles"] == {"employee", "manager"}

    ldap_edit.replace(dn, displayName="山本 翔太郎", departmentNumber="JINJI",
                      mail="shota.yamamoto@city.example.jp")
    ldap_edit.remove_value(ROLE_GROUPS["manager"], "member", dn)
    ldap_edit.add_value(ROLE_GROUPS["hr"], "member", dn)
    assert post_login(fresh_client(ldap_app), "yamamoto", LDAP_PASSWORD).status_code == 302
    second = user_row(ldap_app, "yamamoto")
    assert second["display_name"] == "山本 翔太郎"
    assert second["department"] == "JINJI"
    assert second["email"] == "shota.yamamoto@city.example.jp"
    assert second["roles"] == {"employee", "hr"}
    changes = [c for c in audit_rows(ldap_app, "roles.changed") if c["target"] == "yamamoto"]
    assert changes[-1]["before"] == ["employee", "manager"]
    assert changes[-1]["after"] == ["employee", "hr"]
    assert changes[-1]["actor"] is None and changes[-1]["source"] == "directory"


def test_upper_case_login_maps_to_the_directory_uid(ldap_app, english, directory):
    assert directory.authenticate("TaNaKa", LDAP_PASSWORD).login == "tanaka"
    assert post_login(english, "TANAKA", LDAP_PASSWORD).status_code == 302
    assert user_row(ldap_app, "tanaka")["display_name"] == "田中 太郎"
    assert user_row(ldap_app, "TANAKA") is None


# -- refused sign-in ---------------------------------------------------------------------------


def test_wrong_password_is_refused_with_the_generic_message(ldap_app, english, slapd):
    offset = slapd.log_size()
    response = post_login(english, "tanaka", "not-the-password")
    assert response.status_code == 401
    assert GENERIC in response.get_data(as_text=True)
    assert user_row(ldap_app, "tanaka") is None
    # It really went to the directory: the service account, then the person's own bind.
    assert slapd.binds_since(offset) == [SERVICE_DN, person_dn("tanaka")]
    assert audit_rows(ldap_app, "login.failed")[-1]["ldap"] == "bad_password"


def test_empty_password_never_reaches_the_directory(ldap_app, english, slapd, directory):
    offset = slapd.log_size()
    response = post_login(english, "tanaka", "")
    assert response.status_code == 400
    assert GENERIC in response.get_data(as_text=True)
    with pytest.raises(LoginFailed):
        directory.authenticate("tanaka", "")
    assert slapd.binds_since(offset) == []
    assert user_row(ldap_app, "tanaka") is None


def test_unknown_user_gets_the_same_message(ldap_app, english, slapd):
    offset = slapd.log_size()
    response = post_login(english, "nobody", LDAP_PASSWORD)
    assert response.status_code == 401
    assert GENERIC in response.get_data(as_text=True)
    assert slapd.binds_since(offset) == [SERVICE_DN]
    assert user_row(ldap_app, "nobody") is None


@pytest.mark.parametrize("login", ["*", ")(uid=*", "admin*", "*)(|(uid=*", "tanak*",
                                   "tanaka)(uid=*", "*)(objectClass=*"])
def test_filter_injection_is_refused(ldap_app, english, slapd, directory, login):
    offset = slapd.log_size()
    response = post_login(english, login, LDAP_PASSWORD)
    assert response.status_code in (400, 401)
    assert GENERIC in response.get_data(as_text=True)
    with pytest.raises(LoginFailed):
        directory.authenticate(login, LDAP_PASSWORD)
    # Nobody's password was tried: the escaped filter matched no one.
    assert set(slapd.binds_since(offset)) <= {SERVICE_DN}
    assert "(uid=*)" not in slapd.log_since(offset)
    with ldap_app.app_context():
        from workhub.extensions import db
        from workhub.org.models import User

        assert db.session.query(User).count() == 0


def test_ambiguous_login_is_refused(ldap_app, english, directory):
    with pytest.raises(LoginFailed) as failure:
        directory.authenticate("kato", LDAP_PASSWORD)
    assert failure.value.reason == "ambiguous"
    response = post_login(english, "kato", LDAP_PASSWORD)
    assert response.status_code == 401
    assert user_row(ldap_app, "kato") is None


def test_local_account_with_the_same_login_is_not_taken_over(ldap_app, english, make_user,
                                                            slapd):
    local = make_user("kobayashi", display_name="小林 ローカル")
    offset = slapd.log_size()
    response = post_login(english, "kobayashi", LDAP_PASSWORD)
    assert response.status_code == 401
    assert GENERIC in response.get_data(as_text=True)
    assert person_dn("kobayashi") not in slapd.binds_since(offset)
    row = user_row(ldap_app, "kobayashi")
    assert (row["auth_source"], row["display_name"], row["ldap_dn"]) == (
        "local", "小林 ローカル", None)
    assert post_login(fresh_client(ldap_app), "kobayashi", local.password).status_code == 302


def test_deactivated_user_is_refused(ldap_app, english):
    from workhub.extensions import db
    from workhub.org.services import get_user

    assert post_login(english, "ito", LDAP_PASSWORD).status_code == 302
    with ldap_app.app_context():
        get_user("ito").active = False
        db.session.commit()
    response = post_login(fresh_client(ldap_app), "ito", LDAP_PASSWORD)
    assert response.status_code == 401
    assert GENERIC in response.get_data(as_text=True)
    assert user_row(ldap_app, "ito")["active"] is False  # signing in does not switch it back on
    assert audit_rows(ldap_app, "login.failed")[-1]["reason"] == "inactive"


# -- the directory is down or misconfigured ---------------------------------------------------


def test_unreachable_directory_says_so_and_local_admin_still_signs_in(ldap_app, set_ldap,
                                                                      english, make_user):
    set_ldap(LDAP_URL=f"ldap://127.0.0.1:{closed_port()}/")
    response = post_login(english, "tanaka", LDAP_PASSWORD)
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert UNREACHABLE in page and GENERIC not in page
    assert user_row(ldap_app, "tanaka") is None

    admin = make_user("localadmin", roles=("admin",))
    assert post_login(fresh_client(ldap_app), admin.login, admin.password).status_code == 302


def test_unreachable_directory_raises_a_clear_error(ldap_app, set_ldap, app_ctx):
    set_ldap(LDAP_URL=f"ldap://127.0.0.1:{closed_port()}/")
    with pytest.raises(DirectoryUnavailable) as failure:
        directory_from_config(ldap_app.config).authenticate("tanaka", LDAP_PASSWORD)
    assert "接続できません" in failure.value.message
    assert "WORKHUB_LDAP_URL" in failure.value.message


def test_silent_directory_times_out(ldap_app, set_ldap, app_ctx):
    # Accepts connections (the kernel's backlog) but never answers.
    with socket.socket() as mute:
        mute.bind(("127.0.0.1", 0))
        mute.listen(8)
        set_ldap(LDAP_URL=f"ldap://127.0.0.1:{mute.getsockname()[1]}", LDAP_TIMEOUT=1)
        with pytest.raises(DirectoryUnavailable) as failure:
            directory_from_config(ldap_app.config).authenticate("tanaka", LDAP_PASSWORD)
    assert "接続できません" in failure.value.message


def test_refused_service_account_is_reported(ldap_app, set_ldap, english):
    set_ldap(LDAP_BIND_PASSWORD="wrong-service-password")
    with pytest.raises(DirectoryUnavailable) as failure:
        directory_from_config(ldap_app.config).authenticate("tanaka", LDAP_PASSWORD)
    assert "WORKHUB_LDAP_BIND_PASSWORD" in failure.value.message
    assert post_login(english, "tanaka", LDAP_PASSWORD).status_code == 503


@pytest.mark.parametrize(
    ("overrides", "hint"),
    [
        ({"LDAP_URL": "http://127.0.0.1/"}, "WORKHUB_LDAP_URL"),
        ({"LDAP_USER_BASE": ""}, "WORKHUB_LDAP_USER_BASE"),
        ({"LDAP_USER_ATTR": "uid)(x"}, "uid)(x"),
        ({"LDAP_BIND_PASSWORD": ""}, "WORKHUB_LDAP_BIND_PASSWORD"),
        ({"LDAP_CA_FILE": "/nonexistent/ca.pem", "LDAP_STARTTLS": True}, "WORKHUB_LDAP_CA_FILE"),
    ],
)
def test_bad_settings_are_reported_without_contacting_anyone(ldap_app, set_ldap, slapd,
                                                             app_ctx, overrides, hint):
    set_ldap(**overrides)
    offset = slapd.log_size()
    with pytest.raises(DirectoryUnavailable) as failure:
        directory_from_config(ldap_app.config).authenticate("tanaka", LDAP_PASSWORD)
    assert hint in failure.value.message
    assert slapd.binds_since(offset) == []


def test_directory_only_when_configured(ldap_app, set_ldap):
    assert isinstance(directory_from_config(ldap_app.config), LdapDirectory)
    set_ldap(AUTH_PROVIDERS=["local"])
    assert directory_from_config(ldap_app.config) is None
    set_ldap(AUTH_PROVIDERS=["ldap"], LDAP_URL="")
    assert directory_from_config(ldap_app.config) is None


# -- TLS ---------------------------------------------------------------------------------------


def test_starttls_with_the_right_ca(ldap_app, set_ldap, slapd, app_ctx):
    set_ldap(LDAP_STARTTLS=True, LDAP_CA_FILE=str(slapd.ca_file))
    offset = slapd.log_size()
    entry = directory_from_config(ldap_app.config).authenticate("tanaka", LDAP_PASSWORD)
    assert entry.display_name == "田中 太郎"
    # Both connections (service account, then the person) asked for StartTLS first.
    assert slapd.log_since(offset).count("oid=1.3.6.1.4.1.1466.20037") >= 2


def test_ldaps_with_the_right_ca(ldap_app, set_ldap, slapd, app_ctx):
    set_ldap(LDAP_URL=slapd.ldaps_url, LDAP_CA_FILE=str(slapd.ca_file))
    entry = directory_from_config(ldap_app.config).authenticate("sato", LDAP_PASSWORD)
    assert entry.roles == {"hr"}


@pytest.mark.parametrize("mode", ["starttls", "ldaps"])
def test_a_certificate_from_another_ca_is_refused(ldap_app, set_ldap, slapd, app_ctx, mode):
    if mode == "starttls":
        set_ldap(LDAP_STARTTLS=True, LDAP_CA_FILE=str(slapd.wrong_ca_file))
    else:
        set_ldap(LDAP_URL=slapd.ldaps_url, LDAP_CA_FILE=str(slapd.wrong_ca_file))
    with pytest.raises(DirectoryUnavailable) as failure:
        directory_from_config(ldap_app.config).authenticate("tanaka", LDAP_PASSWORD)
    assert "WORKHUB_LDAP_CA_FILE" in failure.value.message
