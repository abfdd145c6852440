"""Admin pages for users: list, search, create, edit, roles, password reset, bad input."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from tests.dbstate import snapshot
from tests.office import TEST_PASSWORD, csrf_token, login
from workhub.auth.models import AuditEvent
from workhub.extensions import db
from workhub.org.models import User

pytestmark = pytest.mark.usefixtures("fast_hashing")

NEW_PASSWORD = "Shinjuku-Gyoen-77"
SCRIPT = "<script>alert(1)</script>"
SQL = "'; DROP TABLE users;--"
NUL = "ta\x00ro"
RTL = "taro\u202egpj.exe"
EMOJI = "山田 😀👨‍👩‍👧"
LONG = "長" * 10_000


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def alerts_of(response) -> str:
    """The text of the page's error alerts (not the notes that are always shown)."""
    body = text_of(response)
    return " ".join(re.findall(r'<div class="alert alert-danger" role="alert"[^>]*>(.*?)</div>',
                               body, re.S))


@pytest.fixture
def admin(client, make_user, make_department):
    """Sign ``client`` in as an administrator who reads the pages in English."""
    make_department("SOUMU", "総務局", name_en="General Affairs Bureau")
    make_department("JINJI", "人事課", parent="SOUMU", name_en="Personnel Section")
    info = make_user("kanri", roles=("admin", "employee"), department="SOUMU",
                     display_name="管理 太郎")
    assert login(client, info).status_code == 302
    token = csrf_token(client, "/profile")
    client.post("/language", data={"language": "en", "csrf_token": token})
    return info


def token(client) -> str:
    return csrf_token(client, "/profile")


