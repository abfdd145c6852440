"""The transcription job (once end to end with the real model on a short real clip: segments,
speakers and progress written), cancellation, readable failures, a rerun replacing the
transcript, the glossary as hotwords, and retention deleting only the audio."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.transcription.transcription_helpers import EN_CLIP, instance_dir
from tests.transcription.transcription_meetings_helpers import (  # noqa: F401
    PASSWORD,
    make_meeting,
    org,
    tone,
    user,
)
from transcription import engine
from transcription import jobs as tjobs
from transcription import recordings as rec
from transcription.models import GlossaryTerm, Recording, Segment, Speaker, Transcript
from workhub.auth.models import AuditEvent
from workhub.extensions import db
from workhub.jobs import services as queue
from workhub.jobs.models import Job
from workhub.jobs.registry import JobCancelled
from workhub.jobs.worker import Worker
from workhub.org.models import Department

pytestmark = pytest.mark.usefixtures("english", "org")


def _upload(meeting, data: bytes, name: str = "clip.wav") -> Recording:
    recording = rec.upload_recording(meeting, user("sec"), io.BytesIO(data), name)
    db.session.commit()
    return recording


def test_transcription_end_to_end_with_the_real_model(app, app_ctx, uploads, monkeypatch):
    monkeypatch.setitem(app.config, "WHISPER_MODEL",
                        str(instance_dir() / "models" / "whisper-base"))
    seen: list[tuple[int, str | None]] = []
    real_set_progress = queue.set_progress

    def spy(job_id, worker_id, percent, message):
        seen.append((percent, message))
        return real_set_progress(job_id, worker_id, percent, message)

    monkeypatch.setattr(queue, "set_progress", spy)
    meeting = make_meeting(language="en")
    recording = _upload(meeting, EN_CLIP.read_bytes(), "jfk.wav")
    assert Worker(app, scheduler=False).run_pending() == 1
    db.session.expire_all()
    job = db.session.get(Job, recording.job_id)
    assert job.status == "succeeded", job.error_detail
    transcript = db.session.scalar(select(Transcript).where(
        Transcript.recording_id == recording.id))
    assert transcript.meeting_id == meeting.id and transcript.language == "en"
    assert transcript.model == "whisper-base" and abs(transcript.duration - 11.0) < 0.5
    assert job.result["transcript_id"] == transcript.id
    text = " ".join(s.verbatim for s in transcript.segments).lower()
    assert "ask not what your country can do for you" in text
    starts = [s.start_s for s in transcript.segments]
    assert starts == sorted(starts) and all(s.end_s >= s.start_s for s in transcript.segments)
    assert [s.position for s in transcript.segments] == list(range(len(starts)))
    assert [sp.label for sp in transcript.speakers] == ["1"]  # mono: one speaker to name
    assert all(s.speaker_id == transcript.speakers[0].id and s.text is None
               for s in transcript.segments)
    # Progress: from 0 up, as a share of the audio, with the seconds done.
    percents = [p for p, _m in seen]
    assert percents[0] == 0 and percents == sorted(percents) and percents[-1] >= 90
    assert any("seconds of audio done" in (m or "") for _p, m in seen)


class FakeContext:
    """A job context whose cancel flag is already set."""

    def __init__(self):
        self.progress_calls = []

    def progress(self, percent, message=None):
        self.progress_calls.append(percent)

    def check_cancelled(self):
        raise JobCancelled()


def test_cancelled_job_stops_the_engine_and_writes_nothing(app, app_ctx, uploads, monkeypatch):
    monkeypatch.setitem(app.config, "WHISPER_MODEL",
                        str(instance_dir() / "models" / "whisper-base"))
    recording = _upload(make_meeting(language="en"), EN_CLIP.read_bytes())
    called = []
    real = engine.transcribe

    def watched(*args, **kwargs):
        called.append(kwargs["cancelled"]())
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "transcribe", watched)
    job = db.session.get(Job, recording.job_id)
    with pytest.raises(JobCancelled):
        tjobs.transcribe_recording(job, FakeContext())
    assert called == [True]
    assert db.session.scalar(select(func.count(Transcript.id))) == 0


def test_cancel_and_retry_from_the_meeting_page(app, client, uploads):
    from tests.office import csrf_token, login

    with app.app_context():
        meeting = make_meeting()
        recording = _upload(meeting, tone_bytes())
        page = f"/meetings/{meeting.id}"
        base = f"{page}/recordings/{recording.id}"
        job_id = recording.job_id
    login(client, "sec", PASSWORD)
    token = csrf_token(client, page)
    assert client.post(f"{base}/cancel", data={"csrf_token": token}).status_code == 303
    assert client.get(f"{base}/status").get_json()["status"] == "cancelled"
    assert "Transcription cancelled." in client.get(page).get_data(as_text=True)
    assert client.post(f"{base}/cancel", data={"csrf_token": token}).status_code == 409
    assert client.post(f"{base}/retry", data={"csrf_token": token}).status_code == 303
    status = client.get(f"{base}/status").get_json()
    assert status["status"] == "queued" and status["progress"] == 0
    assert client.post(f"{base}/retry", data={"csrf_token": token}).status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count(Job.id))) == 1
        assert db.session.get(Job, job_id).status == "queued"
    # A participant sees the status but may not cancel.
    client.post("/logout", data={"csrf_token": token})
    login(client, "emp", PASSWORD)
    token = csrf_token(client, page)
    assert client.get(f"{base}/status").status_code == 200
    assert client.post(f"{base}/cancel", data={"csrf_token": token}).status_code == 403


def tone_bytes() -> bytes:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        return tone(Path(folder) / "t.wav").read_bytes()


def test_missing_model_fails_once_with_a_readable_message(app, app_ctx, uploads, tmp_path,
                                                          monkeypatch):
    monkeypatch.setitem(app.config, "WHISPER_MODEL", str(tmp_path / "no-such-model"))
    recording = _upload(make_meeting(), tone_bytes())
    Worker(app, scheduler=False).run_pending()
    db.session.expire_all()
    job = db.session.get(Job, recording.job_id)
    assert job.status == "failed" and job.attempts == 1
    assert job.error.startswith("The speech recognition model could not be loaded")
    assert "no-such-model" in job.error_detail
    assert db.session.scalar(select(func.count(Transcript.id))) == 0


def test_rerun_replaces_the_transcript(app_ctx, uploads):
    recording = _upload(make_meeting(), tone_bytes())

    def result(*texts_and_speakers):
        return engine.Transcript(language="ja", duration=3.0, segments=[
            engine.Segment(start=i, end=i + 0.5, text=t, speaker=sp, doubtful=sp is None,
                           reason="low_confidence" if sp is None else None)
            for i, (t, sp) in enumerate(texts_and_speakers)])

    first = tjobs.save_transcript(recording, result(("一", "1"), ("二", "2")), "m")
    db.session.commit()
    first_id = first.id
    second = tjobs.save_transcript(recording, result(("三", None)), "m")
    db.session.commit()
    assert db.session.scalar(select(func.count(Transcript.id))) == 1
    assert db.session.get(Transcript, first_id) is None or second.id == first_id
    assert [s.verbatim for s in db.session.scalars(select(Segment))] == ["三"]
    assert [s.label for s in db.session.scalars(select(Speaker))] == ["1"]
    segment = db.session.scalar(select(Segment))
    assert segment.doubtful and segment.doubt_reason == "low_confidence"


def test_glossary_of_the_department_and_everyone(app_ctx):
    meeting = make_meeting()
    other = db.session.scalar(select(Department).where(Department.code == "OTH"))
    db.session.add_all([
        GlossaryTerm(department_id=meeting.department_id, term="秘書課"),
        GlossaryTerm(department_id=None, term="市長"),
        GlossaryTerm(department_id=other.id, term="他課だけ"),
    ])
    db.session.commit()
    assert sorted(tjobs.glossary_terms(meeting)) == sorted(["秘書課", "市長"])
    assert tjobs.engine_language(meeting) == "ja"
    meeting.language = "auto"
    assert tjobs.engine_language(meeting) is None


def test_retention_deletes_old_audio_only(app, app_ctx, uploads, time_machine):
    start = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    time_machine.move_to(start, tick=False)
    old_meeting, young_meeting = make_meeting(), make_meeting(title="新しい会議")
    old = _upload(old_meeting, tone_bytes())
    db.session.add(Transcript(meeting_id=old_meeting.id, recording_id=old.id, language="ja",
                              duration=0.5, model="m"))
    db.session.commit()
    old_path = rec.stored_path(old.sha256)
    shared_data = b""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        shared_data = tone(Path(folder) / "s.wav", seconds=0.7).read_bytes()
    shared_old = _upload(old_meeting, shared_data)
    time_machine.move_to(start + timedelta(days=30), tick=False)
    shared_young = _upload(young_meeting, shared_data)  # the same content, later
    time_machine.move_to(start + timedelta(days=91), tick=False)
    job_id = queue.enqueue("transcription.retention", {}).id
    db.session.commit()
    assert Worker(app, scheduler=False, kinds=["transcription.retention"]).run_pending() == 1
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.status == "succeeded" and job.result == {"deleted": 2}
    assert db.session.get(Recording, old.id).deleted_at is not None
    assert db.session.get(Recording, shared_old.id).deleted_at is not None
    assert db.session.get(Recording, shared_young.id).deleted_at is None
    assert not old_path.exists()
    assert rec.stored_path(shared_young.sha256).exists()  # still used by the younger one
    assert db.session.scalar(select(func.count(Transcript.id))) == 1  # transcripts stay
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.event == "transcription.recording_deleted")).all()
    assert sorted(e.target for e in events) == sorted(
        [f"recording:{old.id}", f"recording:{shared_old.id}"])
    assert all(e.actor_login == "system" for e in events)
    with pytest.raises(rec.NotFound):
        rec.recording_file(db.session.get(Recording, old.id))
    # Run again: nothing more to do; a half-written upload a day old goes, a fresh one stays.
    stale, fresh = rec.recordings_dir() / "tmp" / "stale.wav", rec.recordings_dir() / "tmp" / "x"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    old_time = (start + timedelta(days=89)).timestamp()
    os.utime(stale, (old_time, old_time))
    now_time = (start + timedelta(days=91)).timestamp()
    os.utime(fresh, (now_time, now_time))
    assert tjobs.delete_expired_recordings() == 0
    assert not stale.exists() and fresh.exists()


def test_retention_days_setting(app, monkeypatch):
    from workhub.config import load_config

    assert load_config({"WORKHUB_SECRET_KEY": "x"})["RECORDING_RETENTION_DAYS"] == 90
    assert load_config({"WORKHUB_SECRET_KEY": "x",
                        "WORKHUB_RECORDING_RETENTION_DAYS": "30"})["RECORDING_RETENTION_DAYS"] == 30
    with pytest.raises(ValueError, match="WORKHUB_RECORDING_RETENTION_DAYS"):
        load_config({"WORKHUB_SECRET_KEY": "x", "WORKHUB_RECORDING_RETENTION_DAYS": "0"})


def test_running_job_shows_share_done_and_time_left(app, client, uploads, time_machine):
    from tests.office import login

    now = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    time_machine.move_to(now, tick=False)
    with app.app_context():
        meeting = make_meeting()
        recording = _upload(meeting, tone_bytes())
        job = db.session.get(Job, recording.job_id)
        job.status, job.progress, job.started_at = "running", 40, now - timedelta(seconds=60)
        db.session.commit()
        page = f"/meetings/{meeting.id}"
        status_url = f"{page}/recordings/{recording.id}/status"
    login(client, "emp", PASSWORD)
    status = client.get(status_url).get_json()
    assert (status["status"], status["progress"], status["eta_seconds"]) == ("running", 40, 90)
    assert status["finished"] is False
    html = client.get(page).get_data(as_text=True)
    assert "Transcribing: 40% of the audio done. About 1 min 30 s left." in html
    assert 'value="40"' in html


def test_damaged_stored_file_fails_with_a_readable_message(app, app_ctx, uploads, monkeypatch):
    monkeypatch.setitem(app.config, "WHISPER_MODEL",
                        str(instance_dir() / "models" / "whisper-base"))
    recording = _upload(make_meeting(), tone_bytes())
    rec.stored_path(recording.sha256).write_bytes(b"not audio any more")
    assert Worker(app, scheduler=False).run_pending() == 1
    db.session.expire_all()
    job = db.session.get(Job, recording.job_id)
    assert job.status == "failed" and job.attempts == 1  # not worth retrying
    assert job.error == "The file is not an audio or video recording."
    assert db.session.scalar(select(func.count(Transcript.id))) == 0
