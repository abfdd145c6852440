"""telework

Revision ID: 0003_telework
Revises: 0002_jobs_notifications
Create Date: 2026-11-27 10:07:45.019711
"""

from alembic import op
import sqlalchemy as sa
import workhub.database


revision = "0003_telework"
down_revision = "0002_jobs_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('telework_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('is_org_default', sa.Boolean(), nullable=False),
    sa.Column('max_days_per_week', sa.Integer(), nullable=True),
    sa.Column('max_days_per_month', sa.Integer(), nullable=True),
    sa.Column('deadline_business_days', sa.Integer(), nullable=False),
    sa.Column('deadline_minutes', sa.Integer(), nullable=False),
    sa.Column('approval_required', sa.Boolean(), nullable=False),
    sa.Column('warn_share_percent', sa.Integer(), nullable=True),
    sa.Column('allow_unplanned_sessions', sa.Boolean(), nullable=False),
    sa.Column('updated_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(department_id IS NULL) = is_org_default', name=op.f('ck_telework_policies_org_default_flag')),
    sa.CheckConstraint('deadline_business_days BETWEEN 0 AND 30', name=op.f('ck_telework_policies_deadline_range')),
    sa.CheckConstraint('deadline_minutes BETWEEN 0 AND 1439', name=op.f('ck_telework_policies_deadline_time_range')),
    sa.CheckConstraint('max_days_per_month IS NULL OR max_days_per_month BETWEEN 0 AND 31', name=op.f('ck_telework_policies_month_range')),
    sa.CheckConstraint('max_days_per_week IS NULL OR max_days_per_week BETWEEN 0 AND 7', name=op.f('ck_telework_policies_week_range')),
    sa.CheckConstraint('warn_share_percent IS NULL OR warn_share_percent BETWEEN 1 AND 100', name=op.f('ck_telework_policies_share_range')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_telework_policies_department_id_departments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_telework_policies')),
    sa.UniqueConstraint('department_id', name=op.f('uq_telework_policies_department_id'))
    )
    with op.batch_alter_table('telework_policies', schema=None) as batch_op:
        batch_op.create_index('uq_telework_policies_org_default', ['is_org_default'], unique=True, sqlite_where=sa.text('is_org_default'), postgresql_where=sa.text('is_org_default'))

    op.create_table('telework_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('updated_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(month) = 7', name=op.f('ck_telework_targets_month_format')),
    sa.CheckConstraint('target >= 0', name=op.f('ck_telework_targets_target_positive')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_telework_targets_department_id_departments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_telework_targets')),
    sa.UniqueConstraint('month', 'department_id', name=op.f('uq_telework_targets_month_department_id'))
    )
    with op.batch_alter_table('telework_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_telework_targets_month'), ['month'], unique=False)
        batch_op.create_index('uq_telework_targets_org', ['month'], unique=True, sqlite_where=sa.text('department_id IS NULL'), postgresql_where=sa.text('department_id IS NULL'))

    op.create_table('telework_bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('slot', sa.String(length=8), nullable=False),
    sa.Column('place', sa.String(length=16), nullable=False),
    sa.Column('place_note', sa.String(length=200), nullable=True),
    sa.Column('purpose', sa.String(length=500), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('series_id', sa.String(length=36), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', workhub.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_comment', sa.String(length=500), nullable=True),
    sa.Column('override_reason', sa.String(length=500), nullable=True),
    sa.Column('created_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("place IN ('home', 'satellite', 'other')", name=op.f('ck_telework_bookings_place_known')),
    sa.CheckConstraint("slot IN ('full', 'am', 'pm')", name=op.f('ck_telework_bookings_slot_known')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected', 'cancelled')", name=op.f('ck_telework_bookings_status_known')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_telework_bookings_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_telework_bookings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_telework_bookings'))
    )
    with op.batch_alter_table('telework_bookings', schema=None) as batch_op:
        batch_op.create_index('ix_telework_bookings_day_status', ['day', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_telework_bookings_series_id'), ['series_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_telework_bookings_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_telework_bookings_live', ['user_id', 'day', 'slot'], unique=True, sqlite_where=sa.text("status IN ('pending', 'approved')"), postgresql_where=sa.text("status IN ('pending', 'approved')"))

    op.create_table('telework_calendar_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', workhub.database.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("scope IN ('person', 'department')", name=op.f('ck_telework_calendar_feeds_scope_known')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_telework_calendar_feeds_department_id_departments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_telework_calendar_feeds_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_telework_calendar_feeds')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_telework_calendar_feeds_token_hash'))
    )
    with op.batch_alter_table('telework_calendar_feeds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_telework_calendar_feeds_owner_id'), ['owner_id'], unique=False)

    op.create_table('telework_delegates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_telework_delegates_department_id_departments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_telework_delegates_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_telework_delegates')),
    sa.UniqueConstraint('department_id', 'user_id', name=op.f('uq_telework_delegates_department_id_user_id'))
    )
    op.create_table('telework_month_closes',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('closed_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('length(month) = 7', name=op.f('ck_telework_month_closes_month_format')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_telework_month_closes_closed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_telework_month_closes'))
    )
    op.create_table('telework_booking_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_telework_booking_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['booking_id'], ['telework_bookings.id'], name=op.f('fk_telework_booking_events_booking_id_telework_bookings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_telework_booking_events'))
    )
    with op.batch_alter_table('telework_booking_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_telework_booking_events_booking_id'), ['booking_id'], unique=False)

    op.create_table('telework_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('started_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', workhub.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('place', sa.String(length=16), nullable=False),
    sa.Column('report', sa.Text(), nullable=True),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('unplanned', sa.Boolean(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('created_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("place IN ('home', 'satellite', 'other')", name=op.f('ck_telework_sessions_place_known')),
    sa.CheckConstraint('ended_at IS NULL OR ended_at > started_at', name=op.f('ck_telework_sessions_ends_after_start')),
    sa.ForeignKeyConstraint(['booking_id'], ['telework_bookings.id'], name=op.f('fk_telework_sessions_booking_id_telework_bookings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_telework_sessions_department_id_departments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_telework_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_telework_sessions'))
    )
    with op.batch_alter_table('telework_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_telework_sessions_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index('ix_telework_sessions_day', ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_telework_sessions_department_id'), ['department_id'], unique=False)
        batch_op.create_index('ix_telework_sessions_user_day', ['user_id', 'day'], unique=False)
        batch_op.create_index('uq_telework_sessions_running', ['user_id'], unique=True, sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))

    # The organisation's default policy: book by 17:00 on the previous business day, managers
    # approve, no day limits, sessions without a booking allowed (counted as unplanned).
    policies = sa.table(
        "telework_policies",
        sa.column("is_org_default", sa.Boolean),
        sa.column("deadline_business_days", sa.Integer),
        sa.column("deadline_minutes", sa.Integer),
        sa.column("approval_required", sa.Boolean),
        sa.column("allow_unplanned_sessions", sa.Boolean),
        sa.column("updated_at", workhub.database.UTCDateTime(timezone=True)),
    )
    op.bulk_insert(policies, [{
        "is_org_default": True, "deadline_business_days": 1, "deadline_minutes": 17 * 60,
        "approval_required": True, "allow_unplanned_sessions": True,
        "updated_at": workhub.database.utcnow(),
    }])


def downgrade() -> None:
    with op.batch_alter_table('telework_sessions', schema=None) as batch_op:
        batch_op.drop_index('uq_telework_sessions_running', sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index('ix_telework_sessions_user_day')
        batch_op.drop_index(batch_op.f('ix_telework_sessions_department_id'))
        batch_op.drop_index('ix_telework_sessions_day')
        batch_op.drop_index(batch_op.f('ix_telework_sessions_booking_id'))

    op.drop_table('telework_sessions')
    with op.batch_alter_table('telework_booking_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_telework_booking_events_booking_id'))

    op.drop_table('telework_booking_events')
    op.drop_table('telework_month_closes')
    op.drop_table('telework_delegates')
    with op.batch_alter_table('telework_calendar_feeds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_telework_calendar_feeds_owner_id'))

    op.drop_table('telework_calendar_feeds')
    with op.batch_alter_table('telework_bookings', schema=None) as batch_op:
        batch_op.drop_index('uq_telework_bookings_live', sqlite_where=sa.text("status IN ('pending', 'approved')"), postgresql_where=sa.text("status IN ('pending', 'approved')"))
        batch_op.drop_index(batch_op.f('ix_telework_bookings_user_id'))
        batch_op.drop_index(batch_op.f('ix_telework_bookings_series_id'))
        batch_op.drop_index('ix_telework_bookings_day_status')

    op.drop_table('telework_bookings')
    with op.batch_alter_table('telework_targets', schema=None) as batch_op:
        batch_op.drop_index('uq_telework_targets_org', sqlite_where=sa.text('department_id IS NULL'), postgresql_where=sa.text('department_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_telework_targets_month'))

    op.drop_table('telework_targets')
    with op.batch_alter_table('telework_policies', schema=None) as batch_op:
        batch_op.drop_index('uq_telework_policies_org_default', sqlite_where=sa.text('is_org_default'), postgresql_where=sa.text('is_org_default'))

    op.drop_table('telework_policies')
