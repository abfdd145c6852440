"""The session log: start/stop, entry after the fact, the rules, permissions, month close."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from tests.office import at
from workhub.auth.models import AuditEvent
from workhub.errors import Conflict, DomainError, Forbidden, NotFound
from workhub.extensions import db
from workhub.org.models import Department, User
from workhub.telework import months
from workhub.telework import sessions as svc
from workhub.telework.errors import RuleViolation
from workhub.telework.models import Booking, MonthClose, TeleworkPolicy, TeleworkSession

# These tests read the rules' English wording.
pytestmark = pytest.mark.usefixtures("english")

TUESDAY = date(2026, 4, 14)


@pytest.fixture
def clock(office_clock):
    """Frozen at Tuesday 14 April 2026, 09:00 office time; returns the mover."""
    office_clock("2026-04-14 09:00")
    return office_clock


def staff(login: str, roles=("employee",), department: str | None = None) -> User:
    """A user who never signs in (no password hashing: keeps the fixtures fast)."""
    from workhub.org.services import create_user

    user = create_user(login, display_name=f"試験 {login}", roles=roles,
                       department_code=department, email=f"{login}@city.example.jp",
                       password_hash="!")
    db.session.commit()
    return user


@pytest.fixture
def people(app_ctx, make_department):
    """A bureau with a division; an employee, a colleague, their manager, HR, an admin, and a
    manager elsewhere. Returns live User objects by name."""
    make_department("GEN", "総務局")
    make_department("IT", "情報政策課", parent="GEN")
    make_department("FIN", "財政課")
    return {
        "emp": staff("emp", department="IT"),
        "mate": staff("mate", department="IT"),
        "boss": staff("boss", ("employee", "manager"), "GEN"),
        "other_boss": staff("oboss", ("employee", "manager"), "FIN"),
        "hr": staff("hr", ("employee", "hr"), "FIN"),
        "admin": staff("admin", ("admin",)),
    }


def booking(user: User, day: date, *, status="approved", slot="full") -> Booking:
    row = Booking(user_id=user.id, day=day, slot=slot, place="home", status=status)
    db.session.add(row)
    db.session.commit()
    return row


def counts() -> tuple[int, int]:
    """(sessions, audit events): what a refused call must leave unchanged."""
    return (db.session.scalar(select(func.count(TeleworkSession.id))),
            db.session.scalar(select(func.count(AuditEvent.id))))


def audits(event: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.event == event)))


def refused(error_type, call, *, code=None, status=None):
    """Run ``call``; assert it raises ``error_type`` (with code/status) and writes nothing."""
    before = counts()
    with pytest.raises(error_type) as info:
        call()
    db.session.rollback()
    if code is not None:
        assert info.value.code == code
    if status is not None:
        assert info.value.status == status
    assert counts() == before
    return info.value


def record(user, *, day="2026-04-13", start="09:00", end="17:30", place="home", actor=None,
           **kw):
    return svc.record_session(user, day=day, start=start, end=end, place=place,
                              actor=actor or user, **kw)


# --- start / stop ----------------------------------------------------------------------------


def test_start_and_stop(people, clock):
    emp = people["emp"]
    session = svc.start_session(emp, place="home")
    db.session.commit()
    assert session.day == TUESDAY
    assert session.started_at == at("2026-04-14 09:00").astimezone(UTC)
    assert session.ended_at is None and session.unplanned is True
    assert session.department_id == emp.department_id
    assert svc.running_session(emp).id == session.id

    clock("2026-04-14 12:15")
    svc.stop_session(session, emp, "資料作成\n会議準備")
    db.session.commit()
    assert session.minutes == 195
    assert session.report == "資料作成\n会議準備"
    assert svc.running_session(emp) is None
    assert audits("telework.session_corrected") == []


def test_day_is_the_japan_date_of_the_start(people, clock):
    clock("2026-04-01 00:30")  # still 31 March in UTC
    session = svc.start_session(people["emp"], place="satellite")
    assert session.day == date(2026, 4, 1)


def test_start_links_todays_approved_booking(people, clock):
    emp = people["emp"]
    booking(emp, TUESDAY, status="pending", slot="am")
    approved = booking(emp, TUESDAY, slot="pm")
    clock("2026-04-14 13:30")
    session = svc.start_session(emp, place="home")
    assert (session.booking_id, session.unplanned) == (approved.id, False)


def test_start_prefers_the_half_day_in_progress(people, clock):
    emp = people["emp"]
    morning = booking(emp, TUESDAY, slot="am")
    afternoon = booking(emp, TUESDAY, slot="pm")
    assert svc.start_session(emp, place="home").booking_id == morning.id
    db.session.rollback()
    clock("2026-04-14 12:30")
    assert svc.start_session(emp, place="home").booking_id == afternoon.id


def test_only_one_running_session(people, clock):
    emp = people["emp"]
    svc.start_session(emp, place="home")
    db.session.commit()
    error = refused(Conflict, lambda: svc.start_session(emp, place="home"),
                    code="session_running", status=409)
    assert "stop" in error.message


def test_unique_index_turns_a_race_into_409(people, clock, monkeypatch):
    """Two starts that both passed the check: the database's unique index decides."""
    emp = people["emp"]
    svc.start_session(emp, place="home")
    db.session.commit()
    monkeypatch.setattr(svc, "running_session", lambda user: None)
    monkeypatch.setattr(svc, "_refuse_overlap", lambda *a, **k: None)
    refused(Conflict, lambda: svc.start_session(emp, place="home"), code="session_running")
    # The session is still usable after the refused insert.
    assert db.session.scalar(select(func.count(TeleworkSession.id))) == 1


