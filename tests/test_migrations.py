"""Migrations: the schema they build matches the models, and they run down and up again."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from workhub.extensions import db
from workhub.migrate import downgrade, upgrade


def test_migrated_schema_matches_models(app_ctx):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_downgrade_to_base_and_upgrade_again(app_ctx):
    downgrade("base")
    upgrade("head")
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []
