"""Devices in a real browser. The journey: an employee requests a laptop on a phone, the
manager approves, IT lends one from stock against the request, the employee confirms receipt
accepting the loan terms, IT records the return. Then, with the demo office's devices and
loans, IT reads the reports (on a PC and a phone) and prints asset labels. Every page is
checked with axe-core and photographed (test-artifacts/screenshots/).
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.fixtures_browser import MOBILE, log_in
from tests.pages import check_page, phone, submit
from workhub.clock import office_today
from workhub.demo import load_demo
from workhub.devices import inventory, terms
from workhub.devices.models import Allocation, Device, DeviceRequest
from workhub.extensions import db
from workhub.org.models import User

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_hashing")]

DEMO_PASSWORD = "Demo-Password-2026"


@pytest.fixture
def demo(app):
    with app.app_context():
        load_demo(DEMO_PASSWORD)
        db.session.commit()


def demo_user(login: str):
    return SimpleNamespace(login=login, password=DEMO_PASSWORD)


TERMS_JA = "貸与されたノートパソコンは業務目的にのみ使用すること。"


def test_request_lend_confirm_and_return(app, new_page, make_department, make_user, screenshot):
    department = make_department("SOUMU", "総務課", name_en="General Affairs Division")
    make_department("JOHO", "情報システム課")
    employee = make_user("hanako", display_name="山田 花子", department=department)
    manager = make_user("ichiro", roles=("employee", "manager"), display_name="鈴木 一郎",
                        department=department)
    it = make_user("yumi", roles=("employee", "it_admin"), display_name="田中 由美",
                   department="JOHO")
    with app.app_context():
        staff = db.session.get(User, it.id)
        terms.set_terms("laptop", TERMS_JA, "Use the lent laptop for work only.", staff)
        laptop = inventory.create_device({"asset_tag": "CITY-LT-0042", "kind": "laptop",
                                          "maker": "Panasonic", "model": "Let's note SV1",
                                          "serial": "SV1-0042"}, staff)
        db.session.commit()
        laptop_id = laptop.id
    last_day = office_today() + timedelta(days=30)

    # 1. The employee asks for a laptop on a phone.
    mobile = phone(new_page)
    log_in(mobile, employee)
    mobile.goto("/devices/requests/new")
    check_page(mobile, "the request form on a phone")
    mobile.locator("#kind").select_option("laptop")
    mobile.locator("#end_date").fill(last_day.isoformat())
    mobile.locator("#purpose").fill("在宅勤務（週2日）で窓口予約システムの設定作業を行うため")
    submit(mobile, "main form[action='/devices/requests/new']")
    with app.app_context():
        request = db.session.scalar(select(DeviceRequest))
        assert (request.user_id, request.kind, request.status) == (employee.id, "laptop",
                                                                   "pending")
        request_id = request.id
    expect(mobile.locator("main")).to_contain_text("窓口予約システム")
    check_page(mobile, "the request on a phone")
    screenshot(mobile, "1-requested")

    # 2. The manager approves it.
    desk = new_page()
    log_in(desk, manager)
    desk.goto(f"/devices/requests/{request_id}")
    check_page(desk, "the request as its approver sees it")
    submit(desk, f"form[action='/devices/requests/{request_id}/approve']")
    with app.app_context():
        assert db.session.get(DeviceRequest, request_id).status == "approved"
    screenshot(desk, "2-approved")

    # 3. IT lends the laptop in stock against the request.
    office = new_page()
    log_in(office, it)
    office.goto(f"/devices/requests/{request_id}")
    check_page(office, "the request as IT sees it")
    office.locator("#item").select_option(f"d:{laptop_id}")
    expect(office.locator("#due_date")).to_have_value(last_day.isoformat())
    office.locator("#handover_notes").fill("ACアダプター付き")
    submit(office, f"form[action='/devices/requests/{request_id}/fulfil']")
    with app.app_context():
        loan = db.session.scalar(select(Allocation))
        assert (loan.user_id, loan.device_id, loan.due_date, loan.request_id) == (
            employee.id, laptop_id, last_day, request_id)
        assert db.session.get(Device, laptop_id).status == "allocated"
        assert db.session.get(DeviceRequest, request_id).status == "fulfilled"
        loan_id = loan.id
    expect(office).to_have_url(f"/devices/allocations/{loan_id}")
    check_page(office, "the new loan")
    screenshot(office, "3-lent")

    # 4. The employee confirms receipt on the phone, accepting the terms.
    mobile.goto("/devices/my-items")
    expect(mobile.locator("main")).to_contain_text("CITY-LT-0042")
    check_page(mobile, "my items on a phone")
    with mobile.expect_navigation():
        mobile.locator(f"a[href='/devices/my-items/{loan_id}/confirm']").click()
    expect(mobile.locator("#terms-text")).to_contain_text(TERMS_JA)
    check_page(mobile, "the receipt confirmation on a phone")
    screenshot(mobile, "4-terms")
    mobile.locator("#accept").check()
    submit(mobile, f"main form[action='/devices/my-items/{loan_id}/confirm']")
    with app.app_context():
        loan = db.session.get(Allocation, loan_id)
        assert loan.confirmed_at is not None and loan.terms_version == 1
    screenshot(mobile, "4-confirmed")

    # 5. IT records the return: the laptop is back in stock.
    office.goto(f"/devices/allocations/{loan_id}")
    expect(office.locator("main")).to_contain_text("山田 花子")
    office.locator("#condition").select_option("good")
    submit(office, f"form[action='/devices/allocations/{loan_id}/return']")
    with app.app_context():
        assert db.session.get(Allocation, loan_id).return_condition == "good"
        assert db.session.get(Device, laptop_id).status == "in_stock"
    check_page(office, "the returned loan")
    screenshot(office, "5-returned")

    # 6. IT reads the employee's page: the loan and its whole history, each event with its
    # item (linked to the loan) and the request it came from.
    office.goto(f"/devices/people/{employee.id}")
    history = office.locator("main table").last
    expect(history).to_contain_text("CITY-LT-0042")
    expect(history.locator(f"a[href='/devices/allocations/{loan_id}']").first).to_be_visible()
    expect(history.locator(f"a[href$='/devices/requests/{request_id}']").first).to_be_visible()
    check_page(office, "a person's loans and history")
    screenshot(office, "6-person")
    office.set_viewport_size({"width": MOBILE["width"], "height": MOBILE["height"]})
    check_page(office, "a person's loans and history on a phone width")
    screenshot(office, "6-person-phone")


def test_it_reads_the_reports_and_prints_labels(demo, new_page, screenshot):
    page = new_page()
    log_in(page, demo_user("tanaka.yumi"))
    page.goto("/devices/reports")
    expect(page.locator("h1")).to_have_text("端末・回線レポート")  # Japanese, the default
    expect(page.locator("#table-overdue tbody tr")).to_have_count(2)
    expect(page.locator("#table-cost")).to_contain_text("総務課")
    for name in ("stock", "departments", "cost"):  # the charts load (SVG through <img>)
        chart = page.locator(f"img[src*='/charts/{name}.svg']")
        assert chart.evaluate("img => img.complete && img.naturalWidth > 0"), name
    check_page(page, "the reports page")
    screenshot(page, "reports")
    page.set_viewport_size(MOBILE)
    check_page(page, "the reports page on a phone")  # the tables scroll in their own boxes
    screenshot(page, "reports-narrow")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto("/devices/labels?kind=router")
    expect(page.locator("#label-devices tbody tr")).to_have_count(4)
    check_page(page, "the label list")
    page.locator("#label-devices input[type=checkbox]").nth(0).check()
    page.locator("#label-devices input[type=checkbox]").nth(2).check()
    page.locator("#skip").fill("1")
    with page.expect_navigation():
        page.get_by_role("button", name="選択した端末のラベルを印刷").click()
    expect(page.locator(".asset-label:not(.asset-blank)")).to_have_count(2)
    expect(page.locator(".asset-label svg.qr")).to_have_count(2)
    check_page(page, "the label sheet")
    screenshot(page, "labels")
    # What the printer gets: the sheets alone, at their real size.
    page.emulate_media(media="print")
    assert page.locator("header").is_hidden() and page.locator(".no-print").is_hidden()
    box = page.locator(".label-sheet").bounding_box()
    assert abs(box["width"] - 210 * 96 / 25.4) < 2  # 210 mm at 96 px per inch
    screenshot(page, "labels-print")
