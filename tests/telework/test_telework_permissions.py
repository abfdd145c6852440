"""Who may approve, see and cancel bookings and see sessions; the scoped list queries."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from workhub.extensions import db
from workhub.org.models import Department, User
from workhub.org.services import create_department, create_user
from workhub.telework import permissions as perm
from workhub.telework.models import ApprovalDelegate, Booking, TeleworkSession

JST = ZoneInfo("Asia/Tokyo")
DAY = date(2026, 11, 18)


def _user(login, *roles, department=None) -> User:
    return create_user(login, display_name=login, roles=roles or ("employee",),
                       department_code=department, password_hash="!unusable")


def _dept(code: str) -> Department:
    return db.session.scalar(select(Department).where(Department.code == code))


@pytest.fixture
def org(app_ctx, time_machine):
    """CITY > SOUMU > (JINJI, KIKAKU); CITY > ZAISEI; one booking per person on DAY."""
    time_machine.move_to(datetime(2026, 11, 16, 9, 0, tzinfo=JST), tick=False)
    create_department("CITY", "市")
    create_department("SOUMU", "総務部", parent_code="CITY")
    create_department("JINJI", "人事課", parent_code="SOUMU")
    create_department("KIKAKU", "企画課", parent_code="SOUMU")
    create_department("ZAISEI", "財政課", parent_code="CITY")
    people = SimpleNamespace(
        emp=_user("emp", department="JINJI"),
        mate=_user("mate", department="JINJI"),
        boss=_user("boss", "employee", "manager", department="JINJI"),
        head=_user("head", "manager", department="SOUMU"),
        zboss=_user("zboss", "manager", department="ZAISEI"),
        planner=_user("planner", department="KIKAKU"),
        zemp=_user("zemp", department="ZAISEI"),
        hr=_user("hr", "hr"),
        admin=_user("admin", "admin"),
        nodept=_user("nodept"),
        gone=_user("gone", "manager", department="JINJI"),
    )
    people.gone.active = False
    people.b = SimpleNamespace()
    for name in ("emp", "mate", "boss", "planner", "zemp", "nodept"):
        booking = Booking(user_id=getattr(people, name).id, day=DAY, slot="full",
                          place="home", status="pending")
        db.session.add(booking)
        setattr(people.b, name, booking)
    db.session.flush()
    return people


def _visible(user) -> set[str]:
    return {b.user.login for b in db.session.scalars(perm.bookings_visible_to(user))}


def _to_approve(user) -> set[str]:
    return {b.user.login for b in db.session.scalars(perm.bookings_to_approve(user))}


@pytest.mark.parametrize(("who", "whose", "allowed"), [
    ("boss", "emp", True),       # manager of the department
    ("head", "emp", True),       # manager of the parent department
    ("head", "planner", True),
    ("head", "boss", True),      # a manager's booking goes to the manager above
    ("boss", "planner", False),  # a sibling department
    ("zboss", "emp", False),     # another branch
    ("boss", "boss", False),     # never one's own
    ("mate", "emp", False),      # a colleague
    ("hr", "emp", False),        # HR overrides rules but does not approve
    ("admin", "emp", True),      # administrators are the fallback
    ("admin", "nodept", True),
    ("boss", "nodept", False),
    ("gone", "emp", False),      # a deactivated manager
])
def test_can_approve(org, who, whose, allowed):
    assert perm.can_approve(getattr(org, who), getattr(org.b, whose)) is allowed


def test_delegate_until_the_last_day_included(org, time_machine):
    db.session.add(ApprovalDelegate(department_id=_dept("SOUMU").id, user_id=org.zemp.id,
                                    until=date(2026, 11, 17)))
    db.session.flush()
    assert perm.can_approve(org.zemp, org.b.emp) and perm.can_approve(org.zemp, org.b.planner)
    assert not perm.can_approve(org.zemp, org.b.zemp)  # still not their own
    assert _to_approve(org.zemp) == {"emp", "mate", "boss", "planner"}
    assert perm.can_approve(org.zemp, org.b.emp, today=date(2026, 11, 17))
    time_machine.move_to(datetime(2026, 11, 18, 0, 1, tzinfo=JST), tick=False)
    assert not perm.can_approve(org.zemp, org.b.emp)
    assert _to_approve(org.zemp) == set()


def test_delegate_without_end_and_for_a_child_department_only(org):
    db.session.add(ApprovalDelegate(department_id=_dept("KIKAKU").id, user_id=org.mate.id))
    db.session.flush()
    assert perm.can_approve(org.mate, org.b.planner)
    assert not perm.can_approve(org.mate, org.b.emp)


def test_approvers_for(org):
    db.session.add(ApprovalDelegate(department_id=_dept("CITY").id, user_id=org.zemp.id,
                                    until=date(2026, 11, 20)))
    db.session.add(ApprovalDelegate(department_id=_dept("JINJI").id, user_id=org.planner.id,
                                    until=date(2026, 11, 1)))  # expired
    db.session.flush()
    logins = lambda user: [u.login for u in perm.approvers_for(user)]  # noqa: E731
    assert logins(org.emp) == ["boss", "head", "zemp"]  # not the deactivated manager
    assert logins(org.boss) == ["head", "zemp"]  # never oneself
    assert logins(org.planner) == ["head", "zemp"]
    assert logins(org.zemp) == ["zboss"]
    assert logins(org.nodept) == []


def test_bookings_visible_to(org):
    assert _visible(org.emp) == {"emp", "mate", "boss"}  # own department for the calendar
    assert _visible(org.boss) == {"emp", "mate", "boss"}
    assert _visible(org.head) == {"emp", "mate", "boss", "planner"}
    assert _visible(org.zboss) == {"zemp"}
    assert _visible(org.nodept) == {"nodept"}
    everyone = {"emp", "mate", "boss", "planner", "zemp", "nodept"}
    assert _visible(org.hr) == everyone and _visible(org.admin) == everyone
    assert _visible(org.gone) == set()


def test_bookings_to_approve(org):
    assert _to_approve(org.boss) == {"emp", "mate"}
    assert _to_approve(org.head) == {"emp", "mate", "boss", "planner"}
    assert _to_approve(org.emp) == set() and _to_approve(org.hr) == set()
    assert _to_approve(org.admin) == {"emp", "mate", "boss", "planner", "zemp", "nodept"}
    org.b.mate.status = "approved"
    db.session.flush()
    assert _to_approve(org.boss) == {"emp"}


def test_view_and_details(org):
    assert perm.can_view_booking(org.mate, org.b.emp)
    assert not perm.can_view_booking_details(org.mate, org.b.emp)  # calendar only
    assert perm.can_view_booking_details(org.emp, org.b.emp)
    assert perm.can_view_booking_details(org.boss, org.b.emp)
    assert perm.can_view_booking_details(org.hr, org.b.emp)
    assert not perm.can_view_booking(org.planner, org.b.emp)
    assert not perm.can_view_booking(org.zboss, org.b.emp)
    assert not perm.can_view_booking(None, org.b.emp)
    assert perm.calendar_department_ids(org.hr) is None
    assert perm.calendar_department_ids(org.head) == {
        _dept(c).id for c in ("SOUMU", "JINJI", "KIKAKU")}


def test_can_cancel_booking(org):
    booking = org.b.emp
    assert perm.cancel_role(org.emp, booking) == "owner"
    assert perm.cancel_role(org.hr, booking) == "office"
    assert perm.cancel_role(org.boss, booking) == "approver"
    assert perm.cancel_role(org.mate, booking) is None
    for who in (org.emp, org.boss, org.head, org.hr, org.admin):
        assert perm.can_cancel_booking(who, booking)
    for who in (org.mate, org.zboss, org.planner, org.gone):
        assert not perm.can_cancel_booking(who, booking)
    booking.status = "approved"
    later = date(2026, 11, 19)
    assert not perm.can_cancel_booking(org.emp, booking, today=later)
    assert not perm.can_cancel_booking(org.boss, booking, today=later)
    assert perm.can_cancel_booking(org.hr, booking, today=later)
    booking.status = "cancelled"
    assert not perm.can_cancel_booking(org.hr, booking)


def _session(user, department=None) -> TeleworkSession:
    row = TeleworkSession(user_id=user.id, day=DAY, place="home",
                          started_at=datetime(2026, 11, 18, 9, tzinfo=JST),
                          ended_at=datetime(2026, 11, 18, 17, tzinfo=JST),
                          department_id=department if department is not None
                          else user.department_id, report="報告")
    db.session.add(row)
    db.session.flush()
    return row


def test_sessions_are_private_to_the_owner_managers_and_hr(org):
    emp_session = _session(org.emp)
    zemp_session = _session(org.zemp)
    # A session recorded while the person was in JINJI stays visible to JINJI's manager.
    moved = _session(org.planner, department=_dept("JINJI").id)
    assert perm.can_view_session(org.emp, emp_session)
    assert not perm.can_view_session(org.mate, emp_session)  # colleagues do not read reports
    assert perm.can_view_session(org.boss, emp_session)
    assert perm.can_view_session(org.head, emp_session)
    assert not perm.can_view_session(org.zboss, emp_session)
    assert perm.can_view_session(org.hr, emp_session) and perm.can_view_session(org.admin,
                                                                                 zemp_session)
    assert perm.can_view_session(org.boss, moved)
    seen = lambda user: {s.id for s in db.session.scalars(perm.sessions_visible_to(user))}  # noqa: E731
    assert seen(org.emp) == {emp_session.id}
    assert seen(org.mate) == set()
    assert seen(org.boss) == {emp_session.id, moved.id}
    assert seen(org.hr) == {emp_session.id, zemp_session.id, moved.id}
    assert seen(org.gone) == set()


def test_statistics_department_ids(org):
    assert perm.statistics_department_ids(org.hr) is None
    assert perm.statistics_department_ids(org.emp) == set()
    assert perm.statistics_department_ids(org.head) == {
        _dept(c).id for c in ("SOUMU", "JINJI", "KIKAKU")}
