"""Alembic environment: runs against the app's engine (SQLite or PostgreSQL)."""

from __future__ import annotations

from alembic import context

from workhub import all_models  # noqa: F401  (every table in the metadata)
from workhub.extensions import db

config = context.config
target_metadata = db.metadata


def run_migrations() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        connectable = db.engine
        with connectable.connect() as connection:
            _run(connection)
            connection.commit()
    else:
        _run(connectable)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
