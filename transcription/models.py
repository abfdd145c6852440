"""Tables of the transcription package: a meeting's recordings, transcripts and minutes.

The meeting itself (``workhub.meetings.models``) is core: scheduling, the recording, the
transcript and the minutes all hang off the same record. Who may see a meeting's recordings
and minutes is who may see the meeting (``workhub.meetings.permissions``); minutes in draft
only the organiser and secretaries.
* A **recording** is stored once per content (``sha256``) under the instance's uploads
  folder, outside any static path; ``deleted_at`` is set when retention removes the file
  (the transcript and minutes stay).
* A **transcript** belongs to a recording; its **segments** keep the verbatim text from the
  engine and the person's edit (``text``), a ``version`` for optimistic locking (a stale save
  is refused), the speaker, and a doubtful flag with its reason from the hallucination guard.
* **Minutes** (議事録) are one document per meeting with a version for the same locking.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workhub.database import UTCDateTime, one_of, utcnow
from workhub.extensions import db

TEXT_LEVELS = ("verbatim", "clean", "edited")
MINUTES_STATUSES = ("draft", "final")


class Recording(db.Model):
    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    duration: Mapped[float] = mapped_column(Float)
    channels: Mapped[int] = mapped_column(Integer)
    sample_rate: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # retention removed it


class Transcript(db.Model):
    __tablename__ = "transcripts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    recording_id: Mapped[int | None] = mapped_column(
        ForeignKey("recordings.id", ondelete="SET NULL"), unique=True)
    language: Mapped[str] = mapped_column(String(8))
    duration: Mapped[float] = mapped_column(Float)
    model: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    segments: Mapped[list[Segment]] = relationship(
        cascade="all, delete-orphan", order_by="Segment.position")
    speakers: Mapped[list[Speaker]] = relationship(
        cascade="all, delete-orphan", order_by="Speaker.position")


class Speaker(db.Model):
    __tablename__ = "transcript_speakers"
    __table_args__ = (UniqueConstraint("transcript_id", "label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"),
                                               index=True)
    label: Mapped[str] = mapped_column(String(40))  # "1", "2" … from the engine or added
    name: Mapped[str | None] = mapped_column(String(120))  # shown instead of the label
    position: Mapped[int] = mapped_column(Integer, default=0)


class Segment(db.Model):
    __tablename__ = "transcript_segments"
    __table_args__ = (
        CheckConstraint("end_s >= start_s", name="ends_after_start"),
        Index("ix_transcript_segments_order", "transcript_id", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    speaker_id: Mapped[int | None] = mapped_column(
        ForeignKey("transcript_speakers.id", ondelete="SET NULL"))
    verbatim: Mapped[str] = mapped_column(Text)  # what the engine heard (素起こし)
    text: Mapped[str | None] = mapped_column(Text)  # a person's edit; None: not edited
    doubtful: Mapped[bool] = mapped_column(Boolean, default=False)
    doubt_reason: Mapped[str | None] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer, default=1)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    speaker: Mapped[Speaker | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class GlossaryTerm(db.Model):
    """A term secretaries want recognised (place names, departments, people): hotwords."""

    __tablename__ = "glossary_terms"
    __table_args__ = (UniqueConstraint("department_id", "term"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), index=True)  # None: everyone's
    term: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Minutes(db.Model):
    """The minutes (議事録) of a meeting: the usual sections as text, with a version."""

    __tablename__ = "minutes"
    __table_args__ = (CheckConstraint(one_of("status", MINUTES_STATUSES), name="status_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            unique=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # JSON: {"items": [{"agenda": "...", "discussion": "..."}], "decisions": "...",
    # "actions": "...", "next_meeting": "...", "notes": "..."}
    body_json: Mapped[str] = mapped_column(Text, default="{}")
    level: Mapped[str] = mapped_column(String(16), default="edited")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}
