"""telework statistics roll-up: sessions.slot, telework_rollup and its triggers

Revision ID: 0006_telework_rollup
Revises: 0005_devices
Create Date: 2026-11-27 13:05:00

The statistics read telework_rollup (month × department × place × slot × weekday) instead of
every session; triggers on telework_sessions keep it (workhub/telework/rollup.py). The slot of
a session's booking is copied onto the session so the triggers need no join.
"""

import sqlalchemy as sa
from alembic import op

from workhub.telework import rollup

revision = "0006_telework_rollup"
down_revision = "0005_devices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("telework_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slot", sa.String(length=8), server_default="full",
                                      nullable=False))
        batch_op.create_check_constraint("slot_known", "slot IN ('full', 'am', 'pm')")
    op.execute(
        "UPDATE telework_sessions SET slot = (SELECT b.slot FROM telework_bookings b "
        "WHERE b.id = telework_sessions.booking_id) WHERE booking_id IS NOT NULL"
    )
    op.create_table(
        "telework_rollup",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("department_key", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=16), nullable=False),
        sa.Column("slot", sa.String(length=8), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("month", "department_key", "place", "slot", "weekday",
                                name=op.f("pk_telework_rollup")),
    )
    conn = op.get_bind()
    rollup.install_triggers(conn)
    rollup.rebuild(conn)


def downgrade() -> None:
    rollup.drop_triggers(op.get_bind())
    op.drop_table("telework_rollup")
    with op.batch_alter_table("telework_sessions", schema=None) as batch_op:
        batch_op.drop_constraint("slot_known", type_="check")
        batch_op.drop_column("slot")
