"""Online-meeting licences in a real browser: IT adds a Zoom host licence in the form on a PC,
then a secretary opens her meeting's licences on a phone, books the free one in one tap and
sends the invitation.
Every page is checked with axe-core and for sideways scrolling, in Japanese (the staff's
language) and photographed (test-artifacts/screenshots/)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.fixtures_browser import log_in
from tests.pages import check_page, phone, submit
from workhub.extensions import db
from workhub.meetings import services as meetings
from workhub.online_meetings.models import Licence, LicenceBooking
from workhub.org.models import User

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_hashing")]
# Still to come whenever the suite runs (the browser needs a clock that ticks).
STARTS = datetime(2035, 6, 4, 1, 0, tzinfo=UTC)


def test_it_adds_a_licence_and_a_secretary_books_it(app, new_page, make_department, make_user,
                                                    screenshot):
    make_department("HISHO", "秘書課", name_en="Secretariat")
    make_department("JOHO", "情報政策課", name_en="IT Policy Division")
    it = make_user("yumi", roles=("employee", "it_admin"), display_name="田中 由美",
                   department="JOHO")
    secretary = make_user("kana", roles=("employee", "secretary"), display_name="佐藤 加奈",
                          department="HISHO")
    make_user("taro", display_name="山本 太郎", department="HISHO")

    # 1. IT adds a pooled Zoom licence on a PC.
    desk = new_page()
    log_in(desk, it)
    desk.goto("/online-meetings/licences/new")
    check_page(desk, "the new licence form")
    desk.locator("#name").fill("Zoom 会議用 1")
    desk.locator("#tool").select_option("zoom")
    desk.locator("#capacity").fill("100")
    desk.locator("#contract_ref").fill("R8-情政-012")
    desk.locator("#contract_end").fill("2036-03-31")
    desk.locator("#monthly_cost_yen").fill("2200")
    desk.locator("#paying_department").select_option("JOHO")
    screenshot(desk, "1-form")
    submit(desk, "main form")
    expect(desk.locator("#licences")).to_contain_text("Zoom 会議用 1")
    check_page(desk, "the licence list")
    screenshot(desk, "2-list")

    with app.app_context():
        organiser = db.session.get(User, secretary.id)
        meeting = meetings.create_meeting(organiser, meetings.MeetingData(
            title="市民窓口オンライン化 検討会", starts_at=STARTS,
            ends_at=STARTS.replace(hour=2), online_tool="zoom", logins=["taro"]))
        db.session.commit()
        meeting_id = meeting.id

    # 2. The secretary books it on a phone.
    mobile = phone(new_page)
    log_in(mobile, secretary)
    mobile.goto(f"/online-meetings/meetings/{meeting_id}/licences")
    expect(mobile.locator("#free")).to_contain_text("Zoom 会議用 1")
    check_page(mobile, "the meeting's licences on a phone")
    screenshot(mobile, "3-free")
    submit(mobile, "#free form")
    expect(mobile.locator("#held")).to_contain_text("Zoom 会議用 1")
    check_page(mobile, "the booked licence on a phone")
    screenshot(mobile, "4-booked")
    # 3. She sends the invitation to the participant.
    submit(mobile, "#h-invite ~ div form")
    expect(mobile.locator("#invitation-state")).to_contain_text("1 人へ送りました")
    check_page(mobile, "the invitation sent, on a phone")
    screenshot(mobile, "5-invited")
    with app.app_context():
        booking = db.session.scalar(select(LicenceBooking))
        assert booking.meeting_id == meeting_id
        assert db.session.get(Licence, booking.licence_id).name == "Zoom 会議用 1"


def test_a_secretary_rates_a_meeting_held_and_hr_compares(app, new_page, make_department,
                                                          make_user, screenshot):
    make_department("HISHO", "秘書課", name_en="Secretariat")
    secretary = make_user("kana", roles=("employee", "secretary"), display_name="佐藤 加奈",
                          department="HISHO")
    hr = make_user("jinji", roles=("employee", "hr"), display_name="人事 花子",
                   department="HISHO")
    with app.app_context():
        held = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
        meeting = meetings.create_meeting(db.session.get(User, secretary.id), meetings.MeetingData(
            title="防災訓練 振り返り", starts_at=held, ends_at=held.replace(hour=2),
            online_tool="teams"))
        db.session.commit()
        meeting_id = meeting.id
    mobile = phone(new_page)
    log_in(mobile, secretary)
    mobile.goto(f"/online-meetings/meetings/{meeting_id}/licences")
    mobile.locator("label[for=sound-3]").click()
    mobile.locator("label[for=picture-4]").click()
    mobile.locator("#trouble").check()
    check_page(mobile, "the rating form on a phone")
    screenshot(mobile, "1-rating")
    submit(mobile, "form[action$='/rating']")
    expect(mobile.locator("#rating-state")).to_contain_text("音声 4、映像 5")
    desk = new_page()
    log_in(desk, hr)
    desk.goto("/online-meetings/comparison")
    expect(desk.locator("#by-tool")).to_contain_text("Microsoft Teams")
    check_page(desk, "the comparison")
    screenshot(desk, "2-comparison")
    desk.goto("/online-meetings/figures?month=2026-06")
    expect(desk.locator("#month-total")).to_contain_text("オンライン会議 1 件")
    check_page(desk, "the monthly figure")
    screenshot(desk, "3-figures")
