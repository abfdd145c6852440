"""The effective telework policy, its changes (validated, audited) and booking deadlines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from sqlalchemy import delete, select

from workhub.auth.models import AuditEvent
from workhub.clock import office_today
from workhub.errors import DomainError, Forbidden
from workhub.extensions import db
from workhub.org.models import Department
from workhub.org.services import create_department, create_user
from workhub.telework.models import TeleworkPolicy
from workhub.telework.policy import (
    BUILTIN_DEFAULTS,
    PolicyView,
    booking_deadline,
    clear_policy,
    effective_policy,
    set_policy,
)

JST = ZoneInfo("Asia/Tokyo")


@pytest.fixture(autouse=True)
def english(app_ctx):
    """Messages are checked in the source language (the site's default is Japanese)."""
    with force_locale("en"):
        yield


def _dept(code: str) -> Department:
    return db.session.scalar(select(Department).where(Department.code == code))


@pytest.fixture
def tree(app_ctx):
    """CITY > SOUMU > JINJI, and an HR officer (people who never sign in: no real hash)."""
    create_department("CITY", "市")
    create_department("SOUMU", "総務部", parent_code="CITY")
    create_department("JINJI", "人事課", parent_code="SOUMU")

    def user(login, roles=("employee",), department=None):
        return create_user(login, display_name=login, roles=roles, department_code=department,
                           password_hash="!unusable")

    return {"emp": user("emp", department="JINJI"), "hr": user("hr", ("hr",)),
            "boss": user("boss", ("manager",), "SOUMU"), "nodept": user("nodept")}


def _no_org_row():
    db.session.execute(delete(TeleworkPolicy).where(TeleworkPolicy.is_org_default.is_(True)))
    db.session.flush()


def test_without_any_row_the_builtin_defaults_apply(app_ctx):
    _no_org_row()
    view = effective_policy(None)
    assert view.source == "builtin" and view.policy_id is None
    assert view.values() == BUILTIN_DEFAULTS
    assert view.approval_required is True and view.deadline_business_days == 1
    assert view.deadline_minutes == 17 * 60 and view.deadline_time.isoformat() == "17:00:00"
    assert view.max_days_per_week is None and view.max_days_per_month is None
    assert view.allow_unplanned_sessions is True and view.warn_share_percent is None


def test_builtin_defaults_are_the_migration_row():
    from pathlib import Path

    import workhub

    path = Path(workhub.__file__).parent / "migrations" / "versions" / "0003_telework.py"
    source = path.read_text(encoding="utf-8")
    inserted = source[source.index("op.bulk_insert(policies"):]
    inserted = inserted[:inserted.index("}])")]
    assert '"deadline_business_days": 1' in inserted
    assert '"deadline_minutes": 17 * 60' in inserted
    assert '"approval_required": True' in inserted
    assert '"allow_unplanned_sessions": True' in inserted
    # Limits and the share warning are left NULL (no limit, no warning).
    for name in ("max_days_per_week", "max_days_per_month", "warn_share_percent"):
        assert name not in inserted and BUILTIN_DEFAULTS[name] is None


def test_nearest_department_with_a_row_wins(tree):
    _no_org_row()
    emp, hr = tree["emp"], tree["hr"]
    assert effective_policy(emp).source == "builtin"

    set_policy(None, actor=hr, max_days_per_week=4)
    view = effective_policy(emp)
    assert (view.source, view.max_days_per_week, view.department_id) == ("organisation", 4, None)

    set_policy(_dept("CITY"), actor=hr, max_days_per_week=3)
    view = effective_policy(emp)
    assert (view.source, view.max_days_per_week) == ("department", 3)
    assert view.department_id == _dept("CITY").id

    set_policy(_dept("JINJI"), actor=hr, max_days_per_week=1)
    assert effective_policy(emp).max_days_per_week == 1
    assert effective_policy(emp).department_id == _dept("JINJI").id
    # The parent still follows its own nearest row; a department can be asked directly.
    assert effective_policy(_dept("SOUMU")).max_days_per_week == 3
    # Nobody without a department, and the organisation itself, follow the default row.
    assert effective_policy(tree["nodept"]).source == "organisation"
    assert effective_policy(None).max_days_per_week == 4


def test_policy_view_is_frozen(tree):
    view = effective_policy(tree["emp"])
    assert isinstance(view, PolicyView)
    with pytest.raises(AttributeError):
        view.max_days_per_week = 2  # type: ignore[misc]


def test_new_department_row_starts_from_what_it_inherited(tree):
    hr = tree["hr"]
    set_policy(None, actor=hr, max_days_per_month=10, approval_required=False)
    row = set_policy(_dept("JINJI"), actor=hr, max_days_per_week=2)
    assert row.max_days_per_month == 10 and row.approval_required is False
    assert row.max_days_per_week == 2 and row.is_org_default is False
    # A later partial change keeps the other values.
    set_policy(_dept("JINJI"), actor=hr, warn_share_percent=40)
    view = effective_policy(tree["emp"])
    assert (view.max_days_per_week, view.warn_share_percent, view.max_days_per_month) == (2, 40, 10)


def test_missing_org_row_is_recreated_from_builtin_defaults(tree):
    _no_org_row()
    row = set_policy(None, actor=tree["hr"], deadline_minutes=9 * 60 + 30)
    assert row.is_org_default and row.department_id is None
    assert row.deadline_minutes == 570 and row.deadline_business_days == 1
    assert row.approval_required is True
    assert effective_policy(None).source == "organisation"


def test_policy_change_is_audited(tree):
    hr = tree["hr"]
    set_policy(_dept("JINJI"), actor=hr, max_days_per_week=2)
    set_policy(_dept("JINJI"), actor=hr, max_days_per_week=3)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.event == "telework.policy_changed")
        .order_by(AuditEvent.id)
    ).all()
    assert [e.detail["action"] for e in events] == ["created", "updated"]
    assert events[1].target == "JINJI" and events[1].actor_id == hr.id
    assert events[1].detail["before"]["max_days_per_week"] == 2
    assert events[1].detail["after"]["max_days_per_week"] == 3


