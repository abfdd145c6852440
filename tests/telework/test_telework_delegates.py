"""Approval delegates: who may name and remove them (services and the /telework/delegates
page), bad input refused with nothing written, and a delegate named here really approving a
booking of the department until their last day."""

from __future__ import annotations

import html
from datetime import date

import pytest
from sqlalchemy import select

from tests.dbstate import snapshot
from tests.office import csrf_token, sign_in
from workhub.auth.models import AuditEvent
from workhub.errors import Conflict, DomainError, Forbidden
from workhub.extensions import db
from workhub.org.models import Department, User
from workhub.telework import delegates as svc
from workhub.telework.models import ApprovalDelegate, Booking

pytestmark = pytest.mark.usefixtures("fast_hashing")

TODAY = date(2026, 4, 14)  # a Tuesday
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def clock(office_clock):
    """Frozen at Tuesday 14 April 2026, 09:00 office time; returns the mover."""
    office_clock("2026-04-14 09:00")
    return office_clock


@pytest.fixture
def org(make_department, make_user, clock):
    make_department("GEN", "総務局", name_en="General Affairs Bureau")
    make_department("IT", "情報政策課", parent="GEN", name_en="IT Policy Division")
    make_department("FIN", "財政課", name_en="Finance Division")
    return {
        "manager": make_user("boss", roles=("employee", "manager"), department="IT"),
        "fin_manager": make_user("finboss", roles=("employee", "manager"), department="FIN"),
        "hr": make_user("hr", roles=("employee", "hr"), department="FIN"),
        "admin": make_user("admin", roles=("admin",)),
        "clerk": make_user("clerk", department="IT"),
        "helper": make_user("helper", department="FIN", display_name="補佐 花子"),
        "gone": make_user("gone", department="IT", active=False),
    }


def get(model, key):
    if isinstance(key, str):
        return db.session.scalar(select(model).where(
            (model.code if model is Department else model.login) == key))
    return db.session.get(model, key.id)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def post_add(client, **data):
    form = {"department": "IT", "login": "helper", "until": "",
            "csrf_token": csrf_token(client, "/telework/delegates"), **data}
    return client.post("/telework/delegates", data=form)


# --- services ------------------------------------------------------------------------------


def test_manager_adds_and_removes_a_delegate_of_their_department(app_ctx, org, english):
    boss, helper = get(User, org["manager"]), get(User, org["helper"])
    row = svc.add_delegate(get(Department, "IT"), helper, date(2026, 4, 30), boss)
    assert (row.department_id, row.user_id, row.until) == (
        get(Department, "IT").id, helper.id, date(2026, 4, 30))
    assert svc.delegates_visible_to(boss) == [row]
    assert svc.delegates_visible_to(get(User, org["fin_manager"])) == []
    assert svc.delegates_visible_to(get(User, org["hr"])) == [row]
    assert svc.delegates_visible_to(get(User, org["clerk"])) == []
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.event == "telework.delegate_added"))
    assert event.actor_id == boss.id and event.target == "helper"
    assert event.detail == {"department": "IT", "until": "2026-04-30"}

    svc.remove_delegate(row, boss)
    assert db.session.scalars(select(ApprovalDelegate)).all() == []
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.event == "telework.delegate_removed")).target == "helper"


def test_who_may_manage_delegates(app_ctx, org, english):
    it, gen = get(Department, "IT"), get(Department, "GEN")
    helper = get(User, org["helper"])
    for who in ("fin_manager", "clerk"):
        with pytest.raises(Forbidden):
            svc.add_delegate(it, helper, None, get(User, org[who]))
    with pytest.raises(Forbidden):  # a manager manages their department's subtree, not above
        svc.add_delegate(gen, helper, None, get(User, org["manager"]))
    assert svc.add_delegate(gen, helper, None, get(User, org["hr"])).until is None
    row = svc.add_delegate(it, helper, None, get(User, org["admin"]))
    with pytest.raises(Forbidden):
        svc.remove_delegate(row, get(User, org["fin_manager"]))
    svc.remove_delegate(row, get(User, org["hr"]))


