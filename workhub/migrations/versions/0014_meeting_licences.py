"""online meetings: licences (host accounts, room kits) and their bookings by meetings

Revision ID: 0014_meeting_licences
Revises: 0013_token_scopes
Create Date: 2026-12-07 23:50:00

Two bookings of one licence never overlap: an exclusion constraint on PostgreSQL, triggers on
SQLite (workhub/online_meetings/overlap.py).
"""

import sqlalchemy as sa
from alembic import op

import workhub.database
from workhub.online_meetings import overlap

revision = "0014_meeting_licences"
down_revision = "0013_token_scopes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting_licences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("tool", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("contract_ref", sa.String(length=100), nullable=True),
        sa.Column("contract_start", sa.Date(), nullable=True),
        sa.Column("contract_end", sa.Date(), nullable=True),
        sa.Column("monthly_cost_yen", sa.Integer(), nullable=True),
        sa.Column("paying_department_id", sa.Integer(), nullable=True),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("assigned_user_id", sa.Integer(), nullable=True),
        sa.Column("assigned_department_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", workhub.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", workhub.database.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('host', 'room')", name=op.f("ck_meeting_licences_kind_known")),
        sa.CheckConstraint("tool IN ('teams', 'zoom', 'webex', 'other')",
                           name=op.f("ck_meeting_licences_tool_known")),
        sa.CheckConstraint("mode IN ('pooled', 'assigned')",
                           name=op.f("ck_meeting_licences_mode_known")),
        sa.CheckConstraint("capacity > 0 AND capacity <= 10000",
                           name=op.f("ck_meeting_licences_capacity_range")),
        sa.CheckConstraint("monthly_cost_yen IS NULL OR monthly_cost_yen >= 0",
                           name=op.f("ck_meeting_licences_cost_positive")),
        sa.CheckConstraint("contract_end IS NULL OR contract_start IS NULL "
                           "OR contract_end >= contract_start",
                           name=op.f("ck_meeting_licences_contract_in_order")),
        sa.CheckConstraint("(mode = 'pooled' AND assigned_user_id IS NULL "
                           "AND assigned_department_id IS NULL) OR (mode = 'assigned' AND "
                           "(assigned_user_id IS NOT NULL OR assigned_department_id IS NOT NULL))",
                           name=op.f("ck_meeting_licences_assignment_matches_mode")),
        sa.ForeignKeyConstraint(["assigned_department_id"], ["departments.id"],
                                name=op.f("fk_meeting_licences_assigned_department_id_departments"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["assigned_user_id"], ["users.id"],
                                name=op.f("fk_meeting_licences_assigned_user_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["paying_department_id"], ["departments.id"],
                                name=op.f("fk_meeting_licences_paying_department_id_departments"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_licences")),
        sa.UniqueConstraint("name", name=op.f("uq_meeting_licences_name")),
    )
    with op.batch_alter_table("meeting_licences", schema=None) as batch_op:
        for column in ("assigned_department_id", "assigned_user_id", "paying_department_id"):
            batch_op.create_index(batch_op.f(f"ix_meeting_licences_{column}"), [column],
                                  unique=False)
    op.create_table(
        "meeting_licence_bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", workhub.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", workhub.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("booked_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", workhub.database.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at",
                           name=op.f("ck_meeting_licence_bookings_ends_after_start")),
        sa.ForeignKeyConstraint(["booked_by_id"], ["users.id"],
                                name=op.f("fk_meeting_licence_bookings_booked_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["licence_id"], ["meeting_licences.id"],
                                name=op.f("fk_meeting_licence_bookings_licence_id_meeting_licences"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"],
                                name=op.f("fk_meeting_licence_bookings_meeting_id_meetings"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_licence_bookings")),
        sa.UniqueConstraint("meeting_id", "licence_id",
                            name=op.f("uq_meeting_licence_bookings_meeting_id_licence_id")),
    )
    with op.batch_alter_table("meeting_licence_bookings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_licence_bookings_meeting_id"),
                              ["meeting_id"], unique=False)
        batch_op.create_index("ix_meeting_licence_bookings_slot",
                              ["licence_id", "starts_at", "ends_at"], unique=False)
    overlap.install(op.get_bind())


def downgrade() -> None:
    overlap.drop(op.get_bind())
    op.drop_table("meeting_licence_bookings")
    op.drop_table("meeting_licences")