def test_two_concurrent_starts_give_one_session(app, people, clock):
    user_id = people["emp"].id
    db.session.commit()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def start():
        with app.app_context():
            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                svc.start_session(user, place="home")
                db.session.commit()
                outcomes.append("started")
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                outcomes.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["conflict", "started"]
    assert db.session.scalar(select(func.count(TeleworkSession.id))) == 1


def test_a_double_submitted_entry_is_recorded_once(app, people, clock):
    user_id = people["emp"].id
    db.session.commit()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit():
        with app.app_context():
            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                record(user)
                db.session.commit()
                outcomes.append("recorded")
            except RuleViolation as exc:
                db.session.rollback()
                outcomes.append(exc.code)
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                outcomes.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["overlap", "recorded"]
    assert db.session.scalar(select(func.count(TeleworkSession.id))) == 1


def test_start_refuses_a_bad_place(people, clock):
    refused(DomainError, lambda: svc.start_session(people["emp"], place="beach"), status=400)


def test_start_inside_an_entered_session_is_an_overlap(people, clock):
    emp = people["emp"]
    clock("2026-04-14 12:00")
    record(emp, day="2026-04-14", start="09:00", end="11:00")
    db.session.commit()
    clock("2026-04-14 10:30")  # an entry made later cannot be undone by going back in time
    refused(RuleViolation, lambda: svc.start_session(emp, place="home"), code="overlap",
            status=422)


def test_stop_rules(people, clock):
    emp, mate, boss = people["emp"], people["mate"], people["boss"]
    session = svc.start_session(emp, place="home")
    db.session.commit()
    clock("2026-04-14 10:00")
    refused(Forbidden, lambda: svc.stop_session(session, mate))
    refused(Forbidden, lambda: svc.stop_session(session, boss))
    refused(DomainError, lambda: svc.stop_session(session, emp, "x" * 2001))
    refused(DomainError, lambda: svc.stop_session(session, emp, "ok\x00"))
    refused(DomainError, lambda: svc.stop_session(session, emp, "right\u202eleft"))
    svc.stop_session(session, emp)
    db.session.commit()
    refused(Conflict, lambda: svc.stop_session(session, emp), code="already_stopped")


def test_a_forgotten_stop_is_refused_then_corrected(people, clock):
    emp = people["emp"]
    session = svc.start_session(emp, place="home")
    db.session.commit()
    clock("2026-04-15 10:00")
    refused(RuleViolation, lambda: svc.stop_session(session, emp), code="too_long")
    svc.update_session(session, emp, end="18:00")
    db.session.commit()
    assert session.ended_at == at("2026-04-14 18:00").astimezone(UTC)


def test_hr_stopping_someone_elses_session_is_audited(people, clock):
    session = svc.start_session(people["emp"], place="home")
    db.session.commit()
    clock("2026-04-14 17:00")
    svc.stop_session(session, people["hr"])
    db.session.commit()
    (event,) = audits("telework.session_corrected")
    assert event.actor_id == people["hr"].id
    assert event.detail["action"] == "stop" and event.detail["user"] == "emp"


# --- after the fact --------------------------------------------------------------------------


def test_record_after_the_fact_in_japan_time(people, clock):
    emp = people["emp"]
    session = record(emp, report="  報告  ")
    db.session.commit()
    assert session.day == date(2026, 4, 13)
    assert session.started_at == datetime(2026, 4, 13, 0, 0, tzinfo=UTC)
    assert session.ended_at == datetime(2026, 4, 13, 8, 30, tzinfo=UTC)
    assert session.report == "報告"
    assert session.unplanned is True and session.booking_id is None


