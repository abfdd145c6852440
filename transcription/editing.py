"""Editing a transcript: segment text and speaker with a version lock, speakers, text levels.

Every segment carries a ``version`` (SQLAlchemy's version counter). A save names the version
it was loaded at; a save against an older version, or one that loses a race with another
save (the UPDATE finds no row at that version), is refused with ``StaleEdit`` (409) which
keeps the person's text, so nothing typed is lost. The engine's verbatim text is never
rewritten: an edit goes to ``Segment.text``, and the text levels (素起こし, ケバ取り, 整文)
are computed from the edited-or-verbatim text on demand, so switching level is reversible.

A segment the hallucination guard flagged shows its reason in words (``doubt_note``); once the
secretary has listened to it, a save can clear the flag (``checked``), under the same version
lock as any edit. The reason stays stored, so a cleared flag can still be told from none.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from transcription.models import TEXT_LEVELS, Segment, Speaker, Transcript
from transcription.text import apply_level
from workhub.database import utcnow
from workhub.errors import Conflict, DomainError, NotFound
from workhub.extensions import db
from workhub.meetings.models import Meeting
from workhub.org.models import User
from workhub.validation import fits_id

MAX_SEGMENT_TEXT = 4000
MAX_SPEAKER_NAME = 120
# Control characters other than tab and newline (C0, DEL, C1) and the BOM.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]")


# The hallucination guard's reasons for keeping a segment flagged (transcription.guard and
# the engine's loop check), in words for the editor.
DOUBT_NOTES = {
    "silence_phrase": _l("A stock phrase that speech recognition often writes over silence."),
    "no_speech": _l("There may be no speech here."),
    "repetition": _l("The same words repeated over and over."),
    "low_confidence": _l("The recognition is not sure of this part."),
    "no_voice_activity": _l("No voice was detected in this part."),
}
DOUBT_NOTE_OTHER = _l("The recognition may be wrong.")


class StaleEdit(Conflict):
    """A save against a version someone else has replaced; ``kept`` holds the person's text
    and ``current`` the segment as it is now."""

    code = "stale"

    def __init__(self, message: str, *, kept: str | None, current: dict):
        super().__init__(message)
        self.kept = kept
        self.current = current


def clean_input(value: str | None, *, limit: int, field: str, multiline: bool = True) -> str:
    """``value`` without control characters and outer spaces; refused above ``limit``."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    if not multiline:
        text = " ".join(text.split())
    text = text.strip()
    if len(text) > limit:
        raise DomainError(_("At most %(count)d characters, please (this is %(length)d).",
                            count=limit, length=len(text)), field=field, code="too_long")
    return text


def check_level(level: str | None, default: str = "edited") -> str:
    """The level asked for (``default`` when none), or a 400 naming the choices."""
    level = level or default
    if level not in TEXT_LEVELS:
        raise DomainError(_("Choose a text level: %(levels)s.", levels=", ".join(TEXT_LEVELS)),
                          field="level", code="invalid_level")
    return level


def current_transcript(meeting: Meeting) -> Transcript | None:
    """The newest transcript of ``meeting`` (None before the first one is ready)."""
    return db.session.scalar(select(Transcript).where(Transcript.meeting_id == meeting.id)
                             .order_by(Transcript.created_at.desc(), Transcript.id.desc())
                             .limit(1))


def base_text(segment: Segment) -> str:
    """The person's edit when there is one, else what the engine heard."""
    return segment.text if segment.text is not None else segment.verbatim


def level_text(segment: Segment, level: str) -> str:
    """The segment's text at ``level``; computed, never stored."""
    return apply_level(base_text(segment), level)


def speaker_name(speaker: Speaker | None) -> str | None:
    """How a speaker is shown: the name given, else 「話者 1」 style from the label."""
    if speaker is None:
        return None
    return speaker.name or _("Speaker %(label)s", label=speaker.label)


def doubt_note(segment: Segment) -> str | None:
    """Why the segment is flagged, in words (None when it is not, or no longer, flagged)."""
    if not segment.doubtful:
        return None
    return str(DOUBT_NOTES.get(segment.doubt_reason or "", DOUBT_NOTE_OTHER))


def segment_state(segment: Segment, level: str = "edited") -> dict:
    """The segment as the editor and the API show it."""
    return {
        "id": segment.id, "start": segment.start_s, "end": segment.end_s,
        "speaker": speaker_name(segment.speaker), "speaker_id": segment.speaker_id,
        "text": level_text(segment, level), "version": segment.version,
        "doubtful": segment.doubtful, "edited": segment.text is not None,
    }


