"""The meeting pages in Chromium on a phone (360 px): a secretary creates a meeting, uploads
a recording through the form, the progress script follows the job until the page shows it
transcribed; the Record button appears where the browser can record; axe finds nothing
serious and nothing scrolls sideways."""

from __future__ import annotations

import pytest
from fixtures_browser import MOBILE, log_in
from test_browser_axe import BLOCKING, describe, run_axe
from transcription_helpers import instance_dir
from transcription_meetings_helpers import tone

from transcription.models import Meeting
from workhub.extensions import db
from workhub.jobs.worker import Worker

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_hashing")]


def check_page(page, where: str) -> list[str]:
    problems = []
    blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    if blocking:
        problems.append(f"{where}:\n{describe(blocking)}")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    if width > MOBILE["width"]:
        problems.append(f"{where} scrolls sideways ({width}px wide)")
    return problems


def test_secretary_creates_uploads_and_watches_progress(app, new_page, make_department,
                                                        make_user, screenshot, tmp_path,
                                                        monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "WHISPER_MODEL",
                        str(instance_dir() / "models" / "whisper-base"))
    make_department("SEC", "秘書課")
    secretary = make_user("hisho", ("employee", "secretary"), "SEC", display_name="秘書 花子")
    page = new_page(MOBILE["width"], MOBILE["height"], mobile=True)
    log_in(page, secretary)
    page.goto("/meetings/new")
    problems = check_page(page, "new meeting")
    page.locator("#title").fill("課内会議")
    page.locator("#day").fill("2026-12-01")
    page.locator("#start").fill("10:00")
    page.locator("#agenda").fill("予算\n日程")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    with app.app_context():
        meeting_id = db.session.scalar(db.select(Meeting.id))
    assert page.evaluate("location.pathname") == f"/meetings/{meeting_id}"
    assert page.locator("#recorder").is_visible()  # Chromium has MediaRecorder
    page.locator("#recording-file").set_input_files(str(tone(tmp_path / "rec.wav", 1.0)))
    with page.expect_navigation():
        page.locator("#upload-form button[type=submit]").click()
    status = page.locator(".transcription-status .status-text")
    assert page.locator("progress").count() == 1
    problems += check_page(page, "meeting with a queued recording")
    screenshot(page, "meeting-queued-phone")
    # The worker runs the job; the polling script reloads the page when it is done.
    Worker(app, scheduler=False).run_pending()
    page.locator("progress").wait_for(state="detached", timeout=15000)
    assert status.inner_text().strip()  # the outcome in words
    assert page.locator("form[action$='/retry']").count() == 1  # "transcribe again"
    assert page.locator("form[action$='/cancel']").count() == 0
    assert page.locator("audio").count() == 1
    problems += check_page(page, "meeting transcribed")
    screenshot(page, "meeting-transcribed-phone")
    page.goto("/meetings/")
    problems += check_page(page, "meeting list")
    assert not problems, "\n".join(problems)


@pytest.fixture
def recording_browser(browser):
    """A second Chromium with a fake microphone (a beeping test signal), allowed at once."""
    from fixtures_browser import CHROMIUM, CHROMIUM_ARGS

    chromium = browser.browser_type.launch(
        executable_path=str(CHROMIUM), headless=True,
        args=[*CHROMIUM_ARGS, "--use-fake-device-for-media-stream",
              "--use-fake-ui-for-media-stream"])
    yield chromium
    chromium.close()


def test_record_in_the_browser_and_upload_when_stopped(app, live_server, recording_browser,
                                                       make_department, make_user, tmp_path,
                                                       monkeypatch):
    from datetime import UTC, datetime

    from transcription import meetings as svc
    from transcription.models import Recording
    from workhub.org.models import User

    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    make_department("SEC", "秘書課")
    secretary = make_user("rokuon", ("employee", "secretary"), "SEC")
    with app.app_context():
        actor = db.session.scalar(db.select(User).where(User.login == "rokuon"))
        meeting_id = svc.create_meeting(actor, svc.MeetingData(
            title="録音会議", starts_at=datetime(2026, 12, 1, 1, 0, tzinfo=UTC))).id
        db.session.commit()
    context = recording_browser.new_context(base_url=live_server.url, locale="ja-JP")
    context.grant_permissions(["microphone"])
    page = context.new_page()
    try:
        log_in(page, secretary)
        page.goto(f"/meetings/{meeting_id}")
        page.locator("#record-start").click()
        page.locator("#record-stop:not([disabled])").wait_for()
        page.wait_for_timeout(1500)
        with page.expect_navigation():
            page.locator("#record-stop").click()
        page.locator(".transcription-status").wait_for()
        with app.app_context():
            recording = db.session.scalar(db.select(Recording))
            assert recording.meeting_id == meeting_id
            assert recording.original_name.startswith("recording.")
            assert recording.duration > 1.0 and recording.job_id is not None
    finally:
        context.close()
