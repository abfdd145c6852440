"""auth: API tokens get scopes (read / read+write per feature) and an expiry date

Revision ID: 0013_token_scopes
Revises: 0012_login_throttles
Create Date: 2026-12-07 13:20:00

Tokens made before this version keep what they could do (read and write everywhere) and
expire 90 days after the upgrade.
"""

from datetime import datetime, timedelta, UTC

import sqlalchemy as sa
from alembic import op
import workhub.database

revision = '0013_token_scopes'
down_revision = '0012_login_throttles'
branch_labels = None
depends_on = None

EVERYTHING = "devices:write meetings:write surveys:write telework:write"


def upgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scopes', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('expires_at', workhub.database.UTCDateTime(timezone=True),
                                      nullable=True))
    tokens = sa.table('api_tokens', sa.column('scopes', sa.String),
                      sa.column('expires_at', workhub.database.UTCDateTime()))
    op.get_bind().execute(tokens.update().values(
        scopes=EVERYTHING, expires_at=datetime.now(UTC) + timedelta(days=90)))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=workhub.database.UTCDateTime(timezone=True),
                              nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
        batch_op.drop_column('scopes')
