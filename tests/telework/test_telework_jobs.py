"""Telework's periodic jobs, run through the real worker: reminders, the HR summary, the
digest section, and the reminder-time setting."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from tests.jobs import mails, notes, run
from workhub.config import load_config
from workhub.extensions import db
from workhub.org.models import Department, User
from workhub.telework import jobs as telework_jobs
from workhub.telework.models import ApprovalDelegate, Booking, MonthlyTarget, TeleworkSession

# These tests read the rules' English wording.
pytestmark = pytest.mark.usefixtures("english")


def staff(login: str, roles=("employee",), department: str | None = None, *,
          language: str = "en", opt_out: bool = False, active: bool = True) -> User:
    from workhub.org.services import create_user

    user = create_user(login, display_name=f"Test {login}", roles=roles,
                       department_code=department, email=f"{login}@city.example.jp",
                       password_hash="!")
    user.language, user.mail_opt_out, user.active = language, opt_out, active
    db.session.commit()
    return user


@pytest.fixture
def org(app_ctx, make_department):
    make_department("GEN", "総務局", name_en="General Affairs Bureau")
    make_department("IT", "情報政策課", parent="GEN", name_en="IT Policy Division")
    make_department("FIN", "財政課", name_en="Finance Division")
    people = {
        "emp": staff("emp", department="IT"),
        "emp2": staff("emp2", department="IT"),
        "boss": staff("boss", ("employee", "manager"), "GEN"),
        "deputy": staff("deputy", department="FIN", language="ja"),
        "fin_boss": staff("finboss", ("employee", "manager"), "FIN"),
        "hr": staff("hr", ("employee", "hr"), "FIN"),
        "quiet_hr": staff("quiethr", ("employee", "hr"), "FIN", opt_out=True),
        "admin": staff("admin", ("admin",)),
    }
    it = db.session.scalar(select(Department).where(Department.code == "IT"))
    db.session.add(ApprovalDelegate(department_id=it.id, user_id=people["deputy"].id))
    db.session.commit()
    return people


def book(user: User, day: date, status: str = "approved", slot: str = "full") -> Booking:
    row = Booking(user_id=user.id, day=day, slot=slot, place="home", status=status)
    db.session.add(row)
    db.session.commit()
    return row


def session_on(user: User, start: str, end: str) -> TeleworkSession:
    started = datetime.fromisoformat(start.replace(" ", "T") + "+09:00")
    row = TeleworkSession(user_id=user.id, day=started.date(), started_at=started,
                          ended_at=datetime.fromisoformat(end.replace(" ", "T") + "+09:00"),
                          place="home", department_id=user.department_id)
    db.session.add(row)
    db.session.commit()
    return row


# --- pending approvals -----------------------------------------------------------------------


def test_approval_reminder_goes_to_managers_and_delegates_once_a_day(app, org, office_clock):
    office_clock("2026-04-14 08:30")
    emp, emp2 = org["emp"], org["emp2"]
    book(emp, date(2026, 4, 15), "pending")
    book(emp2, date(2026, 4, 16), "pending", "am")
    book(emp, date(2026, 4, 10), "pending")  # a day gone by: no longer worth a reminder
    book(emp, date(2026, 4, 17), "approved")
    book(org["boss"], date(2026, 4, 15), "pending")  # nobody above the bureau's manager
    result = run(app, "telework.approval_reminder")
    assert result == {"pending": 3, "reminded": 2}
    assert notes(telework_jobs.APPROVAL_EVENT) == {"boss": 1, "deputy": 1}
    sent = mails("telework_reminder_approvals")
    assert set(sent) == {"boss", "deputy"}
    assert "2 remote-work bookings are waiting for your approval" in sent["boss"]

    office_clock("2026-04-14 15:00")
    assert run(app, "telework.approval_reminder")["reminded"] == 0
    assert notes(telework_jobs.APPROVAL_EVENT) == {"boss": 1, "deputy": 1}
    office_clock("2026-04-15 08:30")
    assert run(app, "telework.approval_reminder")["reminded"] == 2


def test_approval_reminder_respects_mail_opt_out(app, org, office_clock):
    office_clock("2026-04-14 08:30")
    org["boss"].mail_opt_out = True
    db.session.commit()
    book(org["emp"], date(2026, 4, 15), "pending")
    run(app, "telework.approval_reminder")
    assert notes(telework_jobs.APPROVAL_EVENT) == {"boss": 1, "deputy": 1}
    assert set(mails("telework_reminder_approvals")) == {"deputy"}


def test_no_approval_reminder_on_a_holiday(app, org, office_clock):
    office_clock("2026-04-29 08:30")  # 昭和の日
    book(org["emp"], date(2026, 4, 30), "pending")
    assert run(app, "telework.approval_reminder") == {"skipped": "not a business day"}
    assert notes(telework_jobs.APPROVAL_EVENT) == {}


def test_digest_section_counts_pending_approvals(app, org, office_clock):
    office_clock("2026-04-14 07:00")
    book(org["emp"], date(2026, 4, 15), "pending")
    book(org["emp2"], date(2026, 4, 15), "pending")
    book(org["emp2"], date(2026, 4, 16), "approved")
    assert [str(line) for line in telework_jobs.approvals_digest(org["boss"])] == [
        "2 bookings are waiting for your approval."]
    assert telework_jobs.approvals_digest(org["emp"]) == []
    assert telework_jobs.approvals_digest(org["fin_boss"]) == []
    assert telework_jobs.approvals_digest(org["admin"]) == []
    run(app, "notify.daily_digest")
    sent = mails("digest")
    assert set(sent) == {"boss", "deputy"}
    assert "2 bookings are waiting for your approval." in sent["boss"]


# --- no session yet --------------------------------------------------------------------------


def test_session_reminder(app, org, office_clock):
    today = date(2026, 4, 14)
    emp, emp2 = org["emp"], org["emp2"]
    book(emp, today)                                      # reminded at 10:00
    book(emp2, today)
    session_on(emp2, "2026-04-14 08:45", "2026-04-14 09:30")  # has a session: not reminded
    book(org["deputy"], today, "pending")                 # not approved: not reminded
    book(org["fin_boss"], today, slot="pm")               # afternoon: from 14:00
    book(staff("gone", department="IT", active=False), today)
    book(org["hr"], date(2026, 4, 15))                     # tomorrow

    office_clock("2026-04-14 09:59")
    assert run(app, "telework.session_reminder") == {"skipped": "before the reminder time"}
    office_clock("2026-04-14 10:00")
    assert run(app, "telework.session_reminder")["reminded"] == 1
    assert notes(telework_jobs.SESSION_EVENT) == {"emp": 1}
    assert "emp" in mails("telework_reminder_session")
    office_clock("2026-04-14 10:15")
    assert run(app, "telework.session_reminder")["reminded"] == 0
    office_clock("2026-04-14 14:00")
    result = run(app, "telework.session_reminder")
    assert result == {"due_slots": ["full", "am", "pm"], "reminded": 1}
    assert notes(telework_jobs.SESSION_EVENT) == {"emp": 1, "finboss": 1}


def test_session_reminder_time_is_configurable(app, org, office_clock, monkeypatch):
    monkeypatch.setitem(app.config, "TELEWORK_SESSION_REMINDER_TIME", "11:30")
    book(org["emp"], date(2026, 4, 14), slot="am")
    office_clock("2026-04-14 11:00")
    assert run(app, "telework.session_reminder") == {"skipped": "before the reminder time"}
    office_clock("2026-04-14 11:30")
    assert run(app, "telework.session_reminder")["reminded"] == 1


def test_reminder_time_setting():
    base = {"WORKHUB_INSTANCE_PATH": "/tmp/unused-instance", "WORKHUB_SECRET_KEY": "k" * 40}
    assert load_config(base)["TELEWORK_SESSION_REMINDER_TIME"] == "10:00"
    env = {**base, "WORKHUB_TELEWORK_SESSION_REMINDER_TIME": " 9:05 "}
    assert load_config(env)["TELEWORK_SESSION_REMINDER_TIME"] == "09:05"
    for bad in ("25:00", "abc", "10", "10:5", "10:60", "-1:00"):
        env = {**base, "WORKHUB_TELEWORK_SESSION_REMINDER_TIME": bad}
        with pytest.raises(ValueError, match="WORKHUB_TELEWORK_SESSION_REMINDER_TIME"):
            load_config(env)


# --- the month to HR -------------------------------------------------------------------------


def test_monthly_summary_to_hr(app, org, office_clock):
    emp, emp2 = org["emp"], org["emp2"]
    session_on(emp, "2026-03-30 09:00", "2026-03-30 17:00")
    session_on(emp2, "2026-03-31 09:00", "2026-03-31 12:00")
    session_on(org["fin_boss"], "2026-03-31 13:00", "2026-03-31 14:00")
    session_on(emp, "2026-04-01 09:00", "2026-04-01 10:00")  # next month
    gen = db.session.scalar(select(Department.id).where(Department.code == "GEN"))
    db.session.add_all([MonthlyTarget(month="2026-03", department_id=None, target=10),
                        MonthlyTarget(month="2026-03", department_id=gen, target=5)])
    db.session.commit()

    office_clock("2026-04-01 08:00")
    assert run(app, "telework.monthly_summary") == {"month": "2026-03", "reminded": 2}
    event = f"{telework_jobs.SUMMARY_EVENT}:2026-03"
    assert notes(event) == {"hr": 1, "quiethr": 1}
    sent = mails("telework_monthly_summary")
    assert set(sent) == {"hr"}  # the other one refused non-essential mail
    body = sent["hr"]
    assert "Remote-work sessions in 2026-03: 3 (12.0 hours)." in body
    assert "Target: 10, reached: 30.0%." in body
    assert "General Affairs Bureau: 2 / 5" in body
    assert "Finance Division: 1" in body and "Finance Division: 1 /" not in body

    office_clock("2026-04-02 08:00")
    assert run(app, "telework.monthly_summary") == {"month": "2026-03", "reminded": 0}
    assert notes(event) == {"hr": 1, "quiethr": 1}


def test_monthly_summary_for_a_given_month_and_not_before_it_ends(app, org, office_clock):
    office_clock("2026-04-20 08:00")
    assert run(app, "telework.monthly_summary", {"month": "2026-04"}) == {
        "skipped": "2026-04 has not ended yet"}
    result = run(app, "telework.monthly_summary", {"month": "2026-02"})
    assert result == {"month": "2026-02", "reminded": 2}
    body = mails("telework_monthly_summary")["hr"]
    assert "2026-02: 0" in body and "No organisation target" in body
