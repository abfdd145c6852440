"""Booking pages: the booking form (one day, range, weekly), bad input, details and history,
cancelling, approvals one by one and in bulk. Clock frozen on Friday 2026-11-13 10:00 in
Tokyo; Monday 2026-11-23 is 勤労感謝の日 (Labor Thanksgiving Day)."""

from __future__ import annotations

import re
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.dbstate import snapshot
from tests.office import csrf_token, login
from workhub.auth.models import AuditEvent
from workhub.extensions import db
from workhub.notify.models import Notification
from workhub.org.models import User
from workhub.telework.models import Booking, BookingEvent
from workhub.telework.policy import set_policy

pytestmark = pytest.mark.usefixtures("fast_hashing")

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 13, 10, 0, tzinfo=JST)
MON, TUE, WED = date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 18)
HOLIDAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def english(app, *infos):
    """Messages are checked in English: the source language, stable whatever the catalogue."""
    with app.app_context():
        for info in infos:
            db.session.get(User, info.id).language = "en"
        db.session.commit()


@pytest.fixture
def people(app, make_department, make_user):
    make_department("CITY", "市役所")
    make_department("JINJI", "人事課", parent="CITY", name_en="Personnel")
    make_department("ZAISEI", "財政課", parent="CITY", name_en="Finance")
    staff = SimpleNamespace(
        emp=make_user("emp", department="JINJI", display_name="山田 花子"),
        mate=make_user("mate", department="JINJI", display_name="佐藤 次郎"),
        boss=make_user("boss", roles=("employee", "manager"), department="JINJI",
                       display_name="鈴木 課長"),
        zboss=make_user("zboss", roles=("employee", "manager"), department="ZAISEI"),
        hr=make_user("hr", roles=("hr",), department="CITY"),
        admin=make_user("admin", roles=("admin",)),
    )
    english(app, *vars(staff).values())
    return staff


def relogin(client, user):
    """Sign out whoever is signed in on ``client``, then sign in as ``user``."""
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert login(client, user).status_code == 302


def html(response) -> str:
    return response.get_data(as_text=True)


def post(client, path, data, *, form_page="/telework/bookings"):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, form_page)})


def book(client, **data):
    data.setdefault("mode", "single")
    data.setdefault("slot", "full")
    data.setdefault("place", "home")
    return post(client, "/telework/bookings", data)


def bookings(app) -> list[Booking]:
    with app.app_context():
        rows = db.session.scalars(select(Booking).order_by(Booking.day, Booking.id)).all()
        db.session.expunge_all()
        return rows


def make_booking(app, user, day, status="pending", **kw) -> int:
    with app.app_context():
        booking = Booking(user_id=user.id, day=day, status=status, **kw)
        BookingEvent(booking=booking, actor_id=user.id, to_status="pending")
        db.session.add(booking)
        db.session.commit()
        return booking.id


def status_of(app, booking_id) -> str:
    with app.app_context():
        return db.session.get(Booking, booking_id).status


# --- the page and the form ----------------------------------------------------------------


def test_page_shows_form_and_my_bookings(app, client, people):
    own = make_booking(app, people.emp, MON)
    make_booking(app, people.mate, TUE)
    make_booking(app, people.emp, date(2026, 11, 2), status="approved")
    login(client, people.emp)
    page = html(client.get("/telework/bookings"))
    assert 'id="start"' in page and 'for="start"' in page
    assert 'name="weekdays"' in page and 'id="for_login"' not in page  # HR only
    upcoming = page.split('id="upcoming"')[1].split("</table>")[0]
    assert f"/telework/bookings/{own}" in upcoming and "2026-11-16" in upcoming
    assert "2026-11-17" not in page  # a colleague's booking is not "mine"
    past = page.split('id="past"')[1].split("</table>")[0]
    assert "2026-11-02" in past and "Approved" in past
    assert f"/telework/bookings/{own}/cancel" in upcoming


def test_hr_gets_the_fields_for_someone_else(client, people):
    login(client, people.hr)
    page = html(client.get("/telework/bookings"))
    assert 'id="for_login"' in page and 'id="override_reason"' in page