def test_record_links_the_days_booking(people, clock):
    emp = people["emp"]
    monday = booking(emp, date(2026, 4, 13))
    assert record(emp).booking_id == monday.id


@pytest.mark.parametrize("start,end", [("09:00", "12:00"), ("11:00", "13:00"),
                                       ("08:00", "18:00"), ("10:00", "10:30")])
def test_overlapping_entries_are_refused(people, clock, start, end):
    emp = people["emp"]
    record(emp, start="09:00", end="12:00")
    db.session.commit()
    refused(RuleViolation, lambda: record(emp, start=start, end=end), code="overlap")


def test_back_to_back_entries_are_fine_and_others_do_not_overlap(people, clock):
    record(people["emp"], start="09:00", end="12:00")
    record(people["emp"], start="12:00", end="15:00")
    record(people["mate"], start="09:00", end="12:00")
    db.session.commit()
    assert db.session.scalar(select(func.count(TeleworkSession.id))) == 3


def test_an_entry_overlapping_a_running_session_is_refused(people, clock):
    emp = people["emp"]
    clock("2026-04-13 18:00")
    svc.start_session(emp, place="home")
    db.session.commit()
    clock("2026-04-14 09:00")
    refused(RuleViolation, lambda: record(emp, day="2026-04-14", start="06:00", end="07:00"),
            code="overlap")


@pytest.mark.parametrize("day,start,end", [
    ("2026-04-14", "08:00", "10:00"),  # ends after now (09:00)
    ("2026-04-14", "09:30", "10:00"),
    ("2026-04-15", "09:00", "10:00"),
])
def test_future_entries_are_refused(people, clock, day, start, end):
    refused(RuleViolation, lambda: record(people["emp"], day=day, start=start, end=end),
            code="future", status=422)


@pytest.mark.parametrize("start,end", [("12:00", "09:00"), ("09:00", "09:00")])
def test_end_must_come_after_start(people, clock, start, end):
    refused(RuleViolation, lambda: record(people["emp"], start=start, end=end),
            code="end_before_start")


@pytest.mark.parametrize("field,value", [
    ("start", "25:00"), ("start", "abc"), ("start", ""), ("start", None), ("start", "9:60"),
    ("start", "24:00"), ("start", "０９:００"), ("end", "25:00"), ("end", "abc"), ("end", ""),
    ("end", None), ("end", "17:5"),
])
def test_bad_times_are_refused(people, clock, field, value):
    error = refused(DomainError, lambda: record(people["emp"], **{field: value}), status=400)
    assert error.field == field


@pytest.mark.parametrize("day", ["2026-13-01", "2026-02-30", "14/04/2026", "", None, "abc"])
def test_bad_days_are_refused(people, clock, day):
    error = refused(DomainError, lambda: record(people["emp"], day=day), status=400)
    assert error.field == "date"


def test_missing_place_is_refused(people, clock):
    assert refused(DomainError, lambda: record(people["emp"], place=None)).field == "place"


def test_short_times_and_date_objects_are_accepted(people, clock):
    session = record(people["emp"], day=date(2026, 4, 13), start="9:05", end="9:35")
    assert session.minutes == 30


@pytest.mark.parametrize("which", ["someone_else", "pending", "other_day", "cancelled"])
def test_booking_must_be_the_users_approved_booking_that_day(people, clock, which):
    emp = people["emp"]
    row = {
        "someone_else": lambda: booking(people["mate"], date(2026, 4, 13)),
        "pending": lambda: booking(emp, date(2026, 4, 13), status="pending"),
        "other_day": lambda: booking(emp, date(2026, 4, 10)),
        "cancelled": lambda: booking(emp, date(2026, 4, 13), status="cancelled"),
    }[which]()
    refused(RuleViolation, lambda: record(emp, booking_id=row.id), code="booking_invalid")


def test_explicit_booking_is_linked(people, clock):
    emp = people["emp"]
    row = booking(emp, date(2026, 4, 13))
    session = record(emp, booking_id=row.id)
    assert (session.booking_id, session.unplanned) == (row.id, False)


def test_department_is_kept_when_the_person_moves(people, clock):
    emp = people["emp"]
    session = record(emp)
    db.session.commit()
    emp.department_id = db.session.scalar(select(Department.id).where(Department.code == "FIN"))
    db.session.commit()
    assert session.department_id == db.session.scalar(
        select(Department.id).where(Department.code == "IT"))


# --- the policy: unplanned or booking required -----------------------------------------------