def _speaker_of(transcript_id: int, speaker_id: int | str | None) -> Speaker | None:
    if speaker_id in (None, ""):
        return None
    try:
        wanted = int(speaker_id)
    except (TypeError, ValueError):
        wanted = 0
    # An id past the column names no speaker (and PostgreSQL would refuse to compare it).
    speaker = db.session.get(Speaker, wanted) if fits_id(wanted) else None
    if speaker is None or speaker.transcript_id != transcript_id:
        raise DomainError(_("Choose one of this transcript's speakers."), field="speaker",
                          code="invalid_speaker")
    return speaker


def _stale(segment: Segment, kept: str | None, *, lost_race: bool = False) -> StaleEdit:
    if lost_race:  # the failed flush left the session unusable; read the winner's row
        db.session.rollback()
    fresh = db.session.get(Segment, segment.id)
    current = segment_state(fresh, "verbatim") | {"text": base_text(fresh)} if fresh else {}
    return StaleEdit(_("Someone else changed this segment after you opened it. Your text is "
                       "kept here: compare it with the current one and save again."),
                     kept=kept, current=current)


def parse_version(value) -> int:
    """The version a save names, or a 400."""
    try:
        version = int(value)
    except (TypeError, ValueError):
        version = 0
    if version < 1:
        raise DomainError(_("The version the segment was loaded at is missing; reload the page."),
                          field="version", code="invalid_version")
    return version


def edit_segment(segment: Segment, user: User, *, version, text: str | None = None,
                 speaker_id: int | str | None = None, set_speaker: bool = False,
                 checked: bool = False) -> Segment:
    """Save a person's ``text`` and/or speaker for ``segment`` loaded at ``version``;
    ``checked`` clears the doubtful flag (the person has listened to the segment).

    Text equal to the verbatim text clears the edit. Raises StaleEdit (409) when the segment
    has moved on, keeping ``text``; DomainError for bad input (nothing changed)."""
    version = parse_version(version)
    new_text = None if text is None else clean_input(text, limit=MAX_SEGMENT_TEXT, field="text")
    speaker = _speaker_of(segment.transcript_id, speaker_id) if set_speaker else None
    if new_text is None and not set_speaker and not checked:
        raise DomainError(_("Nothing to save: send the text or the speaker."), field="text")
    if segment.version != version:
        raise _stale(segment, text)
    if new_text is not None:
        segment.text = None if new_text == segment.verbatim else new_text
    if set_speaker:
        segment.speaker_id = speaker.id if speaker else None
    if checked:
        segment.doubtful = False
    segment.edited_by_id, segment.edited_at = user.id, utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        raise _stale(segment, text, lost_race=True) from None
    return segment


def rename_speaker(speaker: Speaker, name: str | None) -> Speaker:
    """Give ``speaker`` a name shown instead of its label (blank: back to the label)."""
    speaker.name = clean_input(name, limit=MAX_SPEAKER_NAME, field="name",
                               multiline=False) or None
    db.session.flush()
    return speaker


def add_speaker(transcript: Transcript, name: str | None) -> Speaker:
    """Add a speaker the engine did not tell apart; labelled with the next number."""
    clean = clean_input(name, limit=MAX_SPEAKER_NAME, field="name", multiline=False) or None
    numbers = [int(s.label) for s in transcript.speakers if s.label.isdigit()]
    position = db.session.scalar(select(func.max(Speaker.position))
                                 .where(Speaker.transcript_id == transcript.id))
    speaker = Speaker(transcript_id=transcript.id, label=str(max(numbers, default=0) + 1),
                      name=clean, position=(position or 0) + 1)
    db.session.add(speaker)
    db.session.flush()
    return speaker


def reassign_following(segment: Segment, user: User, speaker_id: int | str | None) -> int:
    """Give this segment and every later one of the same speaker to ``speaker_id``; returns
    how many changed (each one's version moves on, so an open stale save is refused)."""
    speaker = _speaker_of(segment.transcript_id, speaker_id)
    old = segment.speaker_id
    rows = db.session.scalars(select(Segment).where(
        Segment.transcript_id == segment.transcript_id, Segment.position >= segment.position,
        Segment.speaker_id.is_(None) if old is None else Segment.speaker_id == old,
    ).order_by(Segment.position)).all()
    now = utcnow()
    for row in rows:
        row.speaker_id = speaker.id if speaker else None
        row.edited_by_id, row.edited_at = user.id, now
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(_("Someone else changed these segments meanwhile; reload and try "
                         "again.")) from None
    return len(rows)


def get_segment(segment_id: int) -> Segment:
    """The segment, or NotFound."""
    segment = db.session.get(Segment, segment_id)
    if segment is None:
        raise NotFound(_("No such segment."))
    return segment
