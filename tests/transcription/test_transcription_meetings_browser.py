"""The secretary's whole journey in Chromium: create a meeting, upload a real clip, watch
the progress bar while the worker really transcribes it, edit a segment, draft the minutes and
download them as docx (parsed back). Each page is checked by axe and photographed at PC and
phone width, and nothing scrolls sideways on the phone. The Record button records with a fake
microphone and uploads when stopped."""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect

from tests.fixtures_browser import DESKTOP, MOBILE, log_in
from tests.pages import page_problems
from tests.transcription.transcription_helpers import MP3_CLIP, instance_dir
from transcription import jobs as transcription_jobs
from workhub.extensions import db
from workhub.jobs.worker import Worker
from workhub.meetings.models import Meeting

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_hashing")]

EDITED = "本日の議題は予算と日程です。"
BAR_MOVED = """() => {
  const bar = document.querySelector('.transcription-status progress');
  return bar !== null && bar.value > 0;
}"""


def look_at(page, screenshot, name: str) -> list[str]:
    """Photograph the page at PC and phone width; axe checks it once (at phone width, where
    the layout is tightest), and nothing may scroll sideways at either width."""
    problems = []
    for size in (DESKTOP, MOBILE):
        page.set_viewport_size(size)
        problems += page_problems(page, f"{name} at {size['width']}px", axe=size is MOBILE)
        screenshot(page, name)
    page.set_viewport_size(DESKTOP)
    return problems


class HeldWorker:
    """The real worker in a thread, held after its first progress report past 0 % until the
    page has shown it (the clip is short: without the hold the job ends between two polls)."""

    def __init__(self, app, monkeypatch):
        self.reported, self.go_on = threading.Event(), threading.Event()
        report = transcription_jobs._Progress.__call__

        def held(progress, done, total):
            report(progress, done, total)
            if done > 0 and not self.reported.is_set():
                self.reported.set()
                self.go_on.wait(30)

        monkeypatch.setattr(transcription_jobs._Progress, "__call__", held)
        self.thread = threading.Thread(target=Worker(app, scheduler=False).run_pending,
                                       name="test-worker", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.go_on.set()
        self.thread.join(60)


def test_secretary_journey_from_upload_to_minutes_docx(app, new_page, make_department,
                                                       make_user, screenshot, tmp_path,
                                                       monkeypatch):
    from docx import Document

    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "WHISPER_MODEL",
                        str(instance_dir() / "models" / "whisper-base"))
    make_department("SEC", "秘書課")
    secretary = make_user("hisho", ("employee", "secretary"), "SEC", display_name="秘書 花子")
    page = new_page()
    log_in(page, secretary)
    page.goto("/meetings/new")
    problems = look_at(page, screenshot, "new-meeting")
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

    # Upload a real Japanese clip; the page shows the queued job with its progress bar.
    page.locator("#recording-file").set_input_files(str(MP3_CLIP))
    with page.expect_navigation():
        page.locator("#upload-form button[type=submit]").click()
    status = page.locator(".transcription-status .status-text")
    expect(page.locator(".transcription-status progress")).to_have_attribute("value", "0")
    problems += look_at(page, screenshot, "meeting-queued")

    # The worker transcribes; the polling script moves the bar, then reloads when done.
    with HeldWorker(app, monkeypatch) as worker:
        assert worker.reported.wait(60), "the worker reported no progress"
        page.wait_for_function(BAR_MOVED)
        assert "%" in status.inner_text()  # "音声の 99% を処理しました" in words as well
        screenshot(page, "meeting-running")
        worker.go_on.set()
        page.locator(".transcription-status progress").wait_for(state="detached")
    assert status.inner_text().strip() == "文字起こしが完了しました。"
    assert page.locator("form[action$='/retry']").count() == 1  # "transcribe again"
    assert page.locator("form[action$='/cancel']").count() == 0
    problems += look_at(page, screenshot, "meeting-transcribed")

    # Edit the first segment in the editor (Ctrl+Enter saves it with fetch).
    with page.expect_navigation():
        page.locator(f"main a[href='/meetings/{meeting_id}/transcript']").first.click()
    first = page.locator("form.segment-form").first
    assert first.locator("textarea").input_value().strip()  # the engine heard something
    first.locator("textarea").fill(EDITED)
    # The clip's segment comes out flagged (low confidence): tick "checked" so the save also
    # clears the mark, and the script takes the note away without a reload.
    flagged = first.locator("[name=checked]").count() == 1
    if flagged:
        first.locator("[name=checked]").check()
    first.locator("textarea").press("Control+Enter")
    expect(first.locator("[name=version]")).to_have_value("2")
    if flagged:
        item = page.locator("li.segment").first
        expect(item.locator(".doubt-note")).to_have_count(0)
        expect(item).not_to_have_class(re.compile(r"segment-doubtful"))
    problems += look_at(page, screenshot, "transcript-editor")

    # Draft the minutes from the transcript, then download them as Word.
    with page.expect_navigation():
        page.locator(f"main a[href='/meetings/{meeting_id}/minutes']").first.click()
    with page.expect_navigation():
        page.locator("#generate-form button[type=submit]").click()
    expect(page.locator("#minutes-table")).to_contain_text(EDITED)
    problems += look_at(page, screenshot, "minutes-draft")
    with page.expect_download() as download:
        page.locator("a[href$='/minutes/export.docx']").click()
    saved = tmp_path / "minutes.docx"
    download.value.save_as(saved)
    document = Document(str(saved))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])
    assert "会議名" in text and "課内会議" in text and EDITED in text
    page.goto("/meetings/")
    problems += look_at(page, screenshot, "meeting-list")
    assert not problems, "\n".join(problems)


@pytest.fixture
def recording_browser(browser):
    """A second Chromium with a fake microphone (a beeping test signal), allowed at once."""
    from tests.fixtures_browser import CHROMIUM, CHROMIUM_ARGS

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

    from transcription.models import Recording
    from workhub.meetings import services as svc
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