def test_service_refuses_bad_delegates(app_ctx, org, english):
    it, boss = get(Department, "IT"), get(User, org["manager"])
    with pytest.raises(DomainError, match="not an active user") as exc:
        svc.add_delegate(it, get(User, org["gone"]), None, boss)
    assert exc.value.field == "login"
    with pytest.raises(DomainError, match="in the past"):
        svc.add_delegate(it, get(User, org["helper"]), date(2026, 4, 13), boss)
    with pytest.raises(DomainError, match="must be a date"):
        svc.add_delegate(it, get(User, org["helper"]), "2026-05-01", boss)
    assert svc.add_delegate(it, get(User, org["helper"]), TODAY, boss).until == TODAY
    with pytest.raises(Conflict, match="already a delegate"):
        svc.add_delegate(it, get(User, org["helper"]), None, boss)
    for bad in ("", "   ", "nobody", "x" * 65, "he\x00lper", None, 42):
        with pytest.raises(DomainError, match="login ID") as exc:
            svc.user_by_login(bad)
        assert exc.value.field == "login"
    assert svc.user_by_login("  helper ").login == "helper"
    assert db.session.scalar(select(db.func.count()).select_from(ApprovalDelegate)) == 1


# --- the page -----------------------------------------------------------------------------


def test_page_lists_and_adds_for_a_manager(client, app, org):
    sign_in(client, org["manager"])
    page = text_of(client.get("/telework/delegates"))
    assert "Approval delegates" in page and "No delegates yet." in page
    # Only the departments the manager manages are offered.
    assert 'value="IT"' in page and 'value="FIN"' not in page and 'value="GEN"' not in page
    assert 'type="date"' in page and '<label class="form-label" for="login">' in page

    response = post_add(client, until="2026-04-30")
    assert response.status_code == 303
    page = text_of(client.get(response.headers["Location"]))
    assert "補佐 花子 may now approve the bookings of IT Policy Division." in page
    assert "helper" in page and "2026-04-30" in page
    with app.app_context():
        row = db.session.scalar(select(ApprovalDelegate))
        assert row.until == date(2026, 4, 30)
        row_id = row.id

    # Another manager neither sees it nor may remove it.
    other = app.test_client()
    sign_in(other, org["fin_manager"])
    assert "helper" not in text_of(other.get("/telework/delegates")).split("<main")[1]
    before = snapshot(app)
    response = other.post(f"/telework/delegates/{row_id}/remove",
                          data={"csrf_token": csrf_token(other, "/telework/delegates")})
    assert response.status_code == 403 and snapshot(app) == before

    response = client.post(f"/telework/delegates/{row_id}/remove",
                           data={"csrf_token": csrf_token(client, "/telework/delegates")})
    assert response.status_code == 303
    assert "補佐 花子 is no longer a delegate of IT Policy Division." in text_of(
        client.get("/telework/delegates"))
    assert client.post("/telework/delegates/999999/remove", data={
        "csrf_token": csrf_token(client, "/telework/delegates")}).status_code == 404


def test_employee_is_turned_away(client, org):
    sign_in(client, org["clerk"])
    assert client.get("/telework/delegates").status_code == 403


