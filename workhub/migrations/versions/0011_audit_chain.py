"""audit: a hash chain over the audit log (seq, prev_hash, hash) and its head

Revision ID: 0011_audit_chain
Revises: 0010_user_sessions
Create Date: 2026-12-07 06:40:00

The entries already written are sealed here, in id order.
"""

import sqlalchemy as sa
from alembic import op
import workhub.database
from workhub.auth.audit_chain import entry_hash

revision = '0011_audit_chain'
down_revision = '0010_user_sessions'
branch_labels = None
depends_on = None

EVENTS = sa.table(
    'audit_events', sa.column('id', sa.Integer), sa.column('at', workhub.database.UTCDateTime()),
    sa.column('event', sa.String), sa.column('actor_id', sa.Integer),
    sa.column('actor_login', sa.String), sa.column('target', sa.String),
    sa.column('ip', sa.String), sa.column('detail', sa.JSON), sa.column('seq', sa.Integer),
    sa.column('prev_hash', sa.String), sa.column('hash', sa.String))


def upgrade() -> None:
    op.create_table('audit_chain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain'))
    )
    op.add_column('audit_events', sa.Column('seq', sa.Integer(), nullable=True))
    op.add_column('audit_events', sa.Column('prev_hash', sa.String(length=64), nullable=True))
    op.add_column('audit_events', sa.Column('hash', sa.String(length=64), nullable=True))
    op.create_index('uq_audit_events_seq', 'audit_events', ['seq'], unique=True)
    conn = op.get_bind()
    seq, last = 0, ""
    for row in conn.execute(sa.select(EVENTS).order_by(EVENTS.c.id)).all():
        seq += 1
        digest = entry_hash(last, seq, row)
        conn.execute(EVENTS.update().where(EVENTS.c.id == row.id)
                     .values(seq=seq, prev_hash=last, hash=digest))
        last = digest
    conn.execute(sa.table('audit_chain', sa.column('id'), sa.column('seq'),
                          sa.column('last_hash')).insert().values(id=1, seq=seq, last_hash=last))


def downgrade() -> None:
    op.drop_index('uq_audit_events_seq', table_name='audit_events')
    for name in ('hash', 'prev_hash', 'seq'):
        op.execute(f"ALTER TABLE audit_events DROP COLUMN {name}")
    op.drop_table('audit_chain')
