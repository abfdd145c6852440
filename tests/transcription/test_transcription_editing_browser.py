"""The transcript editor in Chromium: a segment saved from the keyboard (Ctrl+Enter) with
fetch shows "saved" and moves its version; a save that lost to someone else's shows the 409
message with the current text, keeps the person's text in the box and saves knowingly the
second time; the minutes page drafts from the transcript; axe finds nothing serious, and
nothing scrolls sideways on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.fixtures_browser import MOBILE, log_in
from tests.pages import page_problems
from tests.transcription.transcription_editor_web import editor_app, editor_world  # noqa: F401
from transcription.models import Segment
from workhub.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_hashing")]


def test_editing_from_the_keyboard_and_a_lost_race(app, world, new_page, screenshot):
    page = new_page(MOBILE["width"], MOBILE["height"], mobile=True)
    log_in(page, _sec(app))
    page.goto(f"/meetings/{world.meeting_id}/transcript")
    problems = page_problems(page, "transcript editor")
    first = world.segment_ids[0]
    form = page.locator(f"#seg-{first} form.segment-form")
    box = page.locator(f"#text-{first}")
    box.fill("本日は予算の件です。")
    box.press("Control+Enter")
    expect(form.locator("[name=version]")).to_have_value("2")
    assert form.locator(".save-status").inner_text() != ""
    with app.app_context():
        assert db.session.get(Segment, first).text == "本日は予算の件です。"
        # Someone else saves the same segment meanwhile.
        other = db.session.get(Segment, first)
        other.text = "他の人の文"
        db.session.commit()
    box.fill("私の新しい文")
    form.locator("button[type=submit]").click()
    status = form.locator(".save-status.text-danger")
    status.wait_for()
    assert "他の人の文" in status.inner_text()
    assert box.input_value() == "私の新しい文"  # nothing typed is lost
    screenshot(page, "transcript-editor-409")
    with app.app_context():
        assert db.session.get(Segment, first).text == "他の人の文"
    box.press("Control+Enter")  # saved knowingly, against the current version
    expect(form.locator("[name=version]")).to_have_value("4")
    with app.app_context():
        assert db.session.get(Segment, first).text == "私の新しい文"

    page.goto(f"/meetings/{world.meeting_id}/minutes")
    with page.expect_navigation():
        page.locator("#generate-form button[type=submit]").click()
    assert page.locator("#minutes-table").is_visible()
    problems += page_problems(page, "minutes")
    screenshot(page, "minutes-draft-phone")
    for path, where in (("/meetings/glossary", "glossary"), ("/meetings/search?q=予算", "search"),
                        (f"/meetings/{world.meeting_id}/minutes/print", "minutes print view")):
        page.goto(path)
        problems += page_problems(page, where)
    assert page.locator("dl dt").count() == 11  # every heading of the layout
    assert not problems, "\n".join(problems)


def _sec(app):
    from tests.office import TEST_PASSWORD, UserInfo

    return UserInfo(0, "sec", TEST_PASSWORD, {"secretary"}, "GEN")
