"""The telework journey in a real browser: an employee books a remote day on a phone, the
manager approves it, on the day the employee starts and stops a session on the phone, and HR
sees the month's count rise on the dashboard. Every page on the way is checked with axe-core
(with real data in it) and photographed (test-artifacts/screenshots/).

The clock starts on Tuesday 2026-11-17 10:00 in Tokyo and keeps ticking (a frozen clock would
stop the browser's own timers); the remote day is Wednesday 2026-11-18.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.fixtures_browser import MOBILE, log_in
from tests.pages import check_page, phone, submit
from workhub.extensions import db
from workhub.telework.models import Booking, TeleworkSession

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_hashing")]

TOKYO = ZoneInfo("Asia/Tokyo")
BOOKING_TIME = datetime(2026, 11, 17, 10, 0, tzinfo=TOKYO)
WORK_TIME = datetime(2026, 11, 18, 9, 0, tzinfo=TOKYO)
REMOTE_DAY = date(2026, 11, 18)


def org_count(page) -> int:
    return int(page.locator("#org-actual").inner_text().replace(",", "").strip())


def test_book_approve_work_and_see_the_count_rise(app, new_page, make_department, make_user,
                                                  screenshot, time_machine):
    time_machine.move_to(BOOKING_TIME, tick=True)
    department = make_department("soumu", "総務課", name_en="General Affairs Division")
    employee = make_user("hanako", display_name="山田 花子", department=department)
    manager = make_user("ichiro", roles=("employee", "manager"), display_name="鈴木 一郎",
                        department=department)
    hr = make_user("taro", roles=("hr",), display_name="人事 太郎", department=department)

    # 1. The employee books Wednesday on a phone.
    mobile = phone(new_page)
    log_in(mobile, employee)
    mobile.goto("/telework/bookings")
    check_page(mobile, "the empty booking page on a phone")
    mobile.locator("#start").fill(REMOTE_DAY.isoformat())
    mobile.locator("#slot").select_option("full")
    mobile.locator("#place").select_option("home")
    mobile.locator("#purpose").fill("企画書の作成")
    submit(mobile, "form[action='/telework/bookings']")
    expect(mobile.locator("#created-days")).to_contain_text("2026-11-18")
    expect(mobile.locator("#upcoming")).to_contain_text("2026-11-18")
    expect(mobile.locator("#upcoming .badge.text-bg-warning")).to_have_count(1)  # pending
    check_page(mobile, "the booking result on a phone")
    screenshot(mobile, "1-booked")
    with app.app_context():
        booking = db.session.scalar(select(Booking))
        assert (booking.day, booking.status, booking.purpose) == (REMOTE_DAY, "pending",
                                                                   "企画書の作成")
        booking_id = booking.id

    # 2. The manager approves it on a desktop, then sees it in the team calendar.
    desk = new_page()
    log_in(desk, manager)
    desk.goto("/telework/approvals")
    row = desk.locator(f"#booking-{booking_id}")
    expect(row).to_contain_text("山田 花子")
    expect(row).to_contain_text("企画書の作成")
    check_page(desk, "the approvals page")
    screenshot(desk, "2-approvals")
    desk.set_viewport_size(MOBILE)
    check_page(desk, "the approvals page on a phone")  # the table scrolls in its own box
    screenshot(desk, "2-approvals-narrow")
    desk.set_viewport_size({"width": 1280, "height": 800})
    with desk.expect_navigation():
        row.locator("button.btn-success").click()
    expect(desk.locator("#nothing-to-approve")).to_be_visible()
    with app.app_context():
        assert db.session.get(Booking, booking_id).status == "approved"

    desk.goto("/telework/calendar?month=2026-11")
    today_cell = desk.locator("#calendar td[aria-current='date']")
    expect(today_cell).to_contain_text("17")
    remote_cell = desk.locator("#calendar td").filter(has_text="山田 花子")
    expect(remote_cell).to_have_count(1)
    expect(remote_cell).to_contain_text("18")
    expect(desk.locator("#calendar .holiday")).to_have_count(2)  # 文化の日, 勤労感謝の日
    expect(desk.locator("#calendar")).to_contain_text("勤労感謝の日")
    check_page(desk, "the team calendar")
    screenshot(desk, "3-calendar")

    # The employee sees the decision on the phone, with its history.
    mobile.goto(f"/telework/bookings/{booking_id}")
    expect(mobile.locator("h1 .badge.text-bg-success")).to_have_count(1)  # approved
    expect(mobile.locator("#history")).to_contain_text("鈴木 一郎")
    check_page(mobile, "the booking details on a phone")
    screenshot(mobile, "4-approved")
    mobile.goto("/telework/calendar")
    check_page(mobile, "the team calendar on a phone")
    screenshot(mobile, "4-calendar")

    # 3. On the day: HR notes the month's count; the employee starts and stops a session.
    time_machine.move_to(WORK_TIME, tick=True)
    office = new_page()
    log_in(office, hr)
    office.goto("/telework/")
    before = org_count(office)

    worker = phone(new_page)  # a new day, a new sign-in
    log_in(worker, employee)
    worker.goto("/telework/sessions")
    with worker.expect_navigation():
        worker.locator("#start-button").click()
    expect(worker.locator("#stop-button")).to_be_visible()
    screenshot(worker, "5-working")
    worker.wait_for_timeout(1100)  # a session ends after it starts
    with worker.expect_navigation():
        worker.locator("#stop-button").click()
    expect(worker.locator("#start-button")).to_be_visible()
    check_page(worker, "the sessions page on a phone")
    screenshot(worker, "6-stopped")
    with app.app_context():
        session = db.session.scalar(select(TeleworkSession))
        assert session.booking_id == booking_id and not session.unplanned
        assert session.ended_at is not None and session.day == REMOTE_DAY

    # 4. HR sees the count rise.
    office.reload()
    assert org_count(office) == before + 1
    check_page(office, "the dashboard")
    screenshot(office, "7-dashboard")
