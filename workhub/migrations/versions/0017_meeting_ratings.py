"""online meetings: the organiser's rating of a meeting held (tool comparison)

Revision ID: 0017_meeting_ratings
Revises: 0016_meeting_invitations
Create Date: 2026-12-08 00:40:00
"""

import sqlalchemy as sa
from alembic import op

import workhub.database

revision = "0017_meeting_ratings"
down_revision = "0016_meeting_invitations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting_ratings",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("tool", sa.String(length=16), nullable=False),
        sa.Column("sound", sa.Integer(), nullable=False),
        sa.Column("picture", sa.Integer(), nullable=False),
        sa.Column("trouble", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("rated_by_id", sa.Integer(), nullable=True),
        sa.Column("rated_at", workhub.database.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("sound BETWEEN 1 AND 5", name=op.f("ck_meeting_ratings_sound_range")),
        sa.CheckConstraint("picture BETWEEN 1 AND 5",
                           name=op.f("ck_meeting_ratings_picture_range")),
        sa.CheckConstraint("tool IN ('teams', 'zoom', 'webex', 'other')",
                           name=op.f("ck_meeting_ratings_tool_known")),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"],
                                name=op.f("fk_meeting_ratings_department_id_departments"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"],
                                name=op.f("fk_meeting_ratings_meeting_id_meetings"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["rated_by_id"], ["users.id"],
                                name=op.f("fk_meeting_ratings_rated_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_meeting_ratings")),
    )
    with op.batch_alter_table("meeting_ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_ratings_department_id"), ["department_id"],
                              unique=False)


def downgrade() -> None:
    op.drop_table("meeting_ratings")