@pytest.mark.parametrize(("name", "value", "words"), [
    ("max_days_per_week", 8, "between 0 and 7"),
    ("max_days_per_week", -1, "between 0 and 7"),
    ("max_days_per_month", 32, "between 0 and 31"),
    ("deadline_business_days", 31, "between 0 and 30"),
    ("deadline_business_days", None, "is required"),
    ("deadline_minutes", 1440, "between 0 and 1439"),
    ("warn_share_percent", 0, "between 1 and 100"),
    ("warn_share_percent", 101, "between 1 and 100"),
    ("max_days_per_week", "3", "whole number"),
    ("max_days_per_week", True, "whole number"),
    ("approval_required", "yes", "yes or no"),
    ("allow_unplanned_sessions", None, "yes or no"),
])
def test_out_of_range_values_are_refused_with_a_clear_message(tree, name, value, words):
    with pytest.raises(DomainError) as caught:
        set_policy(_dept("JINJI"), actor=tree["hr"], **{name: value})
    assert caught.value.field == name
    assert words in caught.value.message
    assert db.session.scalar(select(TeleworkPolicy).where(
        TeleworkPolicy.department_id == _dept("JINJI").id)) is None


def test_limits_can_be_removed_with_none(tree):
    hr = tree["hr"]
    set_policy(_dept("JINJI"), actor=hr, max_days_per_week=2, warn_share_percent=30)
    set_policy(_dept("JINJI"), actor=hr, max_days_per_week=None, warn_share_percent=None)
    view = effective_policy(tree["emp"])
    assert view.max_days_per_week is None and view.warn_share_percent is None


def test_unknown_field_is_a_programming_error(tree):
    with pytest.raises(TypeError):
        set_policy(None, actor=tree["hr"], max_days=3)


@pytest.mark.parametrize("who", ["emp", "boss"])
def test_only_hr_or_admin_change_the_policy(tree, who):
    with pytest.raises(Forbidden):
        set_policy(_dept("JINJI"), actor=tree[who], max_days_per_week=2)
    assert db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.event == "telework.policy_changed")) is None


def test_clear_policy_returns_to_the_parent(tree):
    hr = tree["hr"]
    set_policy(_dept("SOUMU"), actor=hr, max_days_per_week=3)
    set_policy(_dept("JINJI"), actor=hr, max_days_per_week=1)
    assert clear_policy(_dept("JINJI"), actor=hr) is True
    assert effective_policy(tree["emp"]).max_days_per_week == 3
    assert clear_policy(_dept("JINJI"), actor=hr) is False
    last = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert last.detail["action"] == "cleared" and last.detail["before"]["max_days_per_week"] == 1
    with pytest.raises(DomainError):
        clear_policy(None, actor=hr)
    with pytest.raises(Forbidden):
        clear_policy(_dept("SOUMU"), actor=tree["emp"])


def _view(**values) -> PolicyView:
    return PolicyView(**{**BUILTIN_DEFAULTS, **values}, source="builtin")


@pytest.mark.parametrize(("day", "expected"), [
    # Wednesday: the day before, Tuesday.
    (date(2026, 11, 18), "2026-11-17T17:00:00+09:00"),
    # Monday: across the weekend, to Friday.
    (date(2026, 11, 16), "2026-11-13T17:00:00+09:00"),
    # Tuesday after 勤労感謝の日 (Monday 2026-11-23): across the holiday and the weekend.
    (date(2026, 11, 24), "2026-11-20T17:00:00+09:00"),
    # Monday 2027-01-04: 2027-01-01 (元日) is a Friday holiday, so Thursday 2026-12-31.
    (date(2027, 1, 4), "2026-12-31T17:00:00+09:00"),
])
def test_deadline_is_17_00_japan_time_on_the_previous_business_day(app_ctx, day, expected):
    deadline = booking_deadline(day, _view())
    assert deadline == datetime.fromisoformat(expected)
    assert deadline.utcoffset().total_seconds() == 9 * 3600
    assert deadline.astimezone(UTC).hour == 8


def test_deadline_with_other_settings(app_ctx):
    # Two business days before, 09:30.
    assert booking_deadline(date(2026, 11, 24), _view(deadline_business_days=2,
                                                      deadline_minutes=570)) == datetime(
        2026, 11, 19, 9, 30, tzinfo=JST)
    # The same day, 08:00 (0 business days before).
    assert booking_deadline(date(2026, 11, 24), _view(deadline_business_days=0,
                                                      deadline_minutes=480)) == datetime(
        2026, 11, 24, 8, 0, tzinfo=JST)


def test_office_today_is_the_japan_date(app_ctx, time_machine):
    # 23:30 UTC is already the next morning in Tokyo.
    time_machine.move_to(datetime(2026, 11, 18, 23, 30, tzinfo=UTC), tick=False)
    assert office_today() == date(2026, 11, 19)
    assert office_today(datetime(2026, 11, 18, 14, 59, tzinfo=UTC)) == date(2026, 11, 18)