def require_booking(code: str) -> None:
    dept = db.session.scalar(select(Department).where(Department.code == code))
    db.session.add(TeleworkPolicy(department_id=dept.id, is_org_default=False,
                                  allow_unplanned_sessions=False))
    db.session.commit()


def test_org_default_allows_unplanned_even_without_its_row(people, clock):
    db.session.execute(TeleworkPolicy.__table__.delete())
    db.session.commit()
    assert svc.start_session(people["emp"], place="home").unplanned is True


def test_department_policy_requiring_a_booking(people, clock):
    require_booking("GEN")  # the employee's division IT inherits it from its bureau
    emp = people["emp"]
    error = refused(RuleViolation, lambda: svc.start_session(emp, place="home"),
                    code="booking_required", status=422)
    assert "booking" in error.message
    refused(RuleViolation, lambda: record(emp), code="booking_required")
    # A pending booking is not enough; an approved one is.
    booking(emp, TUESDAY, status="pending")
    refused(RuleViolation, lambda: svc.start_session(emp, place="home"), code="booking_required")
    booking(emp, date(2026, 4, 13))
    assert record(emp).unplanned is False
    # Other departments keep the organisation default.
    assert svc.start_session(people["other_boss"], place="home").unplanned is True


# --- permissions -----------------------------------------------------------------------------


def test_who_may_record_for_whom(people, clock):
    emp = people["emp"]
    refused(Forbidden, lambda: record(emp, actor=people["mate"]), status=403)
    refused(Forbidden, lambda: record(emp, actor=people["boss"]))
    session = record(emp, actor=people["hr"])
    db.session.commit()
    (event,) = audits("telework.session_corrected")
    assert event.detail["action"] == "create" and event.target == f"session:{session.id}"


def test_viewing_and_editing(people, clock):
    emp = people["emp"]
    session = record(emp)
    db.session.commit()
    for name in ("emp", "boss", "hr", "admin"):
        assert svc.get_session(session.id, people[name]).id == session.id
    for name in ("mate", "other_boss"):
        with pytest.raises(Forbidden):
            svc.get_session(session.id, people[name])
    assert svc.get_session(session.id, emp, for_edit=True)
    assert svc.get_session(session.id, people["admin"], for_edit=True)
    with pytest.raises(Forbidden):
        svc.get_session(session.id, people["boss"], for_edit=True)
    with pytest.raises(NotFound):
        svc.get_session(session.id + 1000, emp)
    refused(Forbidden, lambda: svc.update_session(session, people["boss"], place="other"))
    refused(Forbidden, lambda: svc.delete_session(session, people["boss"]))
    refused(Forbidden, lambda: svc.delete_session(session, people["mate"]))


def test_update_session(people, clock):
    emp = people["emp"]
    first = record(emp, start="09:00", end="12:00")
    second = record(emp, start="13:00", end="17:00")
    db.session.commit()
    svc.update_session(second, emp, start="12:30", place="satellite", report="午後")
    db.session.commit()
    assert second.started_at == at("2026-04-13 12:30").astimezone(UTC)
    assert second.ended_at == at("2026-04-13 17:00").astimezone(UTC)
    assert (second.place, second.report) == ("satellite", "午後")
    refused(RuleViolation, lambda: svc.update_session(second, emp, start="11:00"),
            code="overlap")
    refused(RuleViolation, lambda: svc.update_session(first, emp, end="08:00"),
            code="end_before_start")
    refused(RuleViolation, lambda: svc.update_session(first, emp, day="2026-04-15"),
            code="future")
    refused(DomainError, lambda: svc.update_session(first, emp, start="25:00"))
    svc.update_session(first, emp, report="")
    svc.update_session(first, emp, day="2026-04-10")
    db.session.commit()
    assert first.report is None
    assert first.day == date(2026, 4, 10)
    assert first.started_at == at("2026-04-10 09:00").astimezone(UTC)
    assert first.ended_at == at("2026-04-10 12:00").astimezone(UTC)
    assert audits("telework.session_corrected") == []


def test_moving_a_session_to_another_day_relinks_the_booking(people, clock):
    emp = people["emp"]
    friday = booking(emp, date(2026, 4, 10))
    session = record(emp)
    svc.update_session(session, emp, day="2026-04-10")
    assert (session.booking_id, session.unplanned) == (friday.id, False)
    svc.update_session(session, emp, day="2026-04-09")
    assert (session.booking_id, session.unplanned) == (None, True)


