"""Search across the transcripts and minutes a person may see.

Japanese has no spaces between words, so search is a substring match (LIKE on SQLite,
ILIKE on PostgreSQL through SQLAlchemy's ``ilike``) on the edited-or-verbatim text of
segments, on meeting titles and on the minutes' sections (stored as JSON with Japanese kept
readable). ``%`` and ``_`` in the query are escaped; the query is NFKC-normalised (full-width
Latin letters and digits, half-width kana) and must have at least ``MIN_QUERY`` characters.
Draft minutes are searched only for those who manage the meeting.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from transcription.editing import clean_input
from transcription.exports import minutes_txt
from transcription.minutes import document
from transcription.models import Minutes, Segment, Transcript
from workhub.errors import DomainError
from workhub.extensions import db
from workhub.meetings.models import Meeting
from workhub.meetings.permissions import managed_meetings, visible_meetings
from workhub.org.models import User

MIN_QUERY = 2
MAX_QUERY = 100
LIMIT = 50
SNIPPET = 40


@dataclass
class Hit:
    kind: str  # "segment", "minutes" or "meeting"
    meeting_id: int
    meeting_title: str
    starts_at: object
    snippet: str
    start: float | None = None
    segment_id: int | None = None


def normalise_query(query: str | None) -> str:
    """The query as searched, or a 400 saying why not."""
    text = unicodedata.normalize("NFKC", clean_input(query, limit=MAX_QUERY, field="q",
                                                     multiline=False))
    if len(text) < MIN_QUERY:
        raise DomainError(_("Enter at least %(count)d characters.", count=MIN_QUERY),
                          field="q", code="too_short")
    return text


def _pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def snippet(text: str, query: str) -> str:
    """``text`` around the first match of ``query`` (case-insensitive)."""
    at = text.casefold().find(query.casefold())
    if at < 0:
        return text[:SNIPPET * 2]
    start = max(0, at - SNIPPET)
    end = at + len(query) + SNIPPET
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def search(user: User, query: str | None, *, limit: int = LIMIT) -> list[Hit]:
    """Meetings, segments and minutes matching ``query`` that ``user`` may see; newest
    meetings first."""
    text = normalise_query(query)
    pattern = _pattern(text)
    visible = visible_meetings(user)
    hits: list[Hit] = []
    for meeting in db.session.scalars(
            select(Meeting).where(visible,
                                  Meeting.title.ilike(pattern, escape="\\"))
            .order_by(Meeting.starts_at.desc()).limit(limit)):
        hits.append(Hit("meeting", meeting.id, meeting.title, meeting.starts_at,
                        snippet(meeting.title, text)))
    said = func.coalesce(Segment.text, Segment.verbatim)
    rows = db.session.execute(
        select(Segment, Meeting).join(Transcript, Transcript.id == Segment.transcript_id)
        .join(Meeting, Meeting.id == Transcript.meeting_id)
        .where(visible, said.ilike(pattern, escape="\\"))
        .order_by(Meeting.starts_at.desc(), Segment.position).limit(limit)).all()
    for segment, meeting in rows:
        hits.append(Hit("segment", meeting.id, meeting.title, meeting.starts_at,
                        snippet(segment.text or segment.verbatim, text),
                        start=segment.start_s, segment_id=segment.id))
    readable = or_(Minutes.status == "final", managed_meetings(user))
    for minutes, meeting in db.session.execute(
            select(Minutes, Meeting).join(Meeting, Meeting.id == Minutes.meeting_id)
            .where(visible, readable,
                   Minutes.body_json.ilike(pattern, escape="\\"))
            .order_by(Meeting.starts_at.desc()).limit(limit)).all():
        hits.append(Hit("minutes", meeting.id, meeting.title, meeting.starts_at,
                        snippet(minutes_txt(document(meeting, minutes)), text)))
    return hits[:limit * 3]