@pytest.mark.parametrize(("data", "status", "message"), [
    ({"login": "nobody"}, 400, "There is no user with that login ID."),
    ({"login": ""}, 400, "Enter the login ID of the delegate."),
    ({"login": "x" * 200}, 400, "There is no user with that login ID."),
    ({"login": SCRIPT}, 400, "There is no user with that login ID."),
    ({"login": "gone"}, 400, "is not an active user and cannot be a delegate."),
    ({"until": "2026-04-13"}, 400, "The end date cannot be in the past."),
    ({"until": "30/04/2026"}, 400, "Enter the last day as a date, e.g. 2026-04-30."),
    ({"until": "2026-02-30"}, 400, "Enter the last day as a date, e.g. 2026-04-30."),
    ({"until": SCRIPT}, 400, "Enter the last day as a date, e.g. 2026-04-30."),
    ({"department": ""}, 400, "Choose a department."),
    ({"department": "NOPE"}, 400, "Choose a department from the list."),
    ({"department": SCRIPT}, 400, "Choose a department from the list."),
    ({"department": "FIN"}, 403, "You may manage the delegates only of the departments you"),
    ({"department": "GEN", "login": "nobody"}, 403, "only of the departments you manage"),
])
def test_bad_input_is_refused_and_changes_nothing(client, app, org, data, status, message):
    sign_in(client, org["manager"])
    before = snapshot(app)
    response = post_add(client, **data)
    body = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in html.unescape(body)
    assert "<script>alert(1)" not in body
    assert snapshot(app) == before


def test_duplicate_is_a_conflict(client, app, org):
    sign_in(client, org["manager"])
    assert post_add(client).status_code == 303
    before = snapshot(app)
    response = post_add(client, until="2026-05-01")
    assert response.status_code == 409
    assert "補佐 花子 is already a delegate of this department." in text_of(response)
    assert snapshot(app) == before


def test_missing_csrf_token_is_refused(client, app, org):
    sign_in(client, org["hr"])
    before = snapshot(app)
    response = client.post("/telework/delegates", data={"department": "IT", "login": "helper"})
    assert response.status_code == 400
    assert "The form has expired" in text_of(response)
    with app.app_context():
        row = svc.add_delegate(get(Department, "IT"), get(User, org["helper"]), None,
                               get(User, org["hr"]))
        db.session.commit()
        row_id = row.id
    before = snapshot(app)
    assert client.post(f"/telework/delegates/{row_id}/remove").status_code == 400
    assert snapshot(app) == before


def test_hr_sees_every_department(client, org):
    sign_in(client, org["hr"])
    page = text_of(client.get("/telework/delegates"))
    for code in ("GEN", "IT", "FIN"):
        assert f'value="{code}"' in page
    assert "General Affairs Bureau › IT Policy Division" in page
    assert post_add(client, department="FIN").status_code == 303


# --- the delegate really approves -----------------------------------------------------------


def test_delegate_named_on_the_page_approves_until_their_last_day(client, app, org, clock):
    from workhub.telework.decisions import approve
    from workhub.telework.permissions import approvers_for

    sign_in(client, org["manager"])
    assert post_add(client, until="2026-04-20").status_code == 303
    with app.app_context():
        first = Booking(user_id=org["clerk"].id, day=date(2026, 4, 24))
        second = Booking(user_id=org["clerk"].id, day=date(2026, 4, 28))
        db.session.add_all([first, second])
        db.session.commit()
        ids = first.id, second.id
    with app.app_context():
        helper = get(User, org["helper"])
        assert "helper" in [u.login for u in approvers_for(get(User, org["clerk"]))]
        assert approve(db.session.get(Booking, ids[0]), helper).status == "approved"
        db.session.commit()

    clock("2026-04-21 09:00")
    with app.app_context():
        helper = get(User, org["helper"])
        assert "helper" not in [u.login for u in approvers_for(get(User, org["clerk"]))]
        with pytest.raises(Forbidden):
            approve(db.session.get(Booking, ids[1]), helper)
        db.session.rollback()
        assert db.session.get(Booking, ids[1]).status == "pending"


def test_a_delegate_finds_approvals_in_the_menu(client, app, org):
    """A plain employee named delegate gets the Approvals link; other employees do not."""
    with app.app_context():
        admin = get(User, org["admin"])
        svc.add_delegate(get(Department, "IT"), get(User, org["helper"]), None, actor=admin)
        db.session.commit()
    sign_in(client, org["helper"])
    assert 'href="/telework/approvals"' in client.get("/").get_data(as_text=True)
    assert client.get("/telework/approvals").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    sign_in(client, org["clerk"])
    assert 'href="/telework/approvals"' not in client.get("/").get_data(as_text=True)