def test_hr_correction_and_delete_are_audited(people, clock):
    emp, hr = people["emp"], people["hr"]
    session = record(emp)
    db.session.commit()
    svc.update_session(session, hr, end="18:00")
    svc.delete_session(session, hr)
    db.session.commit()
    actions = [e.detail["action"] for e in audits("telework.session_corrected")]
    assert actions == ["update", "delete"]
    assert db.session.scalar(select(func.count(TeleworkSession.id))) == 0


def test_owner_deletes_without_audit(people, clock):
    session = record(people["emp"])
    svc.delete_session(session, people["emp"])
    db.session.commit()
    assert counts() == (0, 0)


# --- month close -----------------------------------------------------------------------------


def test_close_and_reopen_a_month(people, clock):
    emp, hr = people["emp"], people["hr"]
    march = record(emp, day="2026-03-31")
    db.session.commit()
    months.close_month("2026-03", hr)
    db.session.commit()
    assert months.is_closed("2026-03") and not months.is_closed("2026-04")
    (closed,) = audits("telework.month_closed")
    assert closed.detail == {"month": "2026-03"} and closed.actor_id == hr.id

    refused(RuleViolation, lambda: record(emp, day="2026-03-30"), code="month_closed",
            status=422)
    refused(RuleViolation, lambda: svc.update_session(march, emp, report="late"),
            code="month_closed")
    refused(RuleViolation, lambda: svc.update_session(march, hr, end="18:00"),
            code="month_closed")
    refused(RuleViolation, lambda: svc.delete_session(march, emp), code="month_closed")
    april = record(emp, day="2026-04-01")
    db.session.commit()
    refused(RuleViolation, lambda: svc.update_session(april, emp, day="2026-03-27"),
            code="month_closed")

    refused(DomainError, lambda: months.reopen_month("2026-03", hr, "  "))
    refused(Forbidden, lambda: months.reopen_month("2026-03", people["admin"], "fix"))
    months.reopen_month("2026-03", hr, "訂正のため")
    db.session.commit()
    assert not months.is_closed("2026-03")
    (reopened,) = audits("telework.month_reopened")
    assert reopened.detail == {"month": "2026-03", "reason": "訂正のため"}
    svc.update_session(march, emp, report="late")
    db.session.commit()
    refused(Conflict, lambda: months.reopen_month("2026-03", hr, "again"))


def test_a_running_session_of_a_closed_month_cannot_be_stopped(people, clock):
    emp = people["emp"]
    clock("2026-03-31 23:00")
    session = svc.start_session(emp, place="home")
    db.session.commit()
    clock("2026-04-01 08:00")
    months.close_month("2026-03", people["hr"])
    db.session.commit()
    refused(RuleViolation, lambda: svc.stop_session(session, emp), code="month_closed")


def test_month_close_rules(people, clock):
    hr = people["hr"]
    for name in ("admin", "boss", "emp"):
        refused(Forbidden, lambda name=name: months.close_month("2026-03", people[name]))
    refused(RuleViolation, lambda: months.close_month("2026-04", hr), code="month_not_over")
    for bad in ("2026-13", "2026-4", "2026/03", "", None, " 2026-3", "２０２６-03"):
        refused(DomainError, lambda bad=bad: months.close_month(bad, hr), status=400)
    months.close_month(" 2026-03 ", hr)
    db.session.commit()
    refused(Conflict, lambda: months.close_month("2026-03", hr))
    assert db.session.scalar(select(func.count()).select_from(MonthClose)) == 1
    assert db.session.get(MonthClose, "2026-03").closed_by_id == hr.id


def test_user_sessions_lists_a_month(people, clock):
    emp = people["emp"]
    record(emp, day="2026-03-31")
    record(emp, day="2026-04-13", start="13:00", end="14:00")
    record(emp, day="2026-04-13", start="09:00", end="10:00")
    db.session.commit()
    listed = svc.user_sessions(emp, "2026-04")
    assert [s.started_at.hour for s in listed] == [0, 4]
    with pytest.raises(DomainError):
        svc.user_sessions(emp, "April")



@pytest.mark.parametrize(("raw", "kept"), [
    ("  会議資料の作成\r\n\t- 表の更新\r議事録  ", "会議資料の作成\n\t- 表の更新\n議事録"),
    ("   ", None),
    (None, None),
])
def test_a_report_keeps_line_breaks_and_tabs(app_ctx, raw, kept):
    assert svc.clean_report(raw) == kept


@pytest.mark.parametrize("raw", ["a\x00b", "a\x1bb", "a\u202eb", "a\u200bb", "x" * 2001, 42])
def test_a_report_with_hidden_characters_or_too_long_is_refused(app_ctx, raw):
    with pytest.raises(DomainError) as caught:
        svc.clean_report(raw)
    assert caught.value.field == "report"
