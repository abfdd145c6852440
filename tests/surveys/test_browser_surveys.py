"""The survey journey in a real browser (issue 6): HR builds a survey from the telework and
work-style template, lowers k to 3 and publishes it; an employee answers on a phone
(360 px); three colleagues answer through the service; HR sees the results: counts with
"< k" for small groups, the free-text words in Japanese, a chart, a cross-tab by bureau,
and the same page on a phone. Every page on the way is checked with axe-core and
photographed (test-artifacts/screenshots/)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from surveys import answering
from surveys.jobs import release_due
from surveys.models import Survey, SurveyParticipation, SurveyResponse
from tests.fixtures_browser import MOBILE, log_in
from tests.pages import check_page
from workhub.extensions import db
from workhub.org.models import User

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_hashing")]

WISH = "自宅のネットワークが遅く、Web会議が途切れる"
COLLEAGUES = [
    ("w1_2", 4, ["network"], "通信環境が不安定で会議が途切れる", "general_affairs"),
    ("w1_2", 5, ["network", "devices"], "自宅のネットワークが遅い", "general_affairs"),
    ("w3_4", 2, ["paper"], "紙の書類と押印をなくしてほしい", "finance"),
]


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


def test_build_from_template_answer_on_a_phone_and_see_results(app, new_page, make_department,
                                                                make_user, screenshot):
    make_department("soumu", "総務課", name_en="General Affairs Division")
    hr = make_user("jinji", roles=("employee", "hr"), display_name="人事 花子",
                   department="soumu")
    employee = make_user("aoki", display_name="青木 愛子", department="soumu")
    colleagues = [make_user(f"colleague{n}", department="soumu") for n in range(3)]

    # 1. HR builds the survey from the template, sets k = 3 and publishes it.
    desk = new_page()
    log_in(desk, hr)
    desk.goto("/surveys/build/new")
    check_page(desk, "the new survey page")
    desk.locator("input[name=source][value=telework]").check()
    submit(desk, "main form button[type=submit]")
    survey_id = int(re.search(r"/surveys/(\d+)/edit", desk.url).group(1))
    desk.locator("#min_group_size").fill("3")
    submit(desk, "#settings button[type=submit]")
    expect(desk.locator("#min_group_size")).to_have_value("3")
    submit(desk, "#publish")
    expect(desk.locator("#survey-status")).to_have_class(re.compile("text-bg-success"))
    check_page(desk, "the published survey")
    screenshot(desk, "1-published")
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        assert (survey.status, survey.min_group_size, survey.anonymous) == (
            "published", 3, True)

    # 2. The employee answers on a phone.
    phone = new_page(MOBILE["width"], MOBILE["height"], mobile=True)
    log_in(phone, employee)
    phone.goto("/surveys/my")
    check_page(phone, "my surveys on a phone")
    submit(phone, f'a[href="/surveys/{survey_id}/answer"]')
    check_page(phone, "the template survey on a phone")
    screenshot(phone, "2-answer-form")
    phone.locator("#q-telework_frequency-w1_2").check()
    phone.locator("#q-satisfaction-4").check()
    phone.locator("#q-satisfaction_items-focus-4").check()
    phone.locator("#q-productivity-6").check()
    phone.locator("#q-obstacles-network").check()
    phone.locator("#q-obstacles-home").check()
    phone.locator("#q-wishes").fill(WISH)
    phone.locator("#q-bureau-general_affairs").check()
    submit(phone, 'button[value="submit"]')
    assert phone.evaluate("location.pathname") == f"/surveys/{survey_id}/thanks"
    check_page(phone, "the thank-you page on a phone")
    screenshot(phone, "3-thanks")

    # 3. Three colleagues answer through the service: four respondents, k = 3.
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        for info, (freq, sat, obstacles, wish, bureau) in zip(colleagues, COLLEAGUES,
                                                             strict=True):
            answering.submit(survey, db.session.get(User, info.id), {
                "telework_frequency": freq, "satisfaction": sat, "obstacles": obstacles,
                "wishes": wish, "bureau": bureau})
        db.session.commit()
        # Four answers wait in the pool until the release job lets them in as one batch.
        assert db.session.scalar(select(db.func.count()).select_from(SurveyResponse)) == 0
    desk.goto(f"/surveys/{survey_id}/results")
    expect(desk.locator("#snapshot-note")).to_contain_text("4")
    with app.app_context():
        assert release_due() == {"surveys": 1, "released": 4}
        assert db.session.scalar(select(db.func.count()).select_from(SurveyResponse)) == 4
        assert db.session.scalar(select(db.func.count()).select_from(
            SurveyParticipation)) == 4
        assert db.session.scalars(select(SurveyResponse.user_id)).all() == [None] * 4

    # 4. HR sees the results.
    desk.goto(f"/surveys/{survey_id}/results")
    expect(desk.locator("#respondents")).to_have_text("4")
    satisfaction = desk.locator("#q-satisfaction table").first
    expect(satisfaction).to_contain_text("< k")  # 1 chose 2, 1 chose 5: hidden
    frequency = desk.locator("#q-telework_frequency table").first
    expect(frequency.locator("tr", has_text="ほぼ毎日")).to_contain_text("0.0%")
    # 3 chose 1–2 days a week, 1 chose 3–4: that 1 is hidden, and the 3 as its partner.
    expect(frequency.locator("tr", has_text="週3〜4日")).to_contain_text("< k")
    expect(frequency.locator("tr", has_text="週1〜2日")).to_contain_text("< k")
    network = desk.locator("#q-obstacles table tr", has_text="通信環境")
    expect(network).to_contain_text("3")
    expect(network).to_contain_text("75.0%")
    words = desk.locator("#q-wishes table").nth(1)
    expect(words).to_contain_text("ネットワーク")
    expect(words).to_contain_text("会議")
    chart = desk.locator("#q-obstacles img.chart")
    chart.scroll_into_view_if_needed()  # loaded lazily
    expect(chart).to_be_visible()
    assert desk.evaluate("img => img.complete && img.naturalWidth > 0", chart.element_handle())
    check_page(desk, "the results page")
    screenshot(desk, "4-results")

    desk.locator("#by").select_option("question:bureau")
    submit(desk, "#selection button[type=submit]")
    crosstab = desk.locator("#q-satisfaction table").nth(1)
    expect(crosstab).to_contain_text("総務局")
    expect(crosstab).to_contain_text("< k")  # 1 answered from the finance bureau
    check_page(desk, "the results cross-tabbed by bureau")
    screenshot(desk, "5-by-bureau")

    hr_phone = new_page(MOBILE["width"], MOBILE["height"], mobile=True)
    log_in(hr_phone, hr)
    hr_phone.goto(f"/surveys/{survey_id}/results?by=question:bureau")
    expect(hr_phone.locator("#respondents")).to_have_text("4")
    check_page(hr_phone, "the results on a phone")
    screenshot(hr_phone, "6-results-phone")
