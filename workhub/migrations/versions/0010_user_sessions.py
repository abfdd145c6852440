"""auth: server-side sign-in sessions and a per-person session version

Revision ID: 0010_user_sessions
Revises: 0009_survey_anonymity
Create Date: 2026-12-07 06:10:00

Sessions signed before this version carry no session token and end at the next request:
everyone signs in again once after the upgrade.
"""

import sqlalchemy as sa
from alembic import op
import workhub.database

revision = '0010_user_sessions'
down_revision = '0009_survey_anonymity'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('agent', sa.String(length=200), nullable=True),
    sa.Column('ended_at', workhub.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)
    op.add_column('users', sa.Column('session_version', sa.Integer(), nullable=False,
                                     server_default='0'))


def downgrade() -> None:
    # In place on both databases (SQLite 3.35+): rebuilding users would touch its children.
    op.execute("ALTER TABLE users DROP COLUMN session_version")
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')
