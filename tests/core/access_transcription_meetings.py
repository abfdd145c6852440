"""Access-matrix entries for the transcription package (meetings and recordings): see
tests/core/test_access_matrix.py.

``build`` makes a meeting of the section organised by the other user, with a recording whose
transcription is queued (its audio file written to the upload folder) and one whose
transcription failed. Who may see and manage it: the section's secretaries and
administrators (the signed-in user is in the section); everyone else gets 403.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from flask import current_app

from tests.core.access_common import Call
from transcription.models import Recording
from transcription.recordings import TRANSCRIBE_KIND, stored_path
from workhub.extensions import db
from workhub.jobs.models import Job
from workhub.meetings.models import Meeting

OTHERS = {"employee": 403, "manager": 403, "hr": 403, "it_admin": 403}
MEETING = {"meeting_id": lambda w: w.extra["meeting"]}
QUEUED = {**MEETING, "recording_id": lambda w: w.extra["queued_recording"]}
FAILED = {**MEETING, "recording_id": lambda w: w.extra["failed_recording"]}
FORM = {"title": "行列会議", "day": "2026-12-01", "start": "10:00", "online_tool": "none",
        "language": "ja"}

ROUTES: dict[tuple[str, str], Call] = {
    ("GET", "/meetings/"): Call(),
    ("GET", "/meetings/new"): Call(),
    ("POST", "/meetings/new"): Call(data=FORM, ok=303),
    ("GET", "/meetings/<int:meeting_id>"): Call(params=MEETING, by_role=OTHERS),
    ("GET", "/meetings/<int:meeting_id>/edit"): Call(params=MEETING, by_role=OTHERS),
    ("POST", "/meetings/<int:meeting_id>/edit"): Call(params=MEETING, data=FORM, ok=303,
                                                      by_role=OTHERS),
    # No file in the matrix's form: a manager of the meeting gets the page with "choose a file".
    ("POST", "/meetings/<int:meeting_id>/recordings"): Call(params=MEETING, ok=400,
                                                            by_role=OTHERS),
    ("GET", "/meetings/<int:meeting_id>/recordings/<int:recording_id>/audio"): Call(
        params=QUEUED, by_role=OTHERS),
    ("GET", "/meetings/<int:meeting_id>/recordings/<int:recording_id>/status"): Call(
        params=QUEUED, by_role=OTHERS),
    ("POST", "/meetings/<int:meeting_id>/recordings/<int:recording_id>/cancel"): Call(
        params=QUEUED, ok=303, by_role=OTHERS),
    ("POST", "/meetings/<int:meeting_id>/recordings/<int:recording_id>/retry"): Call(
        params=FAILED, ok=303, by_role=OTHERS),
    ("POST", "/api/v1/meetings"): Call(ok=400),  # a form, not JSON
    ("GET", "/api/v1/meetings"): Call(),
    ("GET", "/api/v1/meetings/<int:meeting_id>"): Call(params=MEETING, by_role=OTHERS),
    ("POST", "/api/v1/meetings/<int:meeting_id>/recordings"): Call(params=MEETING, ok=400,
                                                                   by_role=OTHERS),
}


def _recording(meeting: Meeting, content: bytes, status: str) -> int:
    sha = hashlib.sha256(content).hexdigest()
    path = stored_path(sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    job = Job(kind=TRANSCRIBE_KIND, payload={}, status=status, progress=0, attempts=0,
              max_attempts=2, run_after=datetime.now(UTC), cancel_requested=False,
              error="failed" if status == "failed" else None)
    db.session.add(job)
    db.session.flush()
    recording = Recording(meeting_id=meeting.id, sha256=sha, size=len(content),
                          original_name="matrix.wav", content_type="audio/wav", duration=1.0,
                          channels=1, sample_rate=16000, job_id=job.id)
    db.session.add(recording)
    db.session.flush()
    job.payload = {"recording_id": recording.id}
    return recording.id


def build(app, me, other, ids) -> dict:
    assert current_app.config["UPLOAD_DIR"]
    meeting = Meeting(title="行列の会議", starts_at=datetime(2026, 11, 20, 1, 0, tzinfo=UTC),
                      organiser_id=other.id, department_id=ids["MTX-SEC"])
    db.session.add(meeting)
    db.session.flush()
    queued = _recording(meeting, b"RIFF matrix queued", "queued")
    failed = _recording(meeting, b"RIFF matrix failed", "failed")
    db.session.commit()
    return {"meeting": meeting.id, "queued_recording": queued, "failed_recording": failed}