def test_book_one_day(app, client, people):
    login(client, people.emp)
    response = book(client, start="2026-11-16", slot="am", place="satellite",
                    purpose="資料作成")
    assert response.status_code == 200
    page = html(response)
    created = page.split('id="created-days"')[1].split("</ul>")[0]
    assert "2026-11-16" in created and "Morning" in created and "Pending" in created
    [row] = bookings(app)
    assert (row.user_id, row.day, row.slot, row.place, row.status, row.purpose) == (
        people.emp.id, MON, "am", "satellite", "pending", "資料作成")
    with app.app_context():
        assert db.session.scalar(select(Notification.user_id).where(
            Notification.event == "telework.booking_requested")) == people.boss.id


def test_range_skips_the_weekend_and_names_the_holiday(app, client, people):
    login(client, people.emp)
    page = html(book(client, mode="range", start="2026-11-20", end="2026-11-24"))
    skipped = page.split('id="skipped-days"')[1].split("</ul>")[0]
    assert "2026-11-21" in skipped and "2026-11-22" in skipped
    assert "Labor Thanksgiving Day" in skipped
    assert [b.day for b in bookings(app)] == [date(2026, 11, 20), date(2026, 11, 24)]
    assert len({b.series_id for b in bookings(app)}) == 1


def test_holiday_name_follows_the_language(app, client, people):
    login(client, people.emp)
    post(client, "/language", {"language": "ja", "next": "/"})
    page = html(book(client, mode="range", start="2026-11-20", end="2026-11-24"))
    assert "勤労感謝の日" in page


def test_weekly_pattern(app, client, people):
    login(client, people.emp)
    response = book(client, mode="weekly", start="2026-11-16", weeks="2", weekdays=["0", "2"])
    assert response.status_code == 200, html(response)
    # Monday 23rd is a holiday: skipped with a notice.
    assert [b.day for b in bookings(app)] == [MON, WED, date(2026, 11, 25)]
    assert "Labor Thanksgiving Day" in html(response)


def test_share_warning_is_shown(app, client, people):
    set_share(app, 30)
    make_booking(app, people.mate, MON)
    login(client, people.emp)
    page = html(book(client, start="2026-11-16"))
    assert 'id="booking-warnings"' in page
    assert "2026-11-16" in page.split('id="booking-warnings"')[1]


def set_share(app, percent):
    with app.app_context():
        hr = db.session.scalar(select(User).where(User.login == "hr"))
        set_policy(None, actor=hr, warn_share_percent=percent)
        db.session.commit()


# --- bad input: 400, the message, nothing written ------------------------------------------

LONG = "あ" * 201

BAD = [
    ({"start": ""}, "Enter the day."),
    ({"start": "2026-13-01"}, "YYYY-MM-DD"),
    ({"start": "next monday"}, "YYYY-MM-DD"),
    ({"start": "1800-01-05"}, "between the years 1900 and 2999"),
    ({"mode": "forever"}, "Choose one day, a range or every week."),
    ({"mode": "range", "end": ""}, "Enter the last day of the range."),
    ({"mode": "range", "end": "2026-11-10"}, "The last day is before the first day."),
    ({"mode": "range", "end": "2027-01-10"}, "at most 31 days"),
    ({"mode": "weekly", "weeks": "", "weekdays": ["0"]}, "Enter the number of weeks."),
    ({"mode": "weekly", "weeks": "two", "weekdays": ["0"]}, "Enter a whole number."),
    ({"mode": "weekly", "weeks": "27", "weekdays": ["0"]}, "Between 1 and 26."),
    ({"mode": "weekly", "weeks": "2"}, "Choose at least one day of the week."),
    ({"mode": "weekly", "weeks": "2", "weekdays": ["6"]}, "Choose days of the week from"),
    ({"mode": "weekly", "weeks": "2", "weekdays": ["mon"]}, "Choose days of the week from"),
    ({"slot": "night"}, "Choose a full day, morning or afternoon."),
    ({"place": "moon"}, "Choose home, a satellite office or another place."),
    ({"place": "other"}, "Say where you will work."),
    ({"place": "other", "place_note": LONG}, "At most 200 characters."),
    ({"place": "other", "place_note": "cafe\u202eexe"}, "text-direction"),
    ({"purpose": "x" * 501}, "At most 500 characters."),
    ({"purpose": "bell\x07"}, "contains control characters"),
    ({"purpose": "<script>alert(1)</script>\x1b"}, "contains control characters"),
    # Rules: the rule's own message.
    ({"start": "2026-11-12"}, "is in the past"),
    ({"start": "2026-11-13"}, "The booking deadline for"),
    ({"start": "2026-11-14"}, "is a weekend day"),
    ({"start": "2026-11-23"}, "public holiday (Labor Thanksgiving Day)"),
    ({"start": "2028-01-05"}, "at most 366 days ahead"),
    ({"mode": "range", "start": "2026-11-21", "end": "2026-11-23"},
     "all weekends or public holidays"),
]


@pytest.mark.parametrize(("data", "message"), BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_booking_input(app, client, people, data, message):
    login(client, people.emp)
    token = csrf_token(client, "/telework/bookings")
    before = snapshot(app)
    form = {"mode": "single", "start": "2026-11-16", "slot": "full", "place": "home", **data}
    response = client.post("/telework/bookings", data={**form, "csrf_token": token})
    assert response.status_code == 400
    assert message in html(response)
    assert snapshot(app) == before


def test_the_refused_form_keeps_what_was_typed(client, people):
    login(client, people.emp)
    page = html(book(client, start="2026-11-14", purpose="会議資料"))
    assert 'id="booking-refused"' in page
    assert 'value="2026-11-14"' in page and "会議資料" in page


def test_overlap_is_refused(app, client, people):
    make_booking(app, people.emp, MON, slot="am")
    login(client, people.emp)
    before = snapshot(app)
    response = book(client, start="2026-11-16", slot="full")
    assert response.status_code == 400
    assert "overlaps" in html(response)
    assert snapshot(app) == before


def test_week_limit_names_the_rule(app, client, people):
    with app.app_context():
        hr = db.session.get(User, people.hr.id)
        set_policy(None, actor=hr, max_days_per_week=1)
        db.session.commit()
    login(client, people.emp)
    before = snapshot(app)
    response = book(client, mode="range", start="2026-11-16", end="2026-11-17")
    assert response.status_code == 400
    assert "At most 1 remote days a week" in html(response)
    assert snapshot(app) == before


def test_missing_csrf_token_writes_nothing(app, client, people):
    login(client, people.emp)
    before = snapshot(app)
    response = client.post("/telework/bookings", data={"mode": "single", "start": "2026-11-16",
                                                       "slot": "full", "place": "home"})
    assert response.status_code == 400
    assert snapshot(app) == before


def test_an_employee_cannot_book_for_someone_else(app, client, people):
    login(client, people.emp)
    response = book(client, start="2026-11-16", for_login="mate", override_reason="x")
    assert response.status_code == 200  # the fields are not theirs: ignored
    assert [b.user_id for b in bookings(app)] == [people.emp.id]


# --- HR: for someone else, with an override ------------------------------------------------


def test_hr_books_for_someone_else_with_an_override(app, client, people):
    login(client, people.hr)
    response = book(client, start="2026-11-13", for_login="EMP",
                    override_reason="急な在宅勤務の指示")
    assert response.status_code == 200, html(response)
    assert "山田 花子" in html(response)
    [row] = bookings(app)
    assert (row.user_id, row.day, row.override_reason) == (people.emp.id, NOW.date(),
                                                           "急な在宅勤務の指示")
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.target).where(
            AuditEvent.event == "telework.override")) == "emp"


@pytest.mark.parametrize(("data", "message"), [
    ({"for_login": "nobody"}, "No active account has this login ID."),
    ({"for_login": "x" * 65}, "At most 64 characters."),
    ({"override_reason": "because"}, "only be overridden when booking for someone else"),
    ({"for_login": "emp", "start": "2026-11-12"}, "is in the past"),
])
def test_hr_bad_input(app, client, people, data, message):
    login(client, people.hr)
    token = csrf_token(client, "/telework/bookings")
    before = snapshot(app)
    form = {"mode": "single", "start": "2026-11-16", "slot": "full", "place": "home", **data}
    response = client.post("/telework/bookings", data={**form, "csrf_token": token})
    assert response.status_code == 400
    assert message in html(response)
    assert snapshot(app) == before


def test_deactivated_person_cannot_be_booked_for(app, client, people, make_user):
    gone = make_user("gone", department="JINJI", active=False)
    login(client, people.hr)
    response = book(client, start="2026-11-16", for_login=gone.login)
    assert response.status_code == 400
    assert bookings(app) == []