def user_row(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def roles_of(app, user_id: int) -> set[str]:
    with app.app_context():
        return set(db.session.get(User, user_id).roles)


def audit_events(app, event: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.event == event).order_by(AuditEvent.id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def directory_user(app, login_id: str = "ldapper", roles=frozenset({"hr"})) -> int:
    from workhub.org.services import DirectoryEntry, upsert_directory_user

    with app.app_context():
        user = upsert_directory_user(
            DirectoryEntry(
                login=login_id,
                dn=f"uid={login_id},ou=people,dc=city,dc=example",
                display_name="鈴木 一郎",
                email=f"{login_id}@city.example.jp",
                department_code="JINJI",
                roles=set(roles),
            )
        )
        db.session.commit()
        return user.id


# --- list, search, filters, pages --------------------------------------------------------


def test_list_shows_users_with_links(client, admin, make_user):
    other = make_user("hanako", display_name="山田 花子", department="JINJI")
    page = client.get("/admin/users")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert f'href="/admin/users/{other.id}"' in body
    assert "山田 花子" in body and "Personnel Section" in body
    assert 'class="table-responsive"' in body and "<caption>" in body


@pytest.mark.parametrize(
    ("query", "found", "hidden"),
    [
        ("q=hana", {"hanako"}, {"jiro"}),
        ("q=%E5%B1%B1%E7%94%B0", {"hanako"}, {"jiro"}),  # 山田
        ("q=%E3%82%84%E3%81%BE", {"hanako"}, {"jiro"}),  # やま (kana)
        ("q=JIRO%40CITY", {"jiro"}, {"hanako"}),  # e-mail, any case
        ("q=%25", set(), {"hanako", "jiro"}),  # a literal %, not a wildcard
        ("q=_", set(), {"hanako", "jiro"}),
        ("department=SOUMU", {"hanako", "kanri"}, {"jiro"}),  # includes sub-departments
        ("department=JINJI", {"hanako"}, {"kanri", "jiro"}),
        ("role=hr", {"jiro"}, {"hanako", "kanri"}),
        ("active=no", {"jiro"}, {"hanako", "kanri"}),
        ("active=yes", {"hanako", "kanri"}, {"jiro"}),
        ("source=ldap", {"ldapper"}, {"hanako", "jiro"}),
        ("source=local", {"hanako", "jiro"}, {"ldapper"}),
    ],
)
def test_search_and_filters(app, client, admin, make_user, query, found, hidden):
    make_user("hanako", display_name="山田 花子", department="JINJI")
    make_user("jiro", roles=("hr",), display_name="佐藤 次郎", active=False)
    with app.app_context():
        hanako = db.session.scalar(select(User).where(User.login == "hanako"))
        hanako.kana = "やまだ はなこ"
        db.session.commit()
    directory_user(app, roles=set())
    response = client.get(f"/admin/users?{query}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for login_id in found:
        assert f">{login_id}</a>" in body, login_id
    for login_id in hidden:
        assert f">{login_id}</a>" not in body, login_id


def test_sort_by_name_uses_kana(app, client, admin, make_user):
    make_user("aaa", display_name="渡辺")
    make_user("zzz", display_name="阿部")
    with app.app_context():
        for login_id, kana in (("aaa", "わたなべ"), ("zzz", "あべ")):
            db.session.scalar(select(User).where(User.login == login_id)).kana = kana
        db.session.commit()
    by_login = client.get("/admin/users").get_data(as_text=True)
    assert by_login.index(">aaa</a>") < by_login.index(">zzz</a>")
    by_name = client.get("/admin/users?sort=name").get_data(as_text=True)
    assert by_name.index(">zzz</a>") < by_name.index(">aaa</a>")


def _many_users(app, n: int) -> None:
    with app.app_context():
        for i in range(n):
            db.session.add(User(login=f"bulk{i:03d}", display_name=f"一括 {i}", active=True,
                                auth_source="local"))
        db.session.commit()


def test_pages_of_fifty_with_accessible_links(app, client, admin):
    _many_users(app, 120)  # 121 users with the admin: three pages
    first = client.get("/admin/users").get_data(as_text=True)
    assert ">bulk049</a>" in first and ">bulk050</a>" not in first
    assert 'aria-label="Pages"' in first
    assert 'aria-current="page"' in first
    assert 'href="/admin/users?page=2&amp;sort=login"' in first
    third = client.get("/admin/users?page=3").get_data(as_text=True)
    assert ">bulk119</a>" in third and ">kanri</a>" in third and ">bulk099</a>" not in third
    assert "Showing 101–121 of 121" in html.unescape(third)


def test_page_links_keep_the_filters(app, client, admin):
    _many_users(app, 60)
    body = client.get("/admin/users?q=bulk&role=&page=1").get_data(as_text=True)
    assert 'href="/admin/users?page=2&amp;q=bulk&amp;sort=login"' in body


@pytest.mark.parametrize(
    "page", ["-1", "0", "abc", "1.5", "99999999999999999999999", "999999", "%00", "２"]
)
def test_odd_page_numbers_are_safe(app, client, admin, page):
    _many_users(app, 60)
    response = client.get(f"/admin/users?page={page}")
    assert response.status_code == 200
    assert "<table" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "department=NOPE",
        "role=root",
        "active=maybe",
        "source=kerberos",
        "sort=password_hash",
        f"q={'x' * 10_000}",
        "q=a%00b",
        "q=a%E2%80%AEb",
    ],
)
def test_invalid_filters_get_a_clear_message(client, admin, query):
    response = client.get(f"/admin/users?{query}")
    assert response.status_code == 400
    body = text_of(response)
    assert "Some entries need correcting" in body
    assert "<table" not in body


def test_search_for_hostile_strings_is_harmless(client, admin):
    for q in (SCRIPT, SQL, EMOJI):
        response = client.get("/admin/users", query_string={"q": q})
        assert response.status_code == 200
        assert SCRIPT not in response.get_data(as_text=True)


# --- create -----------------------------------------------------------------------------


def _new_user_form(client, **overrides) -> dict:
    data = {
        "login": "newcomer",
        "display_name": "新人 花子",
        "kana": "しんじん はなこ",
        "email": "newcomer@city.example.jp",
        "department": "JINJI",
        "roles": ["employee", "manager"],
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
        "csrf_token": token(client),
    }
    data.update(overrides)
    return data


def test_create_local_user(app, client, admin):
    form = client.get("/admin/users/new").get_data(as_text=True)
    for name in ("login", "display_name", "kana", "email", "department", "password", "confirm"):
        assert f'for="{name}"' in form, name
    response = client.post("/admin/users/new", data=_new_user_form(client))
    assert response.status_code == 303
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == "newcomer"))
        assert user.display_name == "新人 花子" and user.kana == "しんじん はなこ"
        assert user.department.code == "JINJI" and user.auth_source == "local"
        assert user.roles == {"employee", "manager"}
        assert response.headers["Location"] == f"/admin/users/{user.id}"
    created = audit_events(app, "user.created")
    assert [(e.actor_login, e.target) for e in created] == [("kanri", "newcomer")]
    assert created[0].detail["roles"] == ["employee", "manager"]
    # The new account can sign in with the initial password.
    other = app.test_client()
    assert login(other, "newcomer", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"login": ""}, "Enter a login ID."),
        ({"login": "ta ro"}, "A login ID is 1–64"),
        ({"login": "x" * 10_000}, "At most 64 characters."),
        ({"login": SCRIPT}, "A login ID is 1–64"),
        ({"login": SQL}, "A login ID is 1–64"),
        ({"login": NUL}, "Remove the control characters"),
        ({"login": "taro\u202e"}, "invisible text-direction"),
        ({"login": "taro😀"}, "A login ID is 1–64"),
        ({"login": "kanri"}, "The login ID kanri is already used."),
        ({"login": "KANRI"}, "The login ID kanri is already used."),
        ({"display_name": ""}, "Enter the display name."),
        ({"display_name": "   "}, "Enter the display name."),
        ({"display_name": LONG}, "At most 120 characters."),
        ({"display_name": NUL}, "Remove the control characters"),
        ({"display_name": "a\nb"}, "Remove the control characters"),
        ({"display_name": RTL}, "invisible text-direction"),
        ({"kana": LONG}, "At most 120 characters."),
        ({"kana": "\x00"}, "Remove the control characters"),
        ({"email": "not-an-address"}, "The e-mail address is not valid."),
        ({"email": SCRIPT}, "The e-mail address is not valid."),
        ({"email": SQL}, "The e-mail address is not valid."),
        ({"email": "a" * 10_000 + "@city.example.jp"}, "At most 254 characters."),
        ({"department": "NOPE"}, "Not a valid choice"),
        ({"department": SQL}, "Not a valid choice"),
        ({"roles": []}, "Choose at least one role."),
        ({"roles": ["root"]}, "not a valid choice"),
        ({"roles": [SCRIPT]}, "not a valid choice"),
        ({"password": "", "confirm": ""}, "Enter an initial password."),
        ({"confirm": "Something-else-99"}, "The two passwords differ."),
        ({"password": "short", "confirm": "short"}, "at least 10 characters"),
        ({"password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"}, "too simple"),
        ({"password": "newcomer-1234", "confirm": "newcomer-1234"}, "must not contain the login"),
        ({"password": "x" * 10_000, "confirm": "x" * 10_000}, "At most 1024 characters."),
    ],
)
def test_create_user_bad_input(app, client, admin, overrides, message):
    before = snapshot(app)
    response = client.post("/admin/users/new", data=_new_user_form(client, **overrides))
    assert response.status_code == 400
    body = text_of(response)
    assert message in body
    assert 'class="invalid-feedback d-block"' in response.get_data(as_text=True) or (
        'class="alert alert-danger"' in response.get_data(as_text=True)
    )
    assert SCRIPT not in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_create_user_form_keeps_what_was_typed(client, admin):
    response = client.post(
        "/admin/users/new", data=_new_user_form(client, confirm="Something-else-99")
    )
    body = response.get_data(as_text=True)
    assert 'value="newcomer"' in body and 'value="新人 花子"' in body
    assert NEW_PASSWORD not in body  # passwords are never echoed back


