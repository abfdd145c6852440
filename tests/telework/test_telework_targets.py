"""Monthly targets: HR sets them (organisation and departments) or imports a CSV file."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from workhub.auth.models import AuditEvent
from workhub.errors import Conflict, DomainError, Forbidden
from workhub.extensions import db
from workhub.org.models import User
from workhub.telework import targets as svc
from workhub.telework.models import MonthlyTarget

# These tests read the rules' English wording.
pytestmark = pytest.mark.usefixtures("english")

def staff(login: str, roles=("employee",), department: str | None = None) -> User:
    from workhub.org.services import create_user

    user = create_user(login, display_name=f"試験 {login}", roles=roles,
                       department_code=department, password_hash="!")
    db.session.commit()
    return user


@pytest.fixture
def hr(app_ctx, make_department):
    make_department("GEN", "総務局")
    make_department("IT", "情報政策課", parent="GEN")
    make_department("FIN", "財政課")
    return staff("hr", ("employee", "hr"), "FIN")


def counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count(MonthlyTarget.id))),
            db.session.scalar(select(func.count(AuditEvent.id))))


def refused(error_type, call):
    before = counts()
    with pytest.raises(error_type) as info:
        call()
    db.session.rollback()
    assert counts() == before
    return info.value


def test_set_and_get_targets(hr):
    result = svc.set_targets("2026-04", 15000, {"GEN": 3000, "FIN": 800}, hr)
    db.session.commit()
    assert result == svc.get_targets("2026-04")
    assert (result.org_target, result.departments) == (15000, {"GEN": 3000, "FIN": 800})
    assert svc.get_targets("2026-05") == svc.MonthTargets("2026-05", None, {})
    (event,) = db.session.scalars(select(AuditEvent).where(
        AuditEvent.event == "telework.targets_set"))
    assert event.actor_id == hr.id
    assert event.detail == {"month": "2026-04", "org_target": 15000,
                            "departments": {"FIN": 800, "GEN": 3000}}


def test_set_targets_replaces_the_months_department_targets(hr):
    svc.set_targets("2026-04", 15000, {"GEN": 3000, "FIN": 800}, hr)
    svc.set_targets("2026-05", 16000, {"FIN": 900}, hr)
    db.session.commit()
    svc.set_targets("2026-04", 15500, {"IT": 1200, "GEN": 3100}, hr)
    db.session.commit()
    assert svc.get_targets("2026-04").departments == {"IT": 1200, "GEN": 3100}
    assert svc.get_targets("2026-04").org_target == 15500
    assert svc.get_targets("2026-05").departments == {"FIN": 900}
    svc.set_targets("2026-04", None, {}, hr)
    db.session.commit()
    assert svc.get_targets("2026-04") == svc.MonthTargets("2026-04", None, {})
    assert svc.get_targets("2026-05").org_target == 16000


@pytest.mark.parametrize("month,org,departments", [
    ("2026-4", 100, {}),
    ("2026-13", 100, {}),
    ("April", 100, {}),
    ("", 100, {}),
    (None, 100, {}),
    ("2026-04", -1, {}),
    ("2026-04", 1.5, {}),
    ("2026-04", "100", {}),
    ("2026-04", True, {}),
    ("2026-04", 10_000_001, {}),
    ("2026-04", 100, {"GEN": -5}),
    ("2026-04", 100, {"GEN": None}),
    ("2026-04", 100, {"GEN": 10, "NOPE": 5}),
])
def test_bad_targets_change_nothing(hr, month, org, departments):
    svc.set_targets("2026-04", 15000, {"FIN": 800}, hr)
    db.session.commit()
    error = refused(DomainError, lambda: svc.set_targets(month, org, departments, hr))
    assert error.status == 400
    assert svc.get_targets("2026-04") == svc.MonthTargets("2026-04", 15000, {"FIN": 800})


def test_unknown_codes_are_named(hr):
    error = refused(DomainError, lambda: svc.set_targets("2026-04", 1, {"X1": 1, "A2": 2}, hr))
    assert "A2, X1" in error.message


@pytest.mark.parametrize("roles", [("admin",), ("employee", "manager"), ("employee",)])
def test_only_hr_sets_targets(hr, roles):
    someone = staff("someone", roles, "GEN")
    refused(Forbidden, lambda: svc.set_targets("2026-04", 1, {}, someone))
    refused(Forbidden, lambda: svc.import_targets_csv(b"month,department,target\n", someone))


# --- CSV import ------------------------------------------------------------------------------

GOOD = "month,department,target\r\n2026-04,,15000\r\n2026-04,GEN,3000\r\n2026-05,FIN,900\r\n"


def test_import_a_good_file(hr):
    svc.set_targets("2026-04", 14000, {"IT": 1100}, hr)
    db.session.commit()
    report = svc.import_targets_csv(GOOD.encode(), hr)
    db.session.commit()
    assert report.imported and report.encoding == "utf-8" and report.errors == []
    assert [(r.line, r.month, r.department, r.target) for r in report.rows] == [
        (2, "2026-04", None, 15000), (3, "2026-04", "GEN", 3000), (4, "2026-05", "FIN", 900)]
    # Each row sets one target; the others stay.
    assert svc.get_targets("2026-04") == svc.MonthTargets(
        "2026-04", 15000, {"IT": 1100, "GEN": 3000})
    assert svc.get_targets("2026-05") == svc.MonthTargets("2026-05", None, {"FIN": 900})
    (event,) = db.session.scalars(select(AuditEvent).where(
        AuditEvent.event == "telework.targets_imported"))
    assert event.detail["rows"] == 3 and event.detail["months"] == ["2026-04", "2026-05"]


def test_import_utf8_with_bom_and_blank_lines(hr):
    data = ("\ufeff" + GOOD + "\r\n,,\r\n").encode()
    report = svc.import_targets_csv(data, hr)
    assert report.imported and report.encoding == "utf-8-sig" and len(report.rows) == 3


def test_import_shift_jis(hr):
    # Excel on Japanese Windows writes cp932; full-width digits are read as numbers.
    text = "month,department,target\r\n２０２６－04,,１５０００\r\n2026-04, GEN ,3000\r\n"
    report = svc.import_targets_csv(text.encode("cp932"), hr)
    db.session.commit()
    assert report.imported and report.encoding == "cp932"
    assert svc.get_targets("2026-04") == svc.MonthTargets("2026-04", 15000, {"GEN": 3000})


def test_a_bad_row_imports_nothing(hr):
    svc.set_targets("2026-04", 14000, {}, hr)
    db.session.commit()
    text = ("month,department,target\n"
            "2026-04,,15000\n"        # 2 fine
            "2026-4,GEN,10\n"         # 3 month
            "2026-04,NOPE,10\n"       # 4 department
            "2026-04,FIN,-3\n"        # 5 target
            "2026-04,FIN,1.5\n"       # 6 target
            "2026-04,IT\n"            # 7 columns
            "2026-04,,16000\n"        # 8 duplicate of line 2
            "2026-05,FIN,\n")         # 9 target missing
    before = counts()
    report = svc.import_targets_csv(text.encode(), hr)
    db.session.commit()
    assert not report.imported
    assert [r.line for r in report.errors] == [3, 4, 5, 6, 7, 8, 9]
    assert report.rows[0].error is None
    assert "NOPE" in report.errors[1].error
    assert "line 2" in report.errors[5].error
    assert counts() == before
    assert svc.get_targets("2026-04").org_target == 14000


@pytest.mark.parametrize("data", [
    b"mon,dept,target\n2026-04,,1\n",
    b"month,target\n2026-04,1\n",
    b"2026-04,,15000\n",
    b"",
    b"month,department,target\n",
    b"\xff\xfe\x00\x81\x00",
    b"month,department,target\n\"2026-04,,1\n",
])
def test_file_level_problems_are_refused(hr, data):
    error = refused(DomainError, lambda: svc.import_targets_csv(data, hr))
    assert error.field == "file" and error.status == 400


def test_header_is_case_and_space_insensitive(hr):
    report = svc.import_targets_csv(b"Month, Department ,TARGET\n2026-04,,1\n", hr)
    assert report.imported


def test_too_large_a_file_is_refused(hr):
    row = b"2026-04,GEN,3000\n"
    data = b"month,department,target\n" + row * (svc.MAX_CSV_BYTES // len(row) + 1)
    error = refused(DomainError, lambda: svc.import_targets_csv(data, hr))
    assert "too large" in error.message


def test_too_many_rows_are_refused(hr, monkeypatch):
    monkeypatch.setattr(svc, "MAX_CSV_ROWS", 2)
    data = b"month,department,target\n2026-04,,1\n2026-05,,1\n2026-06,,1\n"
    assert "too many" in refused(DomainError, lambda: svc.import_targets_csv(data, hr)).message


def test_two_people_saving_the_same_month_get_a_conflict(hr, monkeypatch):
    """The race: another HR person's save lands between our read and our write. The unique
    constraint answers; we get a 409 with a message, theirs stays, nothing of ours is kept."""
    svc.set_targets("2026-04", 15000, {"GEN": 3000}, hr)
    db.session.commit()
    monkeypatch.setattr(svc, "_existing", lambda month: {})  # what we read before theirs
    error = refused(Conflict, lambda: svc.set_targets("2026-04", 14000, {"GEN": 2000}, hr))
    assert error.status == 409 and "same time" in error.message
    assert svc.get_targets("2026-04").departments == {"GEN": 3000}
    csv = b"month,department,target\n2026-04,,12000\n"
    refused(Conflict, lambda: svc.import_targets_csv(csv, hr))
    assert svc.get_targets("2026-04").org_target == 15000
