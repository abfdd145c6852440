"""Devices in a real browser, with the demo office's devices and loans: IT reads the reports
and prints asset labels; a manager reads their departments' figures on a phone. Every page
is checked with axe-core and photographed (test-artifacts/screenshots/).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fixtures_browser import MOBILE, log_in
from playwright.sync_api import expect
from test_browser_telework import check_page

from workhub.extensions import db
from workhub.org.demo import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_hashing")]

DEMO_PASSWORD = "Demo-Password-2026"


@pytest.fixture
def demo(app):
    with app.app_context():
        load_demo(DEMO_PASSWORD)
        db.session.commit()


def demo_user(login: str):
    return SimpleNamespace(login=login, password=DEMO_PASSWORD)


def test_it_reads_the_reports_and_prints_labels(demo, new_page, screenshot):
    page = new_page()
    log_in(page, demo_user("tanaka.yumi"))
    page.goto("/devices/reports")
    expect(page.locator("h1")).to_have_text("Device reports")  # not translated yet
    expect(page.locator("#table-overdue tbody tr")).to_have_count(2)
    expect(page.locator("#table-cost")).to_contain_text("総務課")
    for name in ("stock", "departments", "cost"):  # the charts load (SVG through <img>)
        chart = page.locator(f"img[src*='/charts/{name}.svg']")
        assert chart.evaluate("img => img.complete && img.naturalWidth > 0"), name
    check_page(page, "the reports page")
    screenshot(page, "reports")

    page.goto("/devices/labels?kind=router")
    expect(page.locator("#label-devices tbody tr")).to_have_count(4)
    check_page(page, "the label list")
    page.locator("#label-devices input[type=checkbox]").nth(0).check()
    page.locator("#label-devices input[type=checkbox]").nth(2).check()
    page.locator("#skip").fill("1")
    with page.expect_navigation():
        page.get_by_role("button", name="Print the chosen devices").click()
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


def test_a_manager_reads_their_departments_on_a_phone(demo, new_page, screenshot):
    page = new_page(MOBILE["width"], MOBILE["height"], mobile=True)
    log_in(page, demo_user("yamamoto.hiroshi"))  # 総務課
    page.goto("/devices/reports")
    expect(page.locator("#table-stock")).to_have_count(0)
    expect(page.locator("#table-departments")).to_contain_text("総務課")
    expect(page.locator("#table-departments")).not_to_contain_text("道路課")
    check_page(page, "the reports page of a manager on a phone")
    screenshot(page, "manager")
