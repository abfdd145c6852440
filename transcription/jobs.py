"""Jobs of the transcription package.

* ``transcription.transcribe`` (payload ``recording_id``): loads the model once per worker
  process, transcribes the recording in the meeting's language with the glossary of its
  department (and everyone's) correcting near-misses, reports the share of audio done, stops
  when the job is cancelled, and writes the Transcript with its Speaker and Segment rows. Safe
  to run again: a rerun replaces the transcript of that recording.
* ``transcription.retention`` (periodic ``recording_retention``, daily): deletes the original
  recording files older than WORKHUB_RECORDING_RETENTION_DAYS, marks them deleted, keeps
  transcripts and minutes, and audits each deletion; it also removes temporary files of
  uploads a crashed web process left behind (older than a day).
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from transcription import recordings as rec
from transcription.audio import AudioError
from transcription.models import Recording, Segment, Speaker, Transcript
from workhub.auth.services import audit
from workhub.database import utcnow
from workhub.errors import NotFound
from workhub.extensions import db
from workhub.jobs.registry import JobCancelled, JobError, JobReleased, handler, periodic
from workhub.meetings.models import Meeting

log = logging.getLogger(__name__)

DEFAULT_LABEL = "1"  # a mono recording's one speaker, renamed in the editor

periodic("recording_retention", "transcription.retention", "15 4 * * *",
         label=_l("Transcription: delete original recordings after the retention period"))


def load_engine_model():
    """The Whisper model for this process (WORKHUB_WHISPER_MODEL or the default model
    assembled under <instance>/models); loaded once, then cached by transcription.model."""
    from transcription.model import ModelError, load_model, resolve_model_dir

    try:
        directory = resolve_model_dir(current_app.instance_path,
                                      current_app.config.get("WHISPER_MODEL") or None)
        return load_model(directory)
    except ModelError as exc:
        raise JobError(str(_l("The speech recognition model could not be loaded; an "
                              "administrator can see the details.")),
                       retryable=False, detail=str(exc)) from exc


def glossary_terms(meeting: Meeting) -> list[str]:
    """Terms of the meeting's department and everyone's, for the engine's glossary."""
    from transcription.glossary import hotwords_for

    return hotwords_for(meeting.department_id)


def engine_language(meeting: Meeting) -> str | None:
    return None if meeting.language == "auto" else (meeting.language or "ja")


class _Progress:
    """Engine callbacks → the job's progress; the job's cancel flag → the engine's."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.started = time.monotonic()
        self.stop: Exception | None = None

    def __call__(self, done: float, total: float) -> None:
        if self.stop is not None or total <= 0:
            return
        share = min(1.0, max(0.0, done / total))
        elapsed = time.monotonic() - self.started
        left = elapsed * (1 - share) / share if share > 0 else None
        message = (_("%(done)d of %(total)d seconds of audio done", done=done, total=total)
                   if left is None else
                   _("%(done)d of %(total)d seconds of audio done, about %(left)d s left",
                     done=done, total=total, left=left))
        try:
            self.ctx.progress(min(99, int(share * 100)), message[:200])
        except (JobCancelled, JobReleased) as exc:
            self.stop = exc  # the engine stops at its next check

    def cancelled(self) -> bool:
        if self.stop is None:
            try:
                self.ctx.check_cancelled()
            except (JobCancelled, JobReleased) as exc:
                self.stop = exc
        return self.stop is not None


def save_transcript(recording: Recording, result, model_name: str) -> Transcript:
    """Write the engine's result as the transcript of ``recording``, replacing any earlier one."""
    old = db.session.scalar(select(Transcript).where(Transcript.recording_id == recording.id))
    if old is not None:
        db.session.execute(delete(Segment).where(Segment.transcript_id == old.id))
        db.session.delete(old)
        db.session.flush()
    transcript = Transcript(meeting_id=recording.meeting_id, recording_id=recording.id,
                            language=(result.language or "")[:8], duration=result.duration,
                            model=model_name[:200])
    speakers: dict[str, Speaker] = {}
    for segment in result.segments:
        label = (segment.speaker or DEFAULT_LABEL)[:40]
        if label not in speakers:
            speakers[label] = Speaker(label=label, position=len(speakers))
    transcript.speakers = list(speakers.values())
    transcript.segments = [
        Segment(position=i, start_s=s.start, end_s=max(s.start, s.end), verbatim=s.text,
                speaker=speakers[(s.speaker or DEFAULT_LABEL)[:40]], doubtful=bool(s.doubtful),
                doubt_reason=(s.reason or None) and s.reason[:60])
        for i, s in enumerate(result.segments)]
    db.session.add(transcript)
    db.session.flush()
    return transcript


