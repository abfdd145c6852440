"""Admin pages for departments: the 局/部/課 tree, create, edit, move, delete, bad input."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from tests.dbstate import snapshot
from tests.office import csrf_token, login
from workhub.extensions import db
from workhub.org.models import Department

pytestmark = pytest.mark.usefixtures("fast_hashing")

SCRIPT = "<script>alert(1)</script>"
SQL = "'; DROP TABLE departments;--"
LONG = "課" * 10_000


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def tree(make_department):
    """総務局 › 総務部 › 人事課 and 文書課; 市民局 with no children."""
    make_department("KYOKU1", "総務局", name_en="General Affairs Bureau")
    make_department("BU1", "総務部", parent="KYOKU1", name_en="General Affairs Department")
    make_department("KA1", "人事課", parent="BU1", name_en="Personnel Section")
    make_department("KA2", "文書課", parent="BU1")
    make_department("KYOKU2", "市民局")


@pytest.fixture
def admin(client, make_user, tree):
    info = make_user("kanri", roles=("admin",), department="KA1")
    assert login(client, info).status_code == 302
    client.post("/language", data={"language": "en", "csrf_token": token(client)})
    return info


def token(client) -> str:
    return csrf_token(client, "/profile")


def dept_id(app, code: str) -> int | None:
    with app.app_context():
        return db.session.scalar(select(Department.id).where(Department.code == code))


def dept(app, code: str) -> Department:
    with app.app_context():
        row = db.session.scalar(select(Department).where(Department.code == code))
        parent = row.parent.code if row.parent else None
        db.session.expunge(row)
        row.parent_code = parent
        return row


def test_tree_is_nested_with_user_counts(app, client, admin, make_user):
    make_user("a1", department="KA1")
    make_user("a2", department="KA2")
    response = client.get("/admin/departments")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    # 人事課 sits inside the list of 総務部, which sits inside 総務局 (English names: the
    # admin reads in English).
    assert re.search(
        r"General Affairs Bureau</a>.*?<ul>.*?General Affairs Department</a>.*?<ul>.*?"
        r"Personnel Section</a>.*?文書課</a>.*?</ul>.*?</ul>.*?市民局</a>",
        body,
        re.S,
    )
    assert "2 users" in body  # 人事課: the admin and a1
    assert "1 user" in body  # 文書課
    assert f'href="/admin/departments/{dept_id(app, "KA1")}"' in body
    assert 'href="/admin/users?department=KA1"' in body


def test_tree_in_english_uses_english_names(client, admin):
    body = client.get("/admin/departments").get_data(as_text=True)
    assert "Personnel Section" in body
    assert "文書課" in body  # no English name: falls back to Japanese


def _new_form(client, **overrides) -> dict:
    data = {"code": "KA3", "name_ja": "広報課", "name_en": "Public Relations",
            "parent": "BU1", "csrf_token": token(client)}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_create_department(app, client, admin):
    form = client.get("/admin/departments/new").get_data(as_text=True)
    for name in ("code", "name_ja", "name_en", "parent"):
        assert f'for="{name}"' in form
    response = client.post("/admin/departments/new", data=_new_form(client))
    assert response.status_code == 303
    created = dept(app, "KA3")
    assert (created.name_ja, created.name_en, created.parent_code) == (
        "広報課", "Public Relations", "BU1"
    )
    assert "Public Relations" in client.get("/admin/departments").get_data(as_text=True)


def test_create_top_level_department(app, client, admin):
    response = client.post("/admin/departments/new", data=_new_form(client, parent=""))
    assert response.status_code == 303
    assert dept(app, "KA3").parent_code is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"code": ""}, "Enter a code."),
        ({"code": None}, "Enter a code."),
        ({"code": "KA1"}, "The department code KA1 is already used."),
        ({"code": "ka 3"}, "A department code is 1–32"),
        ({"code": "x" * 10_000}, "At most 32 characters."),
        ({"code": SCRIPT}, "A department code is 1–32"),
        ({"code": SQL}, "A department code is 1–32"),
        ({"code": "KA\x003"}, "Remove the control characters"),
        ({"code": "KA3\u202e"}, "invisible text-direction"),
        ({"code": "課😀"}, "A department code is 1–32"),
        ({"name_ja": ""}, "Enter the Japanese name."),
        ({"name_ja": "  "}, "Enter the Japanese name."),
        ({"name_ja": LONG}, "At most 120 characters."),
        ({"name_ja": "広報\x00課"}, "Remove the control characters"),
        ({"name_ja": "広報\u202e課"}, "invisible text-direction"),
        ({"name_en": LONG}, "At most 120 characters."),
        ({"name_en": "P\r\nR"}, "Remove the control characters"),
        ({"parent": "NOPE"}, "Not a valid choice"),
        ({"parent": SQL}, "Not a valid choice"),
        ({"parent": "x" * 10_000}, "Not a valid choice"),
    ],
)
def test_create_department_bad_input(app, client, admin, overrides, message):
    before = snapshot(app)
    response = client.post("/admin/departments/new", data=_new_form(client, **overrides))
    assert response.status_code == 400
    assert message in text_of(response)
    assert SCRIPT not in response.get_data(as_text=True)
    assert snapshot(app) == before


@pytest.mark.parametrize("name", [SCRIPT, SQL, "広報課 📣"])
def test_hostile_but_valid_names_are_stored_and_escaped(app, client, admin, name):
    response = client.post("/admin/departments/new", data=_new_form(client, name_ja=name,
                                                                    name_en=name))
    assert response.status_code == 303
    assert dept(app, "KA3").name_ja == name
    for path in ("/admin/departments", f"/admin/departments/{dept_id(app, 'KA3')}",
                 "/admin/users/new", "/admin/users"):
        body = client.get(path).get_data(as_text=True)
        assert SCRIPT not in body, path
    assert "&lt;script&gt;" in client.get("/admin/departments").get_data(as_text=True) or (
        name != SCRIPT
    )


def _edit_form(client, **overrides) -> dict:
    data = {"name_ja": "職員課", "name_en": "Staff Section", "parent": "BU1",
            "csrf_token": token(client)}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_edit_department(app, client, admin):
    ka1 = dept_id(app, "KA1")
    page = client.get(f"/admin/departments/{ka1}").get_data(as_text=True)
    assert 'value="人事課"' in page and "(cannot be changed)" in text_of_str(page)
    assert 'name="code"' not in page
    response = client.post(f"/admin/departments/{ka1}", data=_edit_form(client))
    assert response.status_code == 303
    edited = dept(app, "KA1")
    assert (edited.name_ja, edited.name_en, edited.parent_code) == (
        "職員課", "Staff Section", "BU1"
    )


def text_of_str(body: str) -> str:
    return html.unescape(body)


def test_code_cannot_be_changed(app, client, admin):
    ka1 = dept_id(app, "KA1")
    response = client.post(f"/admin/departments/{ka1}", data=_edit_form(client, code="HACKED"))
    assert response.status_code == 303
    assert dept(app, "KA1").name_ja == "職員課"
    assert dept_id(app, "HACKED") is None


def test_move_to_another_parent(app, client, admin):
    ka2 = dept_id(app, "KA2")
    response = client.post(f"/admin/departments/{ka2}",
                           data=_edit_form(client, name_ja="文書課", parent="KYOKU2"))
    assert response.status_code == 303
    assert dept(app, "KA2").parent_code == "KYOKU2"


def test_parent_choices_leave_out_the_own_subtree(app, client, admin):
    page = client.get(f"/admin/departments/{dept_id(app, 'BU1')}").get_data(as_text=True)
    select_html = page[page.index('id="parent"'):]
    select_html = select_html[: select_html.index("</select>")]
    assert 'value="KYOKU1"' in select_html and 'value="KYOKU2"' in select_html
    for code in ("BU1", "KA1", "KA2"):
        assert f'value="{code}"' not in select_html


@pytest.mark.parametrize(
    ("code", "parent"),
    [("BU1", "BU1"), ("BU1", "KA1"), ("KYOKU1", "KA2")],
)
def test_cannot_move_below_itself(app, client, admin, code, parent):
    before = snapshot(app)
    response = client.post(f"/admin/departments/{dept_id(app, code)}",
                           data=_edit_form(client, name_ja="移動", parent=parent))
    assert response.status_code == 400
    assert "Not a valid choice" in text_of(response)
    assert snapshot(app) == before


def test_service_refuses_a_cycle_too(app, app_ctx, tree):
    from workhub.errors import DomainError
    from workhub.org.services import get_department, update_department

    with pytest.raises(DomainError, match="自分自身の下"):
        update_department(get_department("KYOKU1"), "総務局", None, "KA1")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name_ja": ""}, "Enter the Japanese name."),
        ({"name_ja": None}, "Enter the Japanese name."),
        ({"name_ja": LONG}, "At most 120 characters."),
        ({"name_ja": "\x00"}, "Remove the control characters"),
        ({"name_en": "a\u202eb"}, "invisible text-direction"),
        ({"parent": "NOPE"}, "Not a valid choice"),
        ({"parent": SCRIPT}, "Not a valid choice"),
    ],
)
def test_edit_department_bad_input(app, client, admin, overrides, message):
    before = snapshot(app)
    response = client.post(f"/admin/departments/{dept_id(app, 'KA2')}",
                           data=_edit_form(client, **overrides))
    assert response.status_code == 400
    assert message in text_of(response)
    assert SCRIPT not in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_delete_empty_department(app, client, admin):
    kyoku2 = dept_id(app, "KYOKU2")
    response = client.post(f"/admin/departments/{kyoku2}/delete",
                           data={"csrf_token": token(client)})
    assert response.status_code == 303
    assert dept_id(app, "KYOKU2") is None


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("KA1", "still has 1 users and 0 sub-departments"),
        ("BU1", "still has 0 users and 2 sub-departments"),
    ],
)
def test_delete_refused_with_users_or_children(app, client, admin, code, message):
    before = snapshot(app)
    response = client.post(f"/admin/departments/{dept_id(app, code)}/delete",
                           data={"csrf_token": token(client)})
    assert response.status_code == 409
    assert message in text_of(response)
    assert snapshot(app) == before


def test_delete_without_csrf_token_is_refused(app, client, admin):
    before = snapshot(app)
    response = client.post(f"/admin/departments/{dept_id(app, 'KYOKU2')}/delete")
    assert response.status_code == 400
    assert snapshot(app) == before


def test_unknown_department_is_404(client, admin):
    assert client.get("/admin/departments/999999").status_code == 404
    assert client.post("/admin/departments/999999", data=_edit_form(client)).status_code == 404
    assert client.post("/admin/departments/999999/delete",
                       data={"csrf_token": token(client)}).status_code == 404
