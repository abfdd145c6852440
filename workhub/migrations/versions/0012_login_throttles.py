"""auth: login throttling per typed login in its own table; the per-user lock goes

Revision ID: 0012_login_throttles
Revises: 0011_audit_chain
Create Date: 2026-12-07 13:10:00

users.failed_logins and users.locked_until are dropped: failures are now counted per typed
login (unknown ones too) in login_throttles, and a pause in progress is forgotten.
"""

import sqlalchemy as sa
from alembic import op
import workhub.database

revision = '0012_login_throttles'
down_revision = '0011_audit_chain'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_throttles',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('next_allowed_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_attempt_at', workhub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('directory_failures', sa.Integer(), nullable=False),
    sa.Column('directory_since', workhub.database.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles'))
    )
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttles_last_attempt_at'),
                              ['last_attempt_at'], unique=False)
    # In place on both databases (SQLite 3.35+): rebuilding users would touch its children.
    op.execute("ALTER TABLE users DROP COLUMN failed_logins")
    op.execute("ALTER TABLE users DROP COLUMN locked_until")


def downgrade() -> None:
    op.add_column('users', sa.Column('locked_until', workhub.database.UTCDateTime(timezone=True),
                                     nullable=True))
    op.add_column('users', sa.Column('failed_logins', sa.Integer(), nullable=False,
                                     server_default='0'))
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttles_last_attempt_at'))
    op.drop_table('login_throttles')
