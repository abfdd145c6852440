"""surveys: released batches (a pool without persons), sealed drafts, no ISO week

Revision ID: 0009_survey_anonymity
Revises: 0008_transcription
Create Date: 2026-12-07 06:00:00

* ``survey_pool``: submitted anonymous responses waiting for a batch of at least k.
* ``survey_participation.released``: whether the person's response is in the results.
* ``survey_drafts.sealed``: the draft's answers are encrypted under a key the client keeps.
* ``survey_responses.period`` goes: with the participation date it linked people who
  answered alone in a week to their answers.

Existing data: responses of anonymous surveys are written again in random order in this
one transaction (so on PostgreSQL they no longer share a transaction id or a physical
position with the participation written beside them), anonymous participations lose their
date, and plain-text drafts of anonymous surveys are deleted (they cannot be sealed without
the key only the person's browser would hold).
"""

# The SQL below is built from this module's constants only.
# ruff: noqa: S608
import sqlalchemy as sa
from alembic import op

revision = '0009_survey_anonymity'
down_revision = '0008_transcription'
branch_labels = None
depends_on = None

ANONYMOUS = "SELECT id FROM surveys WHERE anonymous"
RESPONSE_COLUMNS = "id, survey_id, user_id, department_id, updated_at"
ANSWER_COLUMNS = "id, response_id, question_id, option_id, number, date_value, text"


def _shuffle_anonymous_responses() -> None:
    """Write every anonymous response and its answers again, in random order."""
    op.execute(f"CREATE TEMPORARY TABLE tmp_responses AS SELECT {RESPONSE_COLUMNS} "
               f"FROM survey_responses WHERE survey_id IN ({ANONYMOUS})")
    op.execute(f"CREATE TEMPORARY TABLE tmp_answers AS SELECT {ANSWER_COLUMNS} "
               f"FROM survey_answers WHERE response_id IN (SELECT id FROM tmp_responses)")
    op.execute("DELETE FROM survey_responses WHERE id IN (SELECT id FROM tmp_responses)")
    op.execute(f"INSERT INTO survey_responses ({RESPONSE_COLUMNS}) "
               f"SELECT {RESPONSE_COLUMNS} FROM tmp_responses ORDER BY random()")
    op.execute(f"INSERT INTO survey_answers ({ANSWER_COLUMNS}) "
               f"SELECT {ANSWER_COLUMNS} FROM tmp_answers ORDER BY random()")
    op.execute("DROP TABLE tmp_answers")
    op.execute("DROP TABLE tmp_responses")


def upgrade() -> None:
    op.create_table('survey_pool',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('answers_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_pool_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_pool')),
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('survey_pool', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_pool_survey_id'), ['survey_id'], unique=False)

    op.add_column('survey_participation', sa.Column(
        'released', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column('survey_drafts', sa.Column(
        'sealed', sa.Boolean(), nullable=False, server_default=sa.false()))
    # SQLite 3.35+ and PostgreSQL both drop a column in place (no index or constraint uses it).
    op.execute("ALTER TABLE survey_responses DROP COLUMN period")

    op.execute(f"DELETE FROM survey_drafts WHERE survey_id IN ({ANONYMOUS})")
    op.execute(f"UPDATE survey_participation SET submitted_on = NULL "
               f"WHERE survey_id IN ({ANONYMOUS})")
    _shuffle_anonymous_responses()


def downgrade() -> None:
    op.add_column('survey_responses', sa.Column(
        'period', sa.String(length=8), nullable=False, server_default='0000-W00'))
    with op.batch_alter_table('survey_drafts', schema=None) as batch_op:
        batch_op.drop_column('sealed')
    with op.batch_alter_table('survey_participation', schema=None) as batch_op:
        batch_op.drop_column('released')
    with op.batch_alter_table('survey_pool', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_pool_survey_id'))
    op.drop_table('survey_pool')