def test_create_user_without_csrf_token_is_refused(app, client, admin):
    before = snapshot(app)
    data = _new_user_form(client)
    del data["csrf_token"]
    assert client.post("/admin/users/new", data=data).status_code == 400
    assert snapshot(app) == before


@pytest.mark.parametrize("name", [SCRIPT, SQL, EMOJI])
def test_hostile_but_valid_names_are_stored_and_escaped(app, client, admin, name):
    response = client.post(
        "/admin/users/new", data=_new_user_form(client, display_name=name, kana=name)
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(User.display_name).where(User.login == "newcomer")) == name
        assert db.session.scalar(select(func.count()).select_from(User)) == 2  # table intact
    for path in ("/admin/users", response.headers["Location"], "/admin/audit"):
        body = client.get(path).get_data(as_text=True)
        assert SCRIPT not in body
        if name == SCRIPT:
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body or path == "/admin/audit"


# --- edit -------------------------------------------------------------------------------


def _edit_form(client, **overrides) -> dict:
    data = {
        "display_name": "山田 花子（改）",
        "kana": "やまだ はなこ",
        "email": "hanako.yamada@city.example.jp",
        "department": "SOUMU",
        "active": "y",
        "csrf_token": token(client),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_edit_user(app, client, admin, make_user):
    other = make_user("hanako", display_name="山田 花子", department="JINJI")
    page = client.get(f"/admin/users/{other.id}").get_data(as_text=True)
    assert 'value="山田 花子"' in page and '<option selected value="JINJI">' in page
    response = client.post(f"/admin/users/{other.id}", data=_edit_form(client))
    assert response.status_code == 303
    user = user_row(app, other.id)
    assert user.display_name == "山田 花子（改）" and user.email == "hanako.yamada@city.example.jp"
    assert user.kana == "やまだ はなこ" and user.active


def test_deactivate_and_reactivate_are_audited(app, client, admin, make_user):
    other = make_user("hanako")
    assert client.post(f"/admin/users/{other.id}",
                       data=_edit_form(client, active=None)).status_code == 303
    assert not user_row(app, other.id).active
    # A deactivated account can no longer sign in.
    assert login(app.test_client(), other).status_code == 401
    assert client.post(f"/admin/users/{other.id}", data=_edit_form(client)).status_code == 303
    assert user_row(app, other.id).active
    assert [e.target for e in audit_events(app, "user.deactivated")] == ["hanako"]
    assert [e.actor_login for e in audit_events(app, "user.activated")] == ["kanri"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"display_name": ""}, "Enter the display name."),
        ({"display_name": None}, "Enter the display name."),
        ({"display_name": LONG}, "At most 120 characters."),
        ({"display_name": NUL}, "Remove the control characters"),
        ({"display_name": RTL}, "invisible text-direction"),
        ({"kana": LONG}, "At most 120 characters."),
        ({"email": "nope@"}, "The e-mail address is not valid."),
        ({"email": SCRIPT}, "The e-mail address is not valid."),
        ({"department": "NOPE"}, "Not a valid choice"),
        ({"department": SQL}, "Not a valid choice"),
    ],
)
def test_edit_user_bad_input(app, client, admin, make_user, overrides, message):
    other = make_user("hanako")
    before = snapshot(app)
    response = client.post(f"/admin/users/{other.id}", data=_edit_form(client, **overrides))
    assert response.status_code == 400
    assert message in text_of(response)
    assert SCRIPT not in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_admin_cannot_deactivate_themselves(app, client, admin):
    before = snapshot(app)
    response = client.post(f"/admin/users/{admin.id}", data=_edit_form(client, active=None))
    assert response.status_code == 400
    assert "You cannot deactivate your own account" in text_of(response)
    assert snapshot(app) == before