# --- one booking: details and history -------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [
    ("emp", 200), ("boss", 200), ("hr", 200), ("admin", 200), ("mate", 404), ("zboss", 404)])
def test_details_are_for_owner_approvers_and_office(app, client, people, who, status):
    booking_id = make_booking(app, people.emp, MON, purpose="秘密の用事")
    login(client, getattr(people, who))
    response = client.get(f"/telework/bookings/{booking_id}")
    assert response.status_code == status
    if status == 200:
        assert "秘密の用事" in html(response)
    else:
        assert "秘密の用事" not in html(response)


def test_unknown_booking_is_404(client, people):
    login(client, people.emp)
    assert client.get("/telework/bookings/999999").status_code == 404


def test_history_lists_every_change(app, client, people):
    login(client, people.emp)
    book(client, start="2026-11-16")
    booking_id = bookings(app)[0].id
    relogin(client, people.boss)
    post(client, f"/telework/bookings/{booking_id}/approve", {"comment": "どうぞ",
                                                             "back": "booking"})
    page = html(client.get(f"/telework/bookings/{booking_id}"))
    history = page.split('id="history"')[1].split("</table>")[0]
    assert "Pending → Approved" in history and "どうぞ" in history
    assert "鈴木 課長" in history and "山田 花子" in history


# --- cancelling ------------------------------------------------------------------------------


