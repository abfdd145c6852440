"""Tables of the telework package.

A *booking* is the plan (a remote day, or half day, asked for and approved); a *session* is
what actually happened and is what the city counts: one session = one remote-work occurrence
(実施回数) in the month of its date.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workhub.database import UTCDateTime, one_of, utcnow
from workhub.extensions import db
from workhub.org.models import Department, User

SLOTS = ("full", "am", "pm")
PLACES = ("home", "satellite", "other")
BOOKING_STATUSES = ("pending", "approved", "rejected", "cancelled")
ACTIVE_BOOKING = ("pending", "approved")


class TeleworkPolicy(db.Model):
    """Rules for a department's subtree; the row without a department is the organisation's.

    A department without its own row follows its nearest ancestor that has one, then the
    organisation default. ``None`` in a limit means "no limit".
    """

    __tablename__ = "telework_policies"
    __table_args__ = (
        CheckConstraint("max_days_per_week IS NULL OR max_days_per_week BETWEEN 0 AND 7",
                        name="week_range"),
        CheckConstraint("max_days_per_month IS NULL OR max_days_per_month BETWEEN 0 AND 31",
                        name="month_range"),
        CheckConstraint("deadline_business_days BETWEEN 0 AND 30", name="deadline_range"),
        CheckConstraint("deadline_minutes BETWEEN 0 AND 1439", name="deadline_time_range"),
        CheckConstraint("warn_share_percent IS NULL OR warn_share_percent BETWEEN 1 AND 100",
                        name="share_range"),
        CheckConstraint("(department_id IS NULL) = is_org_default", name="org_default_flag"),
        # One organisation default, and one row per department (department_id is unique).
        Index("uq_telework_policies_org_default", "is_org_default", unique=True,
              sqlite_where=text("is_org_default"), postgresql_where=text("is_org_default")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), unique=True
    )
    is_org_default: Mapped[bool] = mapped_column(Boolean, default=False)
    max_days_per_week: Mapped[int | None] = mapped_column(Integer)
    max_days_per_month: Mapped[int | None] = mapped_column(Integer)
    # Book by HH:MM (minutes after midnight, Japan time) N business days before the day.
    deadline_business_days: Mapped[int] = mapped_column(Integer, default=1)
    deadline_minutes: Mapped[int] = mapped_column(Integer, default=17 * 60)
    approval_required: Mapped[bool] = mapped_column(Boolean, default=True)
    warn_share_percent: Mapped[int | None] = mapped_column(Integer)
    allow_unplanned_sessions: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    department: Mapped[Department | None] = relationship()

    def __repr__(self) -> str:
        return f"<TeleworkPolicy dept={self.department_id}>"


class Booking(db.Model):
    """One planned remote day (or half day) of one person."""

    __tablename__ = "telework_bookings"
    __table_args__ = (
        CheckConstraint(one_of("slot", SLOTS), name="slot_known"),
        CheckConstraint(one_of("place", PLACES), name="place_known"),
        CheckConstraint(one_of("status", BOOKING_STATUSES), name="status_known"),
        # A person has at most one live booking per day and slot; full-day against half-day
        # overlaps are refused by the service.
        Index("uq_telework_bookings_live", "user_id", "day", "slot", unique=True,
              sqlite_where=text("status IN ('pending', 'approved')"),
              postgresql_where=text("status IN ('pending', 'approved')")),
        Index("ix_telework_bookings_day_status", "day", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    slot: Mapped[str] = mapped_column(String(8), default="full")
    place: Mapped[str] = mapped_column(String(16), default="home")
    place_note: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # Bookings made together (a range or a weekly pattern) share a series id.
    series_id: Mapped[str | None] = mapped_column(String(36), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str | None] = mapped_column(String(500))
    # Set when HR or an admin let the booking through a rule it breaks.
    override_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    history: Mapped[list[BookingEvent]] = relationship(
        back_populates="booking", cascade="all, delete-orphan", order_by="BookingEvent.id"
    )

    def __repr__(self) -> str:
        return f"<Booking {self.id} {self.user_id} {self.day} {self.slot} {self.status}>"

    @property
    def live(self) -> bool:
        return self.status in ACTIVE_BOOKING


class BookingEvent(db.Model):
    """The status history of a booking: never rewritten."""

    __tablename__ = "telework_booking_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("telework_bookings.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(String(500))

    booking: Mapped[Booking] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()


class TeleworkSession(db.Model):
    """One remote-work occurrence that actually happened (or is running: no end yet)."""

    __tablename__ = "telework_sessions"
    __table_args__ = (
        CheckConstraint(one_of("place", PLACES), name="place_known"),
        CheckConstraint(one_of("slot", SLOTS), name="slot_known"),
        CheckConstraint("ended_at IS NULL OR ended_at > started_at", name="ends_after_start"),
        # At most one running session per person.
        Index("uq_telework_sessions_running", "user_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
        Index("ix_telework_sessions_day", "day"),
        Index("ix_telework_sessions_user_day", "user_id", "day"),
        # Covers the statistics (migration 0004): counts and hours by day, department, place
        # and slot are read from the index alone, in day order.
        Index("ix_telework_sessions_stats", "day", "department_id", "place", "booking_id",
              "started_at", "ended_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The Japan-time date the session counts for (its start), kept for fast monthly counts.
    day: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(16), default="home")
    report: Mapped[str | None] = mapped_column(Text)
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("telework_bookings.id", ondelete="SET NULL"), index=True
    )
    unplanned: Mapped[bool] = mapped_column(Boolean, default=False)
    # The slot of the linked booking when the session was recorded ("full" without one):
    # kept on the session so statistics need no join and survive the booking's deletion.
    slot: Mapped[str] = mapped_column(String(8), default="full", server_default="full")
    # The person's department when the session happened: statistics stay true after moves.
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
    booking: Mapped[Booking | None] = relationship()

    def __repr__(self) -> str:
        return f"<TeleworkSession {self.id} {self.user_id} {self.day}>"

    @property
    def minutes(self) -> int | None:
        if self.ended_at is None:
            return None
        return int((self.ended_at - self.started_at).total_seconds() // 60)


class SessionRollup(db.Model):
    """Sessions and seconds per month × department × place × slot × weekday.

    Kept by database triggers on telework_sessions (workhub/telework/rollup.py), in the same
    transaction as every insert, update and delete — including cascades the ORM never sees —
    so the statistics read a few thousand rows instead of every session. ``department_key``
    is the session's department id, 0 for none, and -1 for the whole office (every session
    is in two buckets); ``weekday`` 0 = Monday. ``seconds`` counts
    finished sessions only (a running one has no end yet)."""

    __tablename__ = "telework_rollup"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    department_key: Mapped[int] = mapped_column(Integer, primary_key=True)  # -1: office
    place: Mapped[str] = mapped_column(String(16), primary_key=True)
    slot: Mapped[str] = mapped_column(String(8), primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer, primary_key=True)
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)


class MonthClose(db.Model):
    """A month HR has closed: its sessions can no longer be changed until it is reopened."""

    __tablename__ = "telework_month_closes"
    __table_args__ = (CheckConstraint("length(month) = 7", name="month_format"),)

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "YYYY-MM"
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class MonthlyTarget(db.Model):
    """The organisation's target of sessions for a month (department NULL) or a department's."""

    __tablename__ = "telework_targets"
    __table_args__ = (
        CheckConstraint("target >= 0", name="target_positive"),
        CheckConstraint("length(month) = 7", name="month_format"),
        UniqueConstraint("month", "department_id"),
        Index("uq_telework_targets_org", "month", unique=True,
              sqlite_where=text("department_id IS NULL"),
              postgresql_where=text("department_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE")
    )
    target: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    department: Mapped[Department | None] = relationship()


class CalendarFeed(db.Model):
    """A secret URL for an iCalendar feed of one person's or one department's remote days."""

    __tablename__ = "telework_calendar_feeds"
    __table_args__ = (CheckConstraint("scope IN ('person', 'department')", name="scope_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(16))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE")
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[User] = relationship()
    department: Mapped[Department | None] = relationship()


class ApprovalDelegate(db.Model):
    """A person who may approve bookings of a department on its managers' behalf."""

    __tablename__ = "telework_delegates"
    __table_args__ = (UniqueConstraint("department_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    until: Mapped[date | None] = mapped_column(Date)
