"""Answering on a phone (360 px) in Chromium: the conditional question appears when its
option is chosen, radios work from the keyboard, wrong answers come back with a summary,
axe finds nothing serious on the form (with and without errors) in both languages, the
page never scrolls sideways, and the thank-you page follows."""

from __future__ import annotations

import pytest

from tests.fixtures_browser import MOBILE, log_in, switch_language
from tests.pages import page_problems
from workhub.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_hashing")]


def test_answering_on_a_phone(app, new_page, make_department, make_user, screenshot):
    from tests.surveys.surveys_answer_data import full_survey

    make_department("IT", "情報政策課", name_en="IT Policy Division")
    user = make_user("phone", department="IT", display_name="青木 愛子")
    with app.app_context():
        survey_id = full_survey().id
        db.session.commit()
    page = new_page(MOBILE["width"], MOBILE["height"], mobile=True)
    log_in(page, user)
    page.goto("/surveys/my")
    problems = page_problems(page, "my surveys (ja)")
    with page.expect_navigation():
        page.locator(f'a[href="/surveys/{survey_id}/answer"]').click()

    detail = page.locator("#q-network_detail-block")
    assert detail.is_hidden()
    page.locator("#q-obstacles-network").check()
    assert detail.is_visible()
    problems += page_problems(page, "answer form (ja)")
    screenshot(page, "survey-answer-phone")

    # Submit with nothing chosen: the summary comes first and links to the questions.
    with page.expect_navigation():
        page.locator('button[value="submit"]').click()
    summary = page.locator("#answer-problems")
    assert summary.is_visible() and summary.locator("a").count() == 3
    problems += page_problems(page, "answer form with errors (ja)")
    screenshot(page, "survey-answer-phone-errors")
    switch_language(page, "en")  # back on a fresh form: the language switch is a GET
    page.goto(f"/surveys/{survey_id}/answer")
    problems += page_problems(page, "answer form (en)")

    # The keyboard: a radio takes Space, arrows move within the group.
    page.locator("#q-satisfaction-1").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.locator("#q-satisfaction-3").is_checked()
    page.locator("#q-place-home").check()
    page.locator("#q-obstacles-devices").check()
    assert detail.is_hidden()
    page.locator("#q-tools-chat-4").check()
    page.locator("#q-wishes").fill("週 2 日の在宅勤務")
    page.locator('button[value="submit"]').focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("location.pathname") == f"/surveys/{survey_id}/thanks"
    assert page.locator("#what-is-stored").is_visible()
    problems += page_problems(page, "thank-you page (en)")
    screenshot(page, "survey-thanks-phone")
    assert not problems, "\n".join(problems)