@handler(rec.TRANSCRIBE_KIND, max_attempts=2, label=_l("Transcribe a meeting recording"))
def transcribe_recording(job, ctx):
    from transcription.engine import Cancelled, transcribe

    recording = db.session.get(Recording, int(job.payload.get("recording_id") or 0))
    if recording is None:
        raise JobError(str(_l("The recording no longer exists.")), retryable=False)
    try:
        path = rec.recording_file(recording)
    except NotFound as exc:  # retention removed the audio
        raise JobError(str(_l("The recording's audio was deleted after its retention period; "
                              "the transcript is kept.")), retryable=False) from exc
    meeting = db.session.get(Meeting, recording.meeting_id)
    language, glossary = engine_language(meeting), glossary_terms(meeting)
    ctx.progress(0, _("Loading the speech recognition model"))
    loaded = load_engine_model()
    progress = _Progress(ctx)
    try:
        # Decoded in a limited child: a file that overruns it fails this job, not the worker.
        result = transcribe(path, model=loaded, language=language, glossary=glossary,
                            progress=progress, cancelled=progress.cancelled,
                            ext=rec.recording_ext(recording), limits=rec.media_limits())
    except Cancelled:
        raise progress.stop or JobCancelled() from None
    except AudioError as exc:
        raise JobError(rec.audio_message(exc), retryable=False, detail=str(exc)) from exc
    if progress.stop is not None:
        raise progress.stop
    recording = db.session.get(Recording, recording.id)  # the progress steps committed
    transcript = save_transcript(recording, result, loaded.path.name)
    return {"transcript_id": transcript.id, "segments": len(transcript.segments),
            "language": transcript.language, "duration": transcript.duration}


SHA_BATCH = 1000


def delete_expired_recordings(days: int | None = None) -> int:
    """Delete the files of recordings uploaded more than ``days`` ago; return how many rows
    were marked. A file shared with a younger recording stays until that one expires too."""
    days = days or current_app.config.get("RECORDING_RETENTION_DAYS", 90)
    now = utcnow()
    cutoff = now - timedelta(days=days)
    expired = list(db.session.scalars(select(Recording).where(
        Recording.deleted_at.is_(None), Recording.uploaded_at < cutoff).order_by(Recording.id)))
    for recording in expired:
        recording.deleted_at = now
    db.session.flush()
    shas = sorted({r.sha256 for r in expired})
    # In batches, so that a first run over years of recordings stays within the database's
    # limit of bound parameters.
    for start in range(0, len(shas), SHA_BATCH):
        batch = shas[start:start + SHA_BATCH]
        still_used = set(db.session.scalars(select(Recording.sha256).where(
            Recording.sha256.in_(batch), Recording.deleted_at.is_(None))))
        for sha in batch:
            if sha not in still_used:
                rec.stored_path(sha).unlink(missing_ok=True)
    for recording in expired:
        audit("transcription.recording_deleted", actor_login="system",
              target=f"recording:{recording.id}", meeting_id=recording.meeting_id,
              sha256=recording.sha256, uploaded_at=recording.uploaded_at.isoformat(),
              retention_days=days)
    log.info("retention: %s recording(s) older than %s days deleted", len(expired), days)
    _remove_stale_uploads(now)
    return len(expired)


STALE_UPLOAD = timedelta(days=1)


def _remove_stale_uploads(now) -> None:
    """Temporary files of uploads a crashed web process never finished."""
    folder = rec.recordings_dir() / "tmp"
    if not folder.is_dir():
        return
    cutoff = (now - STALE_UPLOAD).timestamp()
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


@handler("transcription.retention", max_attempts=3,
         label=_l("Delete original recordings after the retention period"))
def recording_retention(job, ctx):
    return {"deleted": delete_expired_recordings(job.payload.get("days"))}
