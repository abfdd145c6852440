"""Booking rules, approvals, cancellations, history and notifications, with a frozen clock.

The calendar used throughout: 2026-11-23 (Monday) is 勤労感謝の日, 2027-01-01 (Friday) is 元日.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from tests.office import at
from workhub.auth.models import AuditEvent
from workhub.errors import Conflict, DomainError, Forbidden
from workhub.extensions import db
from workhub.jobs.models import Job
from workhub.notify.models import Notification
from workhub.org.models import Department, User
from workhub.org.services import create_department, create_user
from workhub.telework import bookings as bk
from workhub.telework import decisions
from workhub.telework.errors import RuleViolation
from workhub.telework.models import ApprovalDelegate, Booking, BookingEvent, TeleworkSession
from workhub.telework.policy import set_policy

MON, TUE, WED, THU, FRI = (date(2026, 11, d) for d in (16, 17, 18, 19, 20))
HOLIDAY = date(2026, 11, 23)  # 勤労感謝の日 (Monday)
NEXT_TUE, NEXT_WED, NEXT_THU = date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 26)


@pytest.fixture(autouse=True)
def english(app_ctx):
    with force_locale("en"):
        yield


@pytest.fixture
def clock(office_clock):
    """Frozen at Friday 13 November 2026, 10:00 office time, before every deadline of the
    next weeks; ``clock("2026-11-16 09:00")`` moves it."""
    office_clock("2026-11-13 10:00")
    return office_clock


def _user(login, *roles, department=None) -> User:
    # Straight through the service, in the test's session: these people never sign in, so
    # they get an unusable password hash instead of a slow real one.
    return create_user(login, display_name=f"試験 {login}", roles=roles or ("employee",),
                       department_code=department, email=f"{login}@city.example.jp",
                       password_hash="!unusable")


@pytest.fixture
def org(app_ctx):
    """CITY > SOUMU > (JINJI, KIKAKU); CITY > ZAISEI. Managers of JINJI and SOUMU, one of
    ZAISEI, HR and an administrator outside the tree."""
    create_department("CITY", "市")
    create_department("SOUMU", "総務部", parent_code="CITY")
    create_department("JINJI", "人事課", parent_code="SOUMU")
    create_department("KIKAKU", "企画課", parent_code="SOUMU")
    create_department("ZAISEI", "財政課", parent_code="CITY")
    return SimpleNamespace(
        emp=_user("emp", department="JINJI"),
        mate=_user("mate", department="JINJI"),
        boss=_user("boss", "employee", "manager", department="JINJI"),
        head=_user("head", "employee", "manager", department="SOUMU"),
        zboss=_user("zboss", "manager", department="ZAISEI"),
        planner=_user("planner", department="KIKAKU"),
        hr=_user("hr", "hr"),
        admin=_user("admin", "admin"),
        lonely=_user("lonely", department="CITY"),
    )


def _dept(code: str) -> Department:
    return db.session.scalar(select(Department).where(Department.code == code))


def book(user, start, actor=None, **kw) -> bk.BookingResult:
    kw.setdefault("slot", "full")
    kw.setdefault("place", "home")
    return bk.create_bookings(user, start=start, actor=actor or user, **kw)


def counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Booking, BookingEvent, Notification, Job, AuditEvent))


def refused(code: str, user, start, **kw) -> RuleViolation:
    before = counts()
    with pytest.raises(RuleViolation) as caught:
        book(user, start, **kw)
    assert caught.value.code == code, caught.value.message
    assert caught.value.status == 422
    assert counts() == before, "a refused request must write nothing"
    return caught.value


# --- planning days --------------------------------------------------------------------


def test_range_skips_weekends_and_holidays_with_a_notice(app_ctx):
    days, skipped = bk.plan_days(MON, date(2026, 11, 27))
    assert days == [MON, TUE, WED, THU, FRI, NEXT_TUE, NEXT_WED, NEXT_THU, date(2026, 11, 27)]
    assert [(s.day, s.kind) for s in skipped] == [
        (date(2026, 11, 21), "weekend"), (date(2026, 11, 22), "weekend"), (HOLIDAY, "holiday")]
    assert skipped[2].reason == "勤労感謝の日"
    assert bk.plan_days(HOLIDAY, NEXT_TUE, language="en")[1][0].reason == "Labor Thanksgiving Day"
    assert skipped[0].reason == "Weekend"


def test_range_over_new_year_skips_2027_01_01(app_ctx):
    days, skipped = bk.plan_days(date(2026, 12, 31), date(2027, 1, 4))
    assert days == [date(2026, 12, 31), date(2027, 1, 4)]
    assert [s.day for s in skipped] == [date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)]
    assert skipped[0].kind == "holiday" and skipped[0].reason == "元日"


def test_weekly_pattern_repeats_the_days_and_skips_the_holiday(app_ctx):
    assert bk.plan_days(TUE, weeks=3) == ([TUE, NEXT_TUE, date(2026, 12, 1)], [])
    days, skipped = bk.plan_days(MON, TUE, weeks=2)
    assert days == [MON, TUE, NEXT_TUE]
    assert [(s.day, s.kind) for s in skipped] == [(HOLIDAY, "holiday")]
    # Only some weekdays of a range: Mondays and Thursdays.
    days, _ = bk.plan_days(MON, date(2026, 11, 27), weekdays={0, 3})
    assert days == [MON, THU, NEXT_THU]


@pytest.mark.parametrize(("kwargs", "field", "words"), [
    ({"start": TUE, "end": MON}, "end", "before the first day"),
    ({"start": MON, "end": MON + timedelta(days=31)}, "end", "at most 31 days"),
    ({"start": MON, "weeks": 0}, "weeks", "between 1 and 26"),
    ({"start": MON, "weeks": 27}, "weeks", "between 1 and 26"),
    ({"start": MON, "weeks": True}, "weeks", "between 1 and 26"),
    ({"start": MON, "end": MON + timedelta(days=7), "weeks": 2}, "end", "one week"),
    ({"start": "2026-11-16"}, "start", "must be a date"),
    ({"start": datetime(2026, 11, 16, 9)}, "start", "must be a date"),
    ({"start": MON, "end": FRI, "weekdays": {7}}, "weekdays", "Monday and Sunday"),
])
def test_bad_ranges_are_refused(app_ctx, kwargs, field, words):
    with pytest.raises(DomainError) as caught:
        bk.plan_days(**kwargs)
    assert caught.value.field == field and words in caught.value.message


# --- creating: the happy path ----------------------------------------------------------


def test_single_booking_is_pending_with_history_and_approvers_are_told(org, clock):
    result = book(org.emp, WED, purpose="資料作成", slot="am", place="satellite",
                  place_note="駅前サテライト")
    (booking,) = result.created
    assert (booking.status, booking.slot, booking.place, booking.day) == (
        "pending", "am", "satellite", WED)
    assert booking.series_id is None and booking.override_reason is None
    assert [(e.from_status, e.to_status, e.actor_id) for e in booking.history] == [
        (None, "pending", org.emp.id)]
    assert result.skipped == [] and result.warnings == []
    # The managers of JINJI and SOUMU are told, in the app and by mail; nobody else.
    notes = db.session.scalars(select(Notification).order_by(Notification.user_id)).all()
    assert {n.user_id for n in notes} == {org.boss.id, org.head.id}
    assert all(n.event == "telework.booking_requested" for n in notes)
    assert all(n.url == bk.APPROVALS_URL for n in notes)
    mails = db.session.scalars(select(Job).where(Job.kind == "mail.send")).all()
    assert sorted(m.payload["to"] for m in mails) == ["boss@city.example.jp",
                                                      "head@city.example.jp"]
    body = mails[0].payload["body"]
    assert "2026-11-18" in body and "資料作成" in body and "駅前サテライト" in body


def test_approver_mail_is_in_the_approvers_language(org, clock):
    org.boss.language = "en"
    book(org.emp, WED)
    mail = db.session.scalar(select(Job).where(Job.payload["to"].as_string()
                                               == "boss@city.example.jp"))
    assert mail.payload["subject"].startswith("Remote work to approve")
    assert "Full day" in mail.payload["body"] and "At home" in mail.payload["body"]


def test_range_makes_one_series_and_one_message_per_approver(org, clock):
    result = book(org.emp, MON, end=date(2026, 11, 27))
    assert len(result.created) == 9
    assert len({b.series_id for b in result.created}) == 1 and result.created[0].series_id
    assert [s.kind for s in result.skipped] == ["weekend", "weekend", "holiday"]
    assert db.session.scalar(select(func.count(Notification.id))) == 2


def test_auto_approval_when_the_policy_needs_none(org, clock):
    set_policy(_dept("JINJI"), actor=org.hr, approval_required=False)
    (booking,) = book(org.emp, WED).created
    assert booking.status == "approved" and booking.decided_at is not None
    assert [(e.from_status, e.to_status) for e in booking.history] == [(None, "approved")]
    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_no_approver_is_a_warning(org, clock):
    result = book(org.lonely, WED)
    assert [w.code for w in result.warnings] == ["no_approver"]
    assert result.created[0].status == "pending"


# --- the rules ---------------------------------------------------------------------------


def test_single_holiday_and_weekend_are_refused(org, clock):
    error = refused("holiday", org.emp, HOLIDAY)
    assert error.day == HOLIDAY and "勤労感謝の日" in error.message
    refused("holiday", org.emp, date(2027, 1, 1))
    error = refused("weekend", org.emp, date(2026, 11, 21))
    assert "2026-11-21" in error.message and "weekend" in error.message


def test_range_of_only_non_business_days_is_refused(org, clock):
    refused("no_business_day", org.emp, date(2026, 11, 21), end=HOLIDAY)


def test_deadline_edge_on_the_previous_business_day(org, clock):
    clock("2026-11-17 16:59")
    book(org.emp, WED, slot="am")
    clock("2026-11-17 17:01")
    error = refused("deadline", org.emp, WED, slot="pm")
    assert error.day == WED and "2026-11-17 17:00" in error.message


def test_deadline_across_a_weekend(org, clock):
    clock("2026-11-13 16:59")  # Friday
    book(org.emp, MON, slot="am")
    clock("2026-11-13 17:01")
    refused("deadline", org.emp, MON, slot="pm")
    clock("2026-11-15 09:00")  # Sunday: still too late for Monday
    refused("deadline", org.emp, MON, slot="pm")


def test_deadline_across_a_holiday_and_a_weekend(org, clock):
    # Tuesday 11-24 follows the holiday Monday: its deadline is Friday 11-20 17:00.
    clock("2026-11-20 16:59")
    book(org.emp, NEXT_TUE, slot="pm")
    clock("2026-11-20 17:01")
    error = refused("deadline", org.emp, NEXT_TUE, slot="am")
    assert "2026-11-20 17:00" in error.message
    clock("2026-11-23 10:00")  # on the holiday itself
    refused("deadline", org.emp, NEXT_TUE, slot="am")


def test_past_days_are_refused(org, clock):
    clock("2026-11-18 08:00")
    error = refused("deadline", org.emp, TUE)
    assert "in the past" in error.message


def test_one_late_day_refuses_the_whole_range(org, clock):
    clock("2026-11-16 18:00")  # Monday evening: Tuesday is too late, Wednesday is not
    error = refused("deadline", org.emp, TUE, end=FRI)
    assert error.day == TUE


def test_max_days_per_week_counts_days_not_slots(org, clock):
    set_policy(_dept("JINJI"), actor=org.hr, max_days_per_week=2)
    book(org.emp, MON)
    book(org.emp, TUE, slot="am")
    book(org.emp, TUE, slot="pm")  # the same day again: still two days
    error = refused("max_days_per_week", org.emp, WED, slot="am")
    assert error.day == WED and "At most 2 remote days a week" in error.message
    assert "would have 3" in error.message
    # Next ISO week is a fresh count.
    book(org.emp, NEXT_TUE)


def test_a_range_that_breaks_the_week_limit_writes_nothing(org, clock):
    set_policy(_dept("SOUMU"), actor=org.hr, max_days_per_week=3)
    error = refused("max_days_per_week", org.emp, MON, end=FRI)
    assert error.day == MON
    # A weekly pattern of two days a week fits.
    assert len(book(org.emp, MON, end=TUE, weeks=2).created) == 3  # the holiday is skipped


def test_cancelled_and_rejected_bookings_do_not_count(org, clock):
    set_policy(_dept("JINJI"), actor=org.hr, max_days_per_week=1)
    (first,) = book(org.emp, MON).created
    decisions.cancel(first, org.emp)
    (second,) = book(org.emp, TUE).created
    decisions.reject(second, org.boss, "人員不足のため")
    book(org.emp, WED)


def test_max_days_per_month(org, clock):
    set_policy(_dept("JINJI"), actor=org.hr, max_days_per_month=3)
    book(org.emp, MON, end=TUE)
    book(org.emp, date(2026, 12, 1), end=date(2026, 12, 3))  # December counts apart
    error = refused("max_days_per_month", org.emp, WED, end=THU)
    assert error.day == WED and "At most 3 remote days a month" in error.message


def test_zero_days_a_week_forbids_remote_work(org, clock):
    set_policy(_dept("JINJI"), actor=org.hr, max_days_per_week=0)
    refused("max_days_per_week", org.emp, WED)


@pytest.mark.parametrize(("first", "second", "ok"), [
    ("full", "am", False), ("am", "full", False), ("am", "am", False),
    ("pm", "pm", False), ("am", "pm", True), ("pm", "am", True),
])
def test_overlap_between_slots(org, clock, first, second, ok):
    book(org.emp, WED, slot=first)
    if ok:
        book(org.emp, WED, slot=second)
    else:
        error = refused("overlap", org.emp, WED, slot=second)
        assert "2026-11-18" in error.message


def test_every_violation_is_listed(org, clock):
    set_policy(_dept("JINJI"), actor=org.hr, max_days_per_week=1)
    book(org.emp, WED)
    error = refused("max_days_per_week", org.emp, TUE, end=WED)
    assert error.day == TUE
    assert {v.code for v in error.violations} == {"overlap", "max_days_per_week"}


# --- overrides ---------------------------------------------------------------------------


def test_hr_overrides_a_rule_with_a_reason_and_it_is_audited(org, clock):
    set_policy(_dept("JINJI"), actor=org.hr, max_days_per_week=1)
    book(org.emp, MON)
    clock("2026-11-16 18:00")
    result = book(org.emp, TUE, actor=org.hr, override_reason="通院のため（診断書あり）")
    (booking,) = result.created
    assert booking.override_reason == "通院のため（診断書あり）"
    assert booking.status == "pending"  # approval still follows the policy
    assert {v.code for v in result.overridden} == {"deadline", "max_days_per_week"}
    assert booking.history[0].actor_id == org.hr.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "telework.override"))
    assert event.actor_id == org.hr.id and event.target == "emp"
    assert event.detail["booking_ids"] == [booking.id]
    assert {r["code"] for r in event.detail["rules"]} == {"deadline", "max_days_per_week"}


def test_admin_may_override_a_holiday(org, clock):
    (booking,) = book(org.emp, HOLIDAY, actor=org.admin, override_reason="選挙事務").created
    assert booking.day == HOLIDAY and booking.override_reason == "選挙事務"


def test_override_without_a_broken_rule_stores_nothing(org, clock):
    (booking,) = book(org.emp, WED, actor=org.hr, override_reason="念のため").created
    assert booking.override_reason is None
    assert db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.event == "telework.override")) is None


@pytest.mark.parametrize("who", ["emp", "boss"])
def test_override_is_refused_for_others_than_hr_and_admin(org, clock, who):
    clock("2026-11-16 18:00")
    before = counts()
    with pytest.raises(Forbidden) as caught:
        book(org.emp, TUE, actor=getattr(org, who), override_reason="急ぎ")
    assert caught.value.code == "override_forbidden" or who == "boss"
    assert counts() == before


def test_hr_cannot_override_for_their_own_booking(org, clock):
    with pytest.raises(Forbidden) as caught:
        book(org.hr, HOLIDAY, override_reason="自分のため")
    assert caught.value.code == "override_forbidden"


def test_overlap_cannot_be_overridden(org, clock):
    book(org.emp, WED)
    refused("overlap", org.emp, WED, actor=org.hr, override_reason="二重")


def test_only_hr_or_admin_book_for_someone_else(org, clock):
    with pytest.raises(Forbidden):
        book(org.emp, WED, actor=org.boss)
    (booking,) = book(org.emp, WED, actor=org.hr).created
    assert booking.user_id == org.emp.id


# --- input --------------------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"slot": "night"}, "slot"),
    ({"place": "cafe"}, "place"),
    ({"place": "other"}, "place_note"),
    ({"place": "other", "place_note": "   "}, "place_note"),
    ({"place_note": "x" * 201}, "place_note"),
    ({"place_note": "自宅\n2階"}, "place_note"),
    ({"purpose": "a" * 501}, "purpose"),
    ({"purpose": "report\x00"}, "purpose"),
    ({"purpose": "\u202eevil"}, "purpose"),
    ({"purpose": 42}, "purpose"),
])
def test_bad_input_is_refused_and_writes_nothing(org, clock, kwargs, field):
    before = counts()
    with pytest.raises(DomainError) as caught:
        book(org.emp, WED, **kwargs)
    assert caught.value.field == field and caught.value.status == 400
    assert counts() == before


def test_texts_are_trimmed_and_purpose_may_have_lines(org, clock):
    (booking,) = book(org.emp, WED, place="other", place_note="  図書館  ",
                      purpose="午前: 資料\r\n午後: 会議").created
    assert booking.place_note == "図書館" and booking.purpose == "午前: 資料\n午後: 会議"


def test_no_bookings_for_a_deactivated_account(org, clock):
    org.mate.active = False
    with pytest.raises(DomainError):
        book(org.mate, WED, actor=org.hr)


def test_too_far_ahead_is_refused(org, clock):
    with pytest.raises(DomainError) as caught:
        book(org.emp, date(2027, 12, 1))
    assert caught.value.field == "start"


# --- the share warning -------------------------------------------------------------------


def test_share_warning_does_not_refuse(org, clock):
    # JINJI has emp, mate and boss (3 active people); warn above 50 %.
    set_policy(_dept("JINJI"), actor=org.hr, warn_share_percent=50)
    assert book(org.mate, WED).warnings == []  # 1 of 3
    result = book(org.emp, WED, end=THU)  # 2 of 3 on Wednesday, 1 of 3 on Thursday
    assert [(w.code, w.day) for w in result.warnings] == [("share", WED)]
    assert "2 of 3 people" in result.warnings[0].message
    assert "(more than 50 %)" in result.warnings[0].message
    assert len(result.created) == 2


# --- decisions ----------------------------------------------------------------------------


def _pending(org, user=None, day=WED, **kw) -> Booking:
    (booking,) = book(user or org.emp, day, **kw).created
    return booking


def _owner_notes(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_manager_approves_and_the_employee_is_told(org, clock):
    booking = _pending(org)
    clock("2026-11-16 09:00")
    decisions.approve(booking, org.boss, "了解です")
    assert booking.status == "approved" and booking.decided_by_id == org.boss.id
    assert booking.decision_comment == "了解です"
    assert booking.decided_at == at("2026-11-16 09:00")
    assert [(e.from_status, e.to_status, e.actor_id, e.comment) for e in booking.history] == [
        (None, "pending", org.emp.id, None), ("pending", "approved", org.boss.id, "了解です")]
    (note,) = _owner_notes(org.emp)
    assert note.event == "telework.booking_approved"
    assert note.url == bk.BOOKING_URL.format(id=booking.id)
    mail = db.session.scalar(select(Job).where(Job.payload["to"].as_string()
                                               == "emp@city.example.jp"))
    assert "了解です" in mail.payload["body"] and "2026-11-18" in mail.payload["body"]


def test_upper_manager_and_admin_may_approve(org, clock):
    decisions.approve(_pending(org, day=MON), org.head)
    decisions.approve(_pending(org, day=TUE), org.admin)


@pytest.mark.parametrize("who", ["zboss", "hr", "mate", "planner"])
def test_others_may_not_approve(org, clock, who):
    booking = _pending(org)
    with pytest.raises(Forbidden):
        decisions.approve(booking, getattr(org, who))
    assert booking.status == "pending" and len(booking.history) == 1


def test_nobody_approves_their_own_booking(org, clock):
    booking = _pending(org, user=org.boss)
    with pytest.raises(Forbidden) as caught:
        decisions.approve(booking, org.boss)
    assert "your own" in caught.value.message
    admin_booking = _pending(org, user=org.admin)
    with pytest.raises(Forbidden):
        decisions.approve(admin_booking, org.admin)
    decisions.approve(booking, org.head)


def test_delegate_approves_until_the_last_day(org, clock):
    db.session.add(ApprovalDelegate(department_id=_dept("SOUMU").id, user_id=org.planner.id,
                                    until=date(2026, 11, 16)))
    first, second = _pending(org, day=WED), _pending(org, day=THU)
    clock("2026-11-16 23:59")
    decisions.approve(first, org.planner)
    clock("2026-11-17 00:01")
    with pytest.raises(Forbidden):
        decisions.approve(second, org.planner)


def test_a_decision_is_made_once(org, clock):
    booking = _pending(org)
    decisions.approve(booking, org.boss)
    with pytest.raises(Conflict):
        decisions.approve(booking, org.head)
    with pytest.raises(Conflict):
        decisions.reject(booking, org.head, "遅い")


def test_reject_needs_a_comment_and_tells_the_employee(org, clock):
    booking = _pending(org)
    with pytest.raises(DomainError) as caught:
        decisions.reject(booking, org.boss, "  ")
    assert caught.value.field == "comment" and booking.status == "pending"
    decisions.reject(booking, org.boss, "会議に出てください")
    assert booking.status == "rejected" and booking.decision_comment == "会議に出てください"
    (note,) = _owner_notes(org.emp)
    assert note.event == "telework.booking_rejected" and "会議に出てください" in note.body


def test_bulk_approve_reports_what_it_refused(org, clock):
    mine = book(org.emp, MON, end=WED).created
    planner = _pending(org, user=org.planner)
    outsider = _pending(org, user=org.lonely)
    done = _pending(org, user=org.mate)
    decisions.approve(done, org.boss)
    ids = [b.id for b in mine] + [planner.id, outsider.id, done.id, 999_999, mine[0].id]
    approved, refused_ = decisions.approve_many(ids, org.boss, "まとめて承認")
    assert [b.id for b in approved] == [b.id for b in mine]
    reasons = dict(refused_)
    assert set(reasons) == {planner.id, outsider.id, done.id, 999_999}
    assert "No such booking" in reasons[999_999] and "No such booking" in reasons[planner.id]
    assert "no longer waiting" in reasons[done.id]
    # One message for the three days, not three.
    notes = [n for n in _owner_notes(org.emp) if n.event == "telework.booking_approved"]
    assert len(notes) == 1 and notes[0].url == bk.MY_BOOKINGS_URL
    assert all(b.history[-1].comment == "まとめて承認" for b in mine)


def test_bulk_approve_input(org, clock):
    with pytest.raises(DomainError):
        decisions.approve_many([], org.boss)
    with pytest.raises(DomainError):
        decisions.approve_many(["x"], org.boss)
    with pytest.raises(DomainError):
        decisions.approve_many("12", org.boss)
    with pytest.raises(DomainError):
        decisions.approve_many(range(decisions.MAX_BULK + 1), org.boss)


# --- cancelling ---------------------------------------------------------------------------


def test_owner_cancels_pending_and_approved_future_days_without_telling_anyone(org, clock):
    pending = _pending(org, day=WED)
    approved = _pending(org, day=THU)
    decisions.approve(approved, org.boss)
    before = len(_owner_notes(org.emp))
    decisions.cancel(pending, org.emp)
    clock("2026-11-19 08:00")  # the day itself
    decisions.cancel(approved, org.emp, "体調不良で出勤")
    assert pending.status == approved.status == "cancelled"
    assert approved.history[-1].comment == "体調不良で出勤"
    assert [e.to_status for e in approved.history] == ["pending", "approved", "cancelled"]
    assert len(_owner_notes(org.emp)) == before


def test_manager_cancel_needs_a_reason_and_tells_the_employee(org, clock):
    booking = _pending(org)
    with pytest.raises(DomainError):
        decisions.cancel(booking, org.boss)
    decisions.cancel(booking, org.boss, "窓口当番")
    (note,) = _owner_notes(org.emp)
    assert note.event == "telework.booking_cancelled" and "窓口当番" in note.body


def test_colleague_and_outside_manager_cannot_cancel(org, clock):
    booking = _pending(org)
    for who in (org.mate, org.zboss):
        with pytest.raises(Forbidden):
            decisions.cancel(booking, who, "だめ")
    assert booking.status == "pending"


def test_cancelled_booking_cannot_be_cancelled_again(org, clock):
    booking = _pending(org)
    decisions.cancel(booking, org.emp)
    with pytest.raises(Conflict):
        decisions.cancel(booking, org.emp)


def test_a_past_approved_day_is_history_only_hr_may_cancel_it(org, clock):
    booking = _pending(org, day=MON)
    decisions.approve(booking, org.boss)
    clock("2026-11-17 09:00")
    for who in (org.emp, org.boss):
        with pytest.raises(Conflict):
            decisions.cancel(booking, who, "取消")
    decisions.cancel(booking, org.hr, "実際は出勤していた")
    assert booking.status == "cancelled"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "telework.override"))
    assert event.detail["rules"] == [{"code": "cancel_history", "day": "2026-11-16"}]


def test_a_past_pending_day_can_still_be_withdrawn(org, clock):
    booking = _pending(org, day=MON)
    clock("2026-11-18 09:00")
    decisions.cancel(booking, org.emp)
    assert booking.status == "cancelled"


def test_an_approved_day_with_a_session_is_history(org, clock):
    booking = _pending(org, day=WED)
    decisions.approve(booking, org.boss)
    clock("2026-11-18 09:00")
    db.session.add(TeleworkSession(user_id=org.emp.id, day=WED, booking_id=booking.id,
                                   started_at=at("2026-11-18 08:30"), place="home"))
    db.session.flush()
    with pytest.raises(Conflict):
        decisions.cancel(booking, org.emp)


def test_a_race_on_the_same_slot_ends_as_an_overlap_not_a_500(org, clock, monkeypatch):
    (first,) = book(org.emp, WED).created
    # As if the other request had written between our check and our write.
    monkeypatch.setattr(bk, "_rule_violations", lambda *args: [])
    before = counts()
    with pytest.raises(RuleViolation) as caught:
        book(org.emp, TUE, end=WED)
    assert caught.value.code == "overlap"
    assert counts() == before and first.status == "pending"  # the session is still usable