def test_unknown_user_is_404(client, admin):
    assert client.get("/admin/users/999999").status_code == 404
    assert client.post("/admin/users/999999", data=_edit_form(client)).status_code == 404
    assert client.get("/admin/users/abc").status_code == 404


# --- roles ------------------------------------------------------------------------------


def test_set_roles_is_audited(app, client, admin, make_user):
    other = make_user("hanako")
    response = client.post(
        f"/admin/users/{other.id}/roles",
        data={"roles": ["employee", "hr", "secretary"], "csrf_token": token(client)},
    )
    assert response.status_code == 303
    assert roles_of(app, other.id) == {"employee", "hr", "secretary"}
    [event] = audit_events(app, "roles.changed")
    assert (event.actor_login, event.target) == ("kanri", "hanako")
    assert event.detail["before"] == ["employee"]
    assert event.detail["after"] == ["employee", "hr", "secretary"]


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        ([], "Choose at least one role."),
        (["root"], "not a valid choice"),
        (["employee", SCRIPT], "not a valid choice"),
        (["employee", SQL], "not a valid choice"),
        (["employee", "x" * 10_000], "not a valid choice"),
    ],
)
def test_set_roles_bad_input(app, client, admin, make_user, roles, message):
    other = make_user("hanako")
    before = snapshot(app)
    response = client.post(
        f"/admin/users/{other.id}/roles", data={"roles": roles, "csrf_token": token(client)}
    )
    assert response.status_code == 400
    assert message in text_of(response)
    assert SCRIPT not in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_admin_cannot_remove_their_own_admin_role(app, client, admin):
    before = snapshot(app)
    response = client.post(
        f"/admin/users/{admin.id}/roles", data={"roles": ["employee"], "csrf_token": token(client)}
    )
    assert response.status_code == 400
    assert "You cannot remove your own administrator role" in text_of(response)
    assert snapshot(app) == before
    # Other roles of their own may still change.
    response = client.post(
        f"/admin/users/{admin.id}/roles",
        data={"roles": ["admin", "hr"], "csrf_token": token(client)},
    )
    assert response.status_code == 303
    assert roles_of(app, admin.id) == {"admin", "hr"}


