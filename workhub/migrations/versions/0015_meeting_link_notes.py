"""meetings: the link to join an online meeting and notes for the participants

Revision ID: 0015_meeting_link_notes
Revises: 0014_meeting_licences
Create Date: 2026-12-08 00:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_meeting_link_notes"
down_revision = "0014_meeting_licences"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("join_url", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("notes", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("notes")
        batch_op.drop_column("join_url")
