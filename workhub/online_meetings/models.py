"""Tables of online meetings: licences (a host account of an online tool, or a meeting-room
kit with camera and speakerphone) and their bookings by meetings.

* A **licence** is either *pooled* (booked per meeting by whoever schedules one) or
  *assigned* to a person or a department (only they book it). Its contract (reference,
  dates, monthly cost in yen) and the department that pays are kept for the inventory.
* A **booking** holds a licence for a meeting's time, ``[starts_at, ends_at)``. Two bookings
  of one licence never overlap: the database refuses it (``overlap.py``: an exclusion
  constraint on PostgreSQL, triggers on SQLite), whatever path the rows come by.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
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
from workhub.org.models import Department, User

LICENCE_KINDS = ("host", "room")  # an online tool's host account; a room's camera kit
USE_MODES = ("pooled", "assigned")
# Tools a licence can be of: the meeting's online tools except "none".
LICENCE_TOOLS = ("teams", "zoom", "webex", "other")
MAX_CAPACITY = 10_000


class Licence(db.Model):
    __tablename__ = "meeting_licences"
    __table_args__ = (
        CheckConstraint(one_of("kind", LICENCE_KINDS), name="kind_known"),
        CheckConstraint(one_of("tool", LICENCE_TOOLS), name="tool_known"),
        CheckConstraint(one_of("mode", USE_MODES), name="mode_known"),
        CheckConstraint(f"capacity > 0 AND capacity <= {MAX_CAPACITY}", name="capacity_range"),
        CheckConstraint("monthly_cost_yen IS NULL OR monthly_cost_yen >= 0", name="cost_positive"),
        CheckConstraint("contract_end IS NULL OR contract_start IS NULL "
                        "OR contract_end >= contract_start", name="contract_in_order"),
        CheckConstraint("(mode = 'pooled' AND assigned_user_id IS NULL "
                        "AND assigned_department_id IS NULL) OR (mode = 'assigned' AND "
                        "(assigned_user_id IS NOT NULL OR assigned_department_id IS NOT NULL))",
                        name="assignment_matches_mode"),
        UniqueConstraint("name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), default="host")
    tool: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))  # "Zoom 会議用 3"
    account: Mapped[str | None] = mapped_column(String(200))  # host sign-in or room number
    capacity: Mapped[int] = mapped_column(Integer)  # participants (a room kit: seats)
    contract_ref: Mapped[str | None] = mapped_column(String(100))
    contract_start: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    monthly_cost_yen: Mapped[int | None] = mapped_column(Integer)
    paying_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True)
    mode: Mapped[str] = mapped_column(String(8), default="pooled")
    assigned_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    assigned_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    paying_department: Mapped[Department | None] = relationship(
        foreign_keys=[paying_department_id])
    assigned_user: Mapped[User | None] = relationship(foreign_keys=[assigned_user_id])
    assigned_department: Mapped[Department | None] = relationship(
        foreign_keys=[assigned_department_id])

    def __repr__(self) -> str:
        return f"<Licence {self.id} {self.tool} {self.name!r}>"


class LicenceBooking(db.Model):
    __tablename__ = "meeting_licence_bookings"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        UniqueConstraint("meeting_id", "licence_id"),
        Index("ix_meeting_licence_bookings_slot", "licence_id", "starts_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("meeting_licences.id",
                                                       ondelete="RESTRICT"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    licence: Mapped[Licence] = relationship()


class Invitation(db.Model):
    """The invitation of a meeting as last mailed: iCalendar's SEQUENCE grows with every
    update, so mail programs replace the entry instead of adding a second one; a cancelled
    invitation went out with METHOD:CANCEL."""

    __tablename__ = "meeting_invitations"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


SCORES = (1, 2, 3, 4, 5)


class Rating(db.Model):
    """The organiser's ten-second verdict on an online meeting held (手法比較): sound and picture
    from 1 (bad) to 5 (good), whether the connection gave trouble, the tool it was held on."""

    __tablename__ = "meeting_ratings"
    __table_args__ = (
        CheckConstraint("sound BETWEEN 1 AND 5", name="sound_range"),
        CheckConstraint("picture BETWEEN 1 AND 5", name="picture_range"),
        CheckConstraint(one_of("tool", LICENCE_TOOLS), name="tool_known"),
    )

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            primary_key=True)
    tool: Mapped[str] = mapped_column(String(16))
    sound: Mapped[int] = mapped_column(Integer)
    picture: Mapped[int] = mapped_column(Integer)
    trouble: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str | None] = mapped_column(String(500))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True)
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