def test_admin_may_remove_another_admins_role(app, client, admin, make_user):
    other = make_user("second", roles=("admin",))
    response = client.post(
        f"/admin/users/{other.id}/roles", data={"roles": ["employee"], "csrf_token": token(client)}
    )
    assert response.status_code == 303
    assert roles_of(app, other.id) == {"employee"}


# --- password reset ---------------------------------------------------------------------


def test_reset_password(app, client, admin, make_user):
    other = make_user("hanako")
    response = client.post(
        f"/admin/users/{other.id}/password",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token(client)},
    )
    assert response.status_code == 303
    [event] = audit_events(app, "password.reset")
    assert (event.actor_login, event.target) == ("kanri", "hanako")
    assert NEW_PASSWORD not in str(event.detail)
    fresh = app.test_client()
    assert login(fresh, "hanako", TEST_PASSWORD).status_code == 401
    assert login(fresh, "hanako", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("", "", "Enter the new password."),
        (NEW_PASSWORD, "", "Repeat the password."),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "The two passwords differ."),
        ("short", "short", "at least 10 characters"),
        ("hanako-2026-x", "hanako-2026-x", "must not contain the login"),
        ("x" * 10_000, "x" * 10_000, "At most 1024 characters."),
    ],
)
def test_reset_password_bad_input(app, client, admin, make_user, password, confirm, message):
    other = make_user("hanako")
    before = snapshot(app)
    response = client.post(
        f"/admin/users/{other.id}/password",
        data={"password": password, "confirm": confirm, "csrf_token": token(client)},
    )
    assert response.status_code == 400
    assert message in text_of(response)
    assert snapshot(app) == before


# --- directory (LDAP) accounts ----------------------------------------------------------


def test_directory_account_page_is_read_only_except_active(app, client, admin):
    user_id = directory_user(app)
    body = text_of(client.get(f"/admin/users/{user_id}"))
    assert "comes from the staff directory" in body
    assert 'name="display_name"' not in body and 'name="email"' not in body
    assert 'name="roles"' not in body and 'name="password"' not in body
    assert 'name="active"' in body
    assert "come from its directory groups" in body


def test_directory_account_can_be_deactivated_but_not_renamed(app, client, admin):
    user_id = directory_user(app)
    response = client.post(
        f"/admin/users/{user_id}",
        data={"display_name": "偽名", "email": "x@evil.example", "csrf_token": token(client)},
    )
    assert response.status_code == 303
    user = user_row(app, user_id)
    assert not user.active
    assert user.display_name == "鈴木 一郎" and user.email == "ldapper@city.example.jp"
    assert [e.target for e in audit_events(app, "user.deactivated")] == ["ldapper"]


def test_directory_account_roles_and_password_are_refused(app, client, admin):
    user_id = directory_user(app)
    before = snapshot(app)
    response = client.post(
        f"/admin/users/{user_id}/roles",
        data={"roles": ["employee", "admin"], "csrf_token": token(client)},
    )
    assert response.status_code == 400
    assert "come from its directory groups" in alerts_of(response)
    response = client.post(
        f"/admin/users/{user_id}/password",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token(client)},
    )
    assert response.status_code == 400
    assert "cannot be set here" in alerts_of(response)
    assert snapshot(app) == before
