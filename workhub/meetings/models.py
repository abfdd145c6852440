"""The meeting: title, time, place and/or online tool, organiser, participants (staff or
external names; attended or absent for the minutes' 出席者/欠席者) and agenda items.

Who may see it: the organiser, participants and the secretaries of its department
(``workhub.meetings.permissions``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
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
from workhub.org.models import User

ONLINE_TOOLS = ("none", "teams", "zoom", "webex", "other")
# The language the meeting is held in (what the transcription engine listens for).
LANGUAGES = ("ja", "en", "auto")


class Meeting(db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint(one_of("online_tool", ONLINE_TOOLS), name="tool_known"),
        CheckConstraint(one_of("language", LANGUAGES), name="language_known"),
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"),
        Index("ix_meetings_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place: Mapped[str | None] = mapped_column(String(200))
    online_tool: Mapped[str] = mapped_column(String(16), default="none")
    join_url: Mapped[str | None] = mapped_column(String(500))  # the online meeting's link
    notes: Mapped[str | None] = mapped_column(Text)  # for the participants (the invitation)
    language: Mapped[str] = mapped_column(String(8), default="ja")
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                     index=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organiser: Mapped[User | None] = relationship()
    participants: Mapped[list[MeetingParticipant]] = relationship(
        cascade="all, delete-orphan", order_by="MeetingParticipant.position")
    agenda: Mapped[list[AgendaItem]] = relationship(
        cascade="all, delete-orphan", order_by="AgendaItem.position")

    def __repr__(self) -> str:
        return f"<Meeting {self.id}>"


class MeetingParticipant(db.Model):
    """A participant: a staff member (``user_id``) or an external person (``name``)."""

    __tablename__ = "meeting_participants"
    __table_args__ = (
        CheckConstraint("user_id IS NOT NULL OR name IS NOT NULL", name="user_or_name"),
        UniqueConstraint("meeting_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    name: Mapped[str | None] = mapped_column(String(120))
    affiliation: Mapped[str | None] = mapped_column(String(200))
    attended: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    user: Mapped[User | None] = relationship()


class AgendaItem(db.Model):
    __tablename__ = "meeting_agenda_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