def test_owner_cancels_from_the_list(app, client, people):
    booking_id = make_booking(app, people.emp, MON)
    login(client, people.emp)
    response = post(client, f"/telework/bookings/{booking_id}/cancel", {"back": "bookings"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/telework/bookings")
    assert status_of(app, booking_id) == "cancelled"


def test_a_manager_must_give_a_reason_to_cancel(app, client, people):
    booking_id = make_booking(app, people.emp, MON, status="approved")
    login(client, people.boss)
    before = snapshot(app)
    response = post(client, f"/telework/bookings/{booking_id}/cancel", {"reason": ""})
    assert response.status_code == 400
    assert "Reason is required." in html(response)
    assert snapshot(app) == before
    response = post(client, f"/telework/bookings/{booking_id}/cancel", {"reason": "業務都合"})
    assert response.status_code == 303
    assert status_of(app, booking_id) == "cancelled"


@pytest.mark.parametrize(("who", "status"), [("mate", 403), ("zboss", 404)])
def test_others_cannot_cancel(app, client, people, who, status):
    booking_id = make_booking(app, people.emp, MON)
    login(client, getattr(people, who))
    before = snapshot(app)
    response = post(client, f"/telework/bookings/{booking_id}/cancel", {"reason": "x"})
    assert response.status_code == status
    assert snapshot(app) == before


def test_cancelling_twice_says_so(app, client, people):
    booking_id = make_booking(app, people.emp, MON, status="cancelled")
    login(client, people.emp)
    response = post(client, f"/telework/bookings/{booking_id}/cancel", {})
    assert response.status_code == 409
    assert "already Cancelled" in html(response)


def test_cancel_reason_too_long(app, client, people):
    booking_id = make_booking(app, people.emp, MON)
    login(client, people.emp)
    response = post(client, f"/telework/bookings/{booking_id}/cancel", {"reason": "x" * 501})
    assert response.status_code == 400
    assert status_of(app, booking_id) == "pending"


# --- approvals -------------------------------------------------------------------------------


def test_approvals_page_lists_what_i_may_decide(app, client, people):
    mine = make_booking(app, people.emp, MON, purpose="研修準備")
    make_booking(app, people.zboss, MON)
    make_booking(app, people.mate, TUE, status="approved")
    login(client, people.boss)
    page = html(client.get("/telework/approvals"))
    table = page.split('id="approvals"')[1].split("</table>")[0]
    assert f'id="booking-{mine}"' in table and "研修準備" in table
    assert table.count("<tr id=") == 1
    # Every checkbox and comment box has its own label.
    for control in re.findall(r'<input[^>]+type="(?:checkbox|text)"[^>]*>', table):
        control_id = re.search(r'id="([^"]+)"', control).group(1)
        assert f'for="{control_id}"' in table, control


@pytest.mark.parametrize(("who", "status"), [("emp", 403), ("hr", 403), ("admin", 200)])
def test_approvals_page_access(client, people, who, status):
    login(client, getattr(people, who))
    assert client.get("/telework/approvals").status_code == status


def test_approve_one(app, client, people):
    booking_id = make_booking(app, people.emp, MON)
    login(client, people.boss)
    response = post(client, f"/telework/bookings/{booking_id}/approve", {"back": "approvals"},
                    form_page="/telework/approvals")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/telework/approvals")
    assert status_of(app, booking_id) == "approved"
    with app.app_context():
        note = db.session.scalar(select(Notification).where(
            Notification.event == "telework.booking_approved"))
        assert note.user_id == people.emp.id and note.url == f"/telework/bookings/{booking_id}"


def test_reject_needs_a_comment(app, client, people):
    booking_id = make_booking(app, people.emp, MON)
    login(client, people.boss)
    before = snapshot(app)
    response = post(client, f"/telework/bookings/{booking_id}/reject", {"comment": ""},
                    form_page="/telework/approvals")
    assert response.status_code == 400
    page = html(response)
    assert f'id="comment-{booking_id}-error"' in page and "Comment is required." in page
    assert snapshot(app) == before
    response = post(client, f"/telework/bookings/{booking_id}/reject",
                    {"comment": "人員不足のため"}, form_page="/telework/approvals")
    assert response.status_code == 303
    assert status_of(app, booking_id) == "rejected"


def test_reject_comment_bad_input_on_the_booking_page(app, client, people):
    booking_id = make_booking(app, people.emp, MON)
    login(client, people.boss)
    response = post(client, f"/telework/bookings/{booking_id}/reject",
                    {"comment": "x" * 501, "back": "booking"})
    assert response.status_code == 400
    assert "At most 500 characters." in html(response)
    assert status_of(app, booking_id) == "pending"


@pytest.mark.parametrize(("who", "status"), [
    ("emp", 403), ("mate", 403), ("hr", 403), ("zboss", 404), ("admin", 303)])
def test_who_may_approve(app, client, people, who, status):
    booking_id = make_booking(app, people.emp, MON)
    login(client, getattr(people, who))
    before = snapshot(app)
    response = post(client, f"/telework/bookings/{booking_id}/approve", {})
    assert response.status_code == status
    if status != 303:
        assert snapshot(app) == before


def test_approving_a_decided_booking_is_a_conflict(app, client, people):
    booking_id = make_booking(app, people.emp, MON, status="cancelled")
    login(client, people.boss)
    response = post(client, f"/telework/bookings/{booking_id}/approve", {"back": "booking"})
    assert response.status_code == 409
    assert "no longer waiting for a decision" in html(response)


def test_bulk_approve(app, client, people):
    first = make_booking(app, people.emp, MON)
    second = make_booking(app, people.mate, TUE)
    foreign = make_booking(app, people.zboss, WED)
    login(client, people.boss)
    response = post(client, "/telework/approvals", {"ids": [str(first), str(second),
                                                            str(foreign)]},
                    form_page="/telework/approvals")
    assert response.status_code == 303
    assert [status_of(app, i) for i in (first, second, foreign)] == [
        "approved", "approved", "pending"]
    page = html(client.get("/telework/approvals"))
    assert "Approved 2 bookings." in page
    assert f"Booking {foreign} was not approved" in page


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Choose at least one booking."),
    ({"ids": ["abc"]}, "Booking numbers must be whole numbers."),
    ({"ids": ["1"], "comment": "x" * 501}, "At most 500 characters."),
    ({"ids": ["1"], "comment": "a\nb"}, "control characters"),
])
def test_bulk_approve_bad_input(app, client, people, data, message):
    make_booking(app, people.emp, MON)
    login(client, people.boss)
    token = csrf_token(client, "/telework/approvals")
    before = snapshot(app)
    response = client.post("/telework/approvals", data={**data, "csrf_token": token})
    assert response.status_code == 400
    assert message in html(response)
    assert snapshot(app) == before


def test_navigation(client, people):
    login(client, people.emp)
    page = html(client.get("/"))
    assert 'href="/telework/bookings"' in page and 'href="/telework/approvals"' not in page
    relogin(client, people.boss)
    assert 'href="/telework/approvals"' in html(client.get("/"))
