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


def test_savepoint_after_reads_is_undone_by_rollback(app_ctx):
    """A row written inside begin_nested() after only SELECTs must go with the rollback
    (on SQLite the driver would otherwise let the savepoint's RELEASE commit it)."""
    from sqlalchemy import func, select

    from workhub.org.models import Department

    db.session.execute(select(func.count(Department.id))).scalar()
    with db.session.begin_nested():
        db.session.add(Department(code="SAVEPOINT", name_ja="一時課"))
    db.session.rollback()
    assert db.session.scalar(select(func.count(Department.id))) == 0
