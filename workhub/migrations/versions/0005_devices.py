"""devices and lines: inventory, lines, allocations, requests, history, permissions

Revision ID: 0005_devices
Revises: 0004_telework_stats_indexes
Create Date: 2026-11-27 12:24:46.664935
"""

from alembic import op
import sqlalchemy as sa
import workhub.database


revision = '0005_devices'
down_revision = '0004_telework_stats_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('device_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('maker', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('laptop', 'tablet', 'smartphone', 'router')", name=op.f('ck_device_models_kind_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_models')),
    sa.UniqueConstraint('kind', 'maker', 'name', name=op.f('uq_device_models_kind_maker_name'))
    )
    op.create_table('loan_terms',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text_ja', sa.Text(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('laptop', 'tablet', 'smartphone', 'router', 'line')", name=op.f('ck_loan_terms_kind_known')),
    sa.PrimaryKeyConstraint('kind', name=op.f('pk_loan_terms'))
    )
    op.create_table('devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asset_tag', sa.String(length=40), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('maker', sa.String(length=100), nullable=False),
    sa.Column('serial', sa.String(length=100), nullable=True),
    sa.Column('os', sa.String(length=100), nullable=True),
    sa.Column('purchase_date', sa.Date(), nullable=True),
    sa.Column('warranty_end', sa.Date(), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('in_stock', 'allocated', 'in_repair', 'lost', 'retired')", name=op.f('ck_devices_status_known')),
    sa.ForeignKeyConstraint(['model_id'], ['device_models.id'], name=op.f('fk_devices_model_id_device_models'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_devices')),
    sa.UniqueConstraint('asset_tag', name=op.f('uq_devices_asset_tag')),
    sa.UniqueConstraint('maker', 'serial', name='uq_devices_maker_serial')
    )
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_devices_model_id'), ['model_id'], unique=False)
        batch_op.create_index('ix_devices_status', ['status'], unique=False)

    op.create_table('device_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('purpose', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('needs_approval', sa.Boolean(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', workhub.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_comment', sa.String(length=500), nullable=True),
    sa.Column('created_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('laptop', 'tablet', 'smartphone', 'router', 'line')", name=op.f('ck_device_requests_kind_known')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'waitlisted', 'fulfilled', 'rejected', 'cancelled')", name=op.f('ck_device_requests_status_known')),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_device_requests_dates_in_order')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_device_requests_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_device_requests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_requests'))
    )
    with op.batch_alter_table('device_requests', schema=None) as batch_op:
        batch_op.create_index('ix_device_requests_status', ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_requests_user_id'), ['user_id'], unique=False)

    op.create_table('lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=True),
    sa.Column('data_line_id', sa.String(length=40), nullable=True),
    sa.Column('iccid', sa.String(length=22), nullable=True),
    sa.Column('sim_type', sa.String(length=8), nullable=False),
    sa.Column('carrier', sa.String(length=100), nullable=False),
    sa.Column('plan', sa.String(length=100), nullable=True),
    sa.Column('data_cap_gb', sa.Integer(), nullable=True),
    sa.Column('monthly_cost', sa.Integer(), nullable=True),
    sa.Column('contract_start', sa.Date(), nullable=True),
    sa.Column('contract_end', sa.Date(), nullable=True),
    sa.Column('renewal_window_days', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('pin_encrypted', sa.LargeBinary(), nullable=True),
    sa.Column('puk_encrypted', sa.LargeBinary(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("sim_type IN ('sim', 'esim')", name=op.f('ck_lines_sim_type_known')),
    sa.CheckConstraint("status IN ('in_stock', 'allocated', 'suspended', 'cancelled')", name=op.f('ck_lines_status_known')),
    sa.CheckConstraint('contract_end IS NULL OR contract_start IS NULL OR contract_end >= contract_start', name=op.f('ck_lines_contract_in_order')),
    sa.CheckConstraint('monthly_cost IS NULL OR monthly_cost >= 0', name=op.f('ck_lines_cost_not_negative')),
    sa.CheckConstraint('number IS NOT NULL OR data_line_id IS NOT NULL', name=op.f('ck_lines_number_or_data_line_id')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_lines_device_id_devices'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lines')),
    sa.UniqueConstraint('data_line_id', name=op.f('uq_lines_data_line_id')),
    sa.UniqueConstraint('iccid', name=op.f('uq_lines_iccid')),
    sa.UniqueConstraint('number', name=op.f('uq_lines_number'))
    )
    with op.batch_alter_table('lines', schema=None) as batch_op:
        batch_op.create_index('ix_lines_contract_end', ['contract_end'], unique=False)
        batch_op.create_index(batch_op.f('ix_lines_device_id'), ['device_id'], unique=False)
        batch_op.create_index('ix_lines_status', ['status'], unique=False)

    op.create_table('user_permissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("name IN ('line_secrets')", name=op.f('ck_user_permissions_name_known')),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_user_permissions_granted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_permissions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_permissions')),
    sa.UniqueConstraint('user_id', 'name', name=op.f('uq_user_permissions_user_id_name'))
    )
    with op.batch_alter_table('user_permissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_permissions_user_id'), ['user_id'], unique=False)

    op.create_table('allocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('line_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kit_id', sa.String(length=36), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('allocated_by_id', sa.Integer(), nullable=True),
    sa.Column('allocated_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('handover_notes', sa.Text(), nullable=True),
    sa.Column('confirmed_at', workhub.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('terms_version', sa.Integer(), nullable=True),
    sa.Column('last_reminded_at', workhub.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('returned_at', workhub.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('returned_by_id', sa.Integer(), nullable=True),
    sa.Column('return_condition', sa.String(length=16), nullable=True),
    sa.Column('return_notes', sa.Text(), nullable=True),
    sa.CheckConstraint("return_condition IN ('good', 'damaged', 'faulty', 'lost')", name=op.f('ck_allocations_condition_known')),
    sa.CheckConstraint('(device_id IS NULL) <> (line_id IS NULL)', name=op.f('ck_allocations_one_item')),
    sa.CheckConstraint('returned_at IS NULL OR returned_at >= allocated_at', name=op.f('ck_allocations_returned_after_allocated')),
    sa.ForeignKeyConstraint(['allocated_by_id'], ['users.id'], name=op.f('fk_allocations_allocated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_allocations_device_id_devices'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['line_id'], ['lines.id'], name=op.f('fk_allocations_line_id_lines'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['request_id'], ['device_requests.id'], name=op.f('fk_allocations_request_id_device_requests'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['returned_by_id'], ['users.id'], name=op.f('fk_allocations_returned_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_allocations_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allocations'))
    )
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allocations_device_id'), ['device_id'], unique=False)
        batch_op.create_index('ix_allocations_due', ['returned_at', 'due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_allocations_kit_id'), ['kit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allocations_line_id'), ['line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allocations_request_id'), ['request_id'], unique=False)
        batch_op.create_index('ix_allocations_user', ['user_id', 'returned_at'], unique=False)
        batch_op.create_index('uq_allocations_device_open', ['device_id'], unique=True, sqlite_where=sa.text('returned_at IS NULL'), postgresql_where=sa.text('returned_at IS NULL'))
        batch_op.create_index('uq_allocations_line_open', ['line_id'], unique=True, sqlite_where=sa.text('returned_at IS NULL'), postgresql_where=sa.text('returned_at IS NULL'))

    op.create_table('inventory_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('line_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('allocation_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_inventory_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['allocation_id'], ['allocations.id'], name=op.f('fk_inventory_events_allocation_id_allocations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_inventory_events_device_id_devices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['line_id'], ['lines.id'], name=op.f('fk_inventory_events_line_id_lines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_inventory_events_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_events'))
    )
    with op.batch_alter_table('inventory_events', schema=None) as batch_op:
        batch_op.create_index('ix_inventory_events_device', ['device_id', 'at'], unique=False)
        batch_op.create_index('ix_inventory_events_line', ['line_id', 'at'], unique=False)
        batch_op.create_index('ix_inventory_events_user', ['user_id', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('inventory_events', schema=None) as batch_op:
        batch_op.drop_index('ix_inventory_events_user')
        batch_op.drop_index('ix_inventory_events_line')
        batch_op.drop_index('ix_inventory_events_device')

    op.drop_table('inventory_events')
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.drop_index('uq_allocations_line_open', sqlite_where=sa.text('returned_at IS NULL'), postgresql_where=sa.text('returned_at IS NULL'))
        batch_op.drop_index('uq_allocations_device_open', sqlite_where=sa.text('returned_at IS NULL'), postgresql_where=sa.text('returned_at IS NULL'))
        batch_op.drop_index('ix_allocations_user')
        batch_op.drop_index(batch_op.f('ix_allocations_request_id'))
        batch_op.drop_index(batch_op.f('ix_allocations_line_id'))
        batch_op.drop_index(batch_op.f('ix_allocations_kit_id'))
        batch_op.drop_index('ix_allocations_due')
        batch_op.drop_index(batch_op.f('ix_allocations_device_id'))

    op.drop_table('allocations')
    with op.batch_alter_table('user_permissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_permissions_user_id'))

    op.drop_table('user_permissions')
    with op.batch_alter_table('lines', schema=None) as batch_op:
        batch_op.drop_index('ix_lines_status')
        batch_op.drop_index(batch_op.f('ix_lines_device_id'))
        batch_op.drop_index('ix_lines_contract_end')

    op.drop_table('lines')
    with op.batch_alter_table('device_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_device_requests_user_id'))
        batch_op.drop_index('ix_device_requests_status')

    op.drop_table('device_requests')
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index('ix_devices_status')
        batch_op.drop_index(batch_op.f('ix_devices_model_id'))

    op.drop_table('devices')
    op.drop_table('loan_terms')
    op.drop_table('device_models')
