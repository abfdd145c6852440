"""Tables of the surveys package.

Anonymity is a property of storage:

* ``SurveyParticipation`` says *who* took part (for one response per person, reminders
  and response rates): person, survey, status, whether the response has been released, and
  for identified surveys the day. An anonymous participation carries no date at all.
* ``SurveyPoolEntry`` (``survey_pool``) holds a submitted anonymous response until it is
  released: the answers as JSON under a random id, no person, no time. The release
  (surveys/release.py) moves every pending entry of a survey, once there are at least k
  of them (or at close), into ``SurveyResponse`` rows in shuffled order in one
  transaction, marks the participations released in the same transaction, and vacuums
  the pool: a batch shares one transaction id, and row order within it is random.
* ``SurveyResponse`` / ``SurveyAnswer`` hold *what* was answered: in an anonymous survey
  only released responses, with random ids and no person, department or time. In an
  identified survey ``user_id``/``department_id`` are filled and it is written at once.
* A draft of an anonymous survey is sealed (``SurveyDraft.sealed``): its answers are
  encrypted under a key that only the person's browser (or API client) keeps.
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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workhub.database import UTCDateTime, one_of, utcnow
from workhub.extensions import db
from workhub.org.models import User

QUESTION_TYPES = ("single", "multiple", "likert", "rating", "number", "date", "text",
                  "longtext", "likert_matrix")
CHOICE_TYPES = ("single", "multiple")
TEXT_TYPES = ("text", "longtext")
SURVEY_STATUSES = ("draft", "published", "closed")
PARTICIPATION_STATUSES = ("draft", "submitted")
MIN_K = 3
DEFAULT_K = 5


class Survey(db.Model):
    __tablename__ = "surveys"
    __table_args__ = (
        CheckConstraint(one_of("status", SURVEY_STATUSES), name="status_known"),
        CheckConstraint(f"min_group_size >= {MIN_K}", name="k_at_least_3"),
        CheckConstraint("closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at",
                        name="closes_after_opens"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    description_ja: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    audience_all: Mapped[bool] = mapped_column(Boolean, default=True)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    min_group_size: Mapped[int] = mapped_column(Integer, default=DEFAULT_K)
    # Identified surveys only: answers may be changed until closing.
    editable_until_close: Mapped[bool] = mapped_column(Boolean, default=True)
    reminder_days: Mapped[int | None] = mapped_column(Integer)  # remind every N days
    last_reminded_on: Mapped[date | None] = mapped_column(Date)
    template_key: Mapped[str | None] = mapped_column(String(40))  # built from a template
    copied_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("surveys.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sections: Mapped[list[SurveySection]] = relationship(
        back_populates="survey", order_by="SurveySection.position", cascade="all, delete-orphan")
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey", order_by="SurveyQuestion.position",
        cascade="all, delete-orphan")
    audience: Mapped[list[SurveyAudience]] = relationship(cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Survey {self.id} {self.status}>"


class SurveyAudience(db.Model):
    """Who is asked (when not everyone): a department (with or without its subtree) or a
    role; a person is in the audience when any row matches."""

    __tablename__ = "survey_audience"
    __table_args__ = (
        CheckConstraint("(department_id IS NULL) <> (role IS NULL)", name="department_or_role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"))
    include_subtree: Mapped[bool] = mapped_column(Boolean, default=True)
    role: Mapped[str | None] = mapped_column(String(32))


class SurveySection(db.Model):
    __tablename__ = "survey_sections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))

    survey: Mapped[Survey] = relationship(back_populates="sections")


class SurveyQuestion(db.Model):
    """One question. Type-specific settings are columns (min/max for rating and number) and
    options (choices; for a Likert matrix, its rows — the scale is the 5-point one)."""

    __tablename__ = "survey_questions"
    __table_args__ = (
        CheckConstraint(one_of("type", QUESTION_TYPES), name="type_known"),
        UniqueConstraint("survey_id", "key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_sections.id", ondelete="SET NULL"))
    key: Mapped[str] = mapped_column(String(40))  # stable id in the API: [a-z0-9_]
    position: Mapped[int] = mapped_column(Integer, default=0)
    type: Mapped[str] = mapped_column(String(16))
    text_ja: Mapped[str] = mapped_column(String(500))
    text_en: Mapped[str | None] = mapped_column(String(500))
    help_ja: Mapped[str | None] = mapped_column(String(500))
    help_en: Mapped[str | None] = mapped_column(String(500))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    max_length: Mapped[int | None] = mapped_column(Integer)
    # Simple conditional display: shown only when question ``show_if_question_id`` has the
    # option with key ``show_if_option_key`` among its answers.
    show_if_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="SET NULL"))
    show_if_option_key: Mapped[str | None] = mapped_column(String(40))

    survey: Mapped[Survey] = relationship(back_populates="questions")
    options: Mapped[list[SurveyOption]] = relationship(
        order_by="SurveyOption.position", cascade="all, delete-orphan")


class SurveyOption(db.Model):
    __tablename__ = "survey_options"
    __table_args__ = (UniqueConstraint("question_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)
    label_ja: Mapped[str] = mapped_column(String(300))
    label_en: Mapped[str | None] = mapped_column(String(300))


class SurveyParticipation(db.Model):
    """Who took part: never linked to a response of an anonymous survey."""

    __tablename__ = "survey_participation"
    __table_args__ = (
        CheckConstraint(one_of("status", PARTICIPATION_STATUSES), name="status_known"),
        # One response per person: the database decides between concurrent submits.
        UniqueConstraint("survey_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The person's department when they answered, for response rates by department.
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    # Identified surveys only: the day they answered (never a time). NULL when anonymous.
    submitted_on: Mapped[date | None] = mapped_column(Date)
    # Whether the response is in the released results (always for identified surveys; an
    # anonymous one when its batch is released). Response rates count released ones only.
    released: Mapped[bool] = mapped_column(Boolean, default=True)


class SurveyDraft(db.Model):
    """Answers saved but not yet submitted (resumable); deleted on submission. For an
    anonymous survey ``answers_json`` is a Fernet token (``sealed``) whose key only the
    person's browser or API client holds."""

    __tablename__ = "survey_drafts"
    __table_args__ = (UniqueConstraint("survey_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    answers_json: Mapped[str] = mapped_column(Text, default="{}")
    sealed: Mapped[bool] = mapped_column(Boolean, default=False)
    saved_on: Mapped[date] = mapped_column(Date)


class SurveyPoolEntry(db.Model):
    """A submitted anonymous response waiting for its batch: no person, no time, a random
    id (SQLite: no hidden rowid either)."""

    __tablename__ = "survey_pool"
    __table_args__ = ({"sqlite_with_rowid": False},)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # random UUID4
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    answers_json: Mapped[str] = mapped_column(Text)


class SurveyResponse(db.Model):
    """One released response. Anonymous: no person, no department, no time."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        UniqueConstraint("survey_id", "user_id", name="uq_survey_responses_identified"),
        Index("ix_survey_responses_survey", "survey_id"),
        # SQLite: no hidden rowid counting responses in release order; rows are kept in the
        # order of their random ids. (On PostgreSQL a batch is inserted in shuffled order.)
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # random UUID4
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    # Identified surveys only (NULL in anonymous ones, enforced in services and tested).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # identified edits

    answers: Mapped[list[SurveyAnswer]] = relationship(cascade="all, delete-orphan")
    user: Mapped[User | None] = relationship()


class SurveyAnswer(db.Model):
    """One value: a chosen option (one row per option for multiple choice; per matrix row
    with ``option_id`` the row and ``number`` the scale point), a number, a date or text."""

    __tablename__ = "survey_answers"
    __table_args__ = (Index("ix_survey_answers_question", "question_id", "option_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[str] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"))
    option_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_options.id", ondelete="CASCADE"))
    number: Mapped[float | None] = mapped_column(Float)
    date_value: Mapped[date | None] = mapped_column(Date)
    text: Mapped[str | None] = mapped_column(Text)
