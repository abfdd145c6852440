"""Recordings: an upload is streamed to a temporary file (size limit, SHA-256 on the way),
probed by decoding in a limited child process (`sandbox`), stored once per content under
``<UPLOAD_DIR>/recordings/<sha[:2]>/<sha>`` (outside any static path), and its transcription
queued. A refused file leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from transcription import sandbox
from transcription.audio import AudioError
from transcription.models import Recording
from workhub.errors import Conflict, DomainError, Forbidden, NotFound
from workhub.extensions import db
from workhub.jobs import services as queue
from workhub.jobs.models import Job
from workhub.meetings.models import Meeting
from workhub.meetings.permissions import can_manage_meeting
from workhub.org.models import User
from workhub.request_limits import FORM_ROOM

TRANSCRIBE_KIND = "transcription.transcribe"
CHUNK = 1 << 20
# Extension → content type the file is served with (the client's claim is never trusted).
CONTENT_TYPES = {
    "wav": "audio/wav", "mp3": "audio/mpeg", "m4a": "audio/mp4", "mp4": "video/mp4",
    "mov": "video/quicktime", "webm": "audio/webm", "ogg": "audio/ogg", "flac": "audio/flac",
}
_SHA = re.compile(r"^[0-9a-f]{64}$")

AUDIO_MESSAGES = {
    AudioError.EMPTY: _l("The file is empty."),
    AudioError.NOT_MEDIA: _l("The file is not an audio or video recording."),
    AudioError.NO_AUDIO: _l("The file has no sound track (a video without sound?)."),
    AudioError.TRUNCATED: _l("The recording is damaged or cut off: upload the complete file."),
    AudioError.SILENT: _l("The recording is silent: check the microphone and record again."),
    AudioError.LIMITS: _l("The recording could not be checked within the server's memory and "
                          "time limits: it may be damaged. Convert it to MP3 or M4A and "
                          "upload it again."),
}


class UploadError(DomainError):
    """A refused upload; ``status`` is 400 (no file), 413, 415 or 422."""

    def __init__(self, message: str, *, code: str, status: int):
        super().__init__(message, code=code, field="file")
        self.status = status


def max_bytes(config=None) -> int:
    """The largest recording accepted (WORKHUB_MAX_RECORDING_MB)."""
    return (config or current_app.config).get("MAX_RECORDING_MB", 500) * 1024 * 1024


def upload_body_limit(config) -> int:
    """An upload's body: one recording beside the form. Larger is refused before it is read
    (workhub.request_limits)."""
    return max_bytes(config) + FORM_ROOM


def recordings_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "recordings"


def stored_path(sha256: str) -> Path:
    if not _SHA.match(sha256 or ""):
        raise ValueError("not a SHA-256")
    return recordings_dir() / sha256[:2] / sha256


def safe_name(filename: str | None) -> str:
    """The file's own name without folders or control characters (shown, never a path)."""
    name = re.split(r"[\\/]", unicodedata.normalize("NFC", filename or ""))[-1]
    name = "".join(c for c in name if c.isprintable()).strip().lstrip(".")
    return name[-255:] or "recording"


def extension(filename: str | None) -> str:
    ext = safe_name(filename).rpartition(".")[2].lower() if "." in (filename or "") else ""
    if ext not in CONTENT_TYPES:
        raise UploadError(
            str(_l("Upload a recording as WAV, MP3, M4A, MP4, MOV, WebM, Ogg or FLAC.")),
            code="unsupported_type", status=415)
    return ext


def too_large() -> UploadError:
    return UploadError(str(_l("The recording is larger than %(mb)d MB.",
                              mb=current_app.config.get("MAX_RECORDING_MB", 500))),
                       code="too_large", status=413)


def _spool(stream: BinaryIO, ext: str) -> tuple[Path, str, int]:
    """Copy ``stream`` to a temporary file in chunks; return (path, sha256, size)."""
    folder = recordings_dir() / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, suffix=f".{ext}")
    path, digest, size, limit = Path(name), hashlib.sha256(), 0, max_bytes()
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise too_large()
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, digest.hexdigest(), size


def media_limits(config=None) -> sandbox.Limits:
    """The decoding child's limits and the longest recording (WORKHUB_MEDIA_*,
    WORKHUB_MAX_RECORDING_HOURS)."""
    return sandbox.Limits.from_config(config or current_app.config)


def audio_message(exc: AudioError, config=None) -> str:
    """A refusal of the decoder as the person who uploaded the file should read it."""
    if exc.code == AudioError.TOO_LONG:
        return str(_l("The recording is longer than %(hours)s hours: split it and upload the "
                      "parts.", hours=f"{media_limits(config).max_hours:g}"))
    return str(AUDIO_MESSAGES.get(exc.code, AUDIO_MESSAGES[AudioError.NOT_MEDIA]))


