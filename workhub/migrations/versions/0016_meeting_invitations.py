"""online meetings: the invitation of a meeting as last mailed (its iCalendar sequence)

Revision ID: 0016_meeting_invitations
Revises: 0015_meeting_link_notes
Create Date: 2026-12-08 00:30:00
"""

import sqlalchemy as sa
from alembic import op

import workhub.database

revision = "0016_meeting_invitations"
down_revision = "0015_meeting_link_notes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting_invitations",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("sent_at", workhub.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("cancelled_at", workhub.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"],
                                name=op.f("fk_meeting_invitations_meeting_id_meetings"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sent_by_id"], ["users.id"],
                                name=op.f("fk_meeting_invitations_sent_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_meeting_invitations")),
    )


def downgrade() -> None:
    op.drop_table("meeting_invitations")