def _probe(path: Path, ext: str):
    try:
        return sandbox.probe(path, ext, media_limits())
    except AudioError as exc:
        raise UploadError(audio_message(exc), code=exc.code, status=422) from None
    except (OSError, ValueError, RuntimeError):  # a decoder failure we did not foresee
        raise UploadError(str(AUDIO_MESSAGES[AudioError.NOT_MEDIA]), code="not_media",
                          status=422) from None


def upload_recording(meeting: Meeting, actor: User, stream: BinaryIO | None,
                     filename: str | None) -> Recording:
    """Store an uploaded recording of ``meeting`` and queue its transcription.

    The same content uploaded again to the same meeting returns the recording already there
    (and its job); the file is stored once whatever the meeting.
    """
    if not can_manage_meeting(actor, meeting):
        raise Forbidden(str(_l("Only the organiser, the department's secretaries and "
                               "administrators add recordings.")))
    if stream is None or not (filename or "").strip():
        raise UploadError(str(_l("Choose a recording to upload.")), code="no_file", status=400)
    ext = extension(filename)
    tmp, sha, size = _spool(stream, ext)
    try:
        if size == 0:
            raise UploadError(str(AUDIO_MESSAGES[AudioError.EMPTY]), code="empty", status=422)
        info = _probe(tmp, ext)
        existing = db.session.scalar(select(Recording).where(
            Recording.meeting_id == meeting.id, Recording.sha256 == sha,
            Recording.deleted_at.is_(None)))
        target = stored_path(sha)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    if existing is not None:
        return existing
    recording = Recording(
        meeting_id=meeting.id, sha256=sha, size=size, original_name=safe_name(filename),
        content_type=CONTENT_TYPES[ext], duration=round(info.duration, 3),
        channels=info.channels, sample_rate=info.sample_rate, uploaded_by_id=actor.id)
    db.session.add(recording)
    db.session.flush()
    start_transcription(recording, actor)
    return recording


def recording_ext(recording: Recording) -> str:
    """The extension the recording was accepted with (its file is stored without one)."""
    return next((ext for ext, kind in CONTENT_TYPES.items() if kind == recording.content_type),
                "")


def start_transcription(recording: Recording, actor: User) -> Job:
    """Queue the transcription of ``recording`` (a rerun replaces its transcript)."""
    if recording.deleted_at is not None:
        raise DomainError(str(_l("The recording was deleted after its retention period.")),
                          code="deleted")
    job = queue.enqueue(TRANSCRIBE_KIND, {"recording_id": recording.id}, actor,
                        max_attempts=2)
    recording.job_id = job.id
    db.session.flush()
    return job


def get_recording(meeting: Meeting, recording_id: int) -> Recording:
    recording = db.session.get(Recording, recording_id)
    if recording is None or recording.meeting_id != meeting.id:
        raise NotFound(str(_l("No such recording.")))
    return recording


def recording_file(recording: Recording) -> Path:
    """The stored file; NotFound once retention removed it."""
    path = stored_path(recording.sha256)
    if recording.deleted_at is not None or not path.is_file():
        raise NotFound(str(_l("The recording's audio was deleted after its retention "
                              "period; the transcript is kept.")))
    return path


def meeting_recordings(meeting: Meeting) -> list[Recording]:
    return list(db.session.scalars(select(Recording).where(
        Recording.meeting_id == meeting.id).order_by(Recording.uploaded_at, Recording.id)))


def recording_jobs(recordings: list[Recording]) -> dict[int, Job]:
    """The transcription jobs of ``recordings`` by job id, in one query."""
    ids = {r.job_id for r in recordings if r.job_id}
    if not ids:
        return {}
    return {job.id: job for job in db.session.scalars(select(Job).where(Job.id.in_(ids)))}


def recording_job(recording: Recording) -> Job | None:
    """The job of the recording's latest transcription (None once purged from the queue)."""
    return db.session.get(Job, recording.job_id) if recording.job_id else None


def cancel_transcription(recording: Recording, actor: User) -> Job:
    """Cancel the recording's transcription: at once if queued, at its next check if running."""
    job = recording_job(recording)
    if job is None:
        raise Conflict(str(_l("There is no transcription to cancel.")))
    return queue.cancel(job, actor=actor)


def retry_transcription(recording: Recording, actor: User) -> Job:
    """Queue the recording's transcription again: its failed or cancelled job is retried; a
    finished one (a rerun replaces the transcript) or one purged from the queue starts anew."""
    job = recording_job(recording)
    if job is not None and job.status in ("queued", "running"):
        raise Conflict(str(_l("The transcription is already queued or running.")))
    if job is not None and job.status in ("failed", "cancelled"):
        return queue.retry(job, actor=actor)
    return start_transcription(recording, actor)
