"""Run Alembic migrations from inside the app (``workhub init-db``, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(revision: str = "head") -> None:
    """Upgrade the app's database to ``revision``; call inside an app context."""
    command.upgrade(alembic_config(), revision)


def downgrade(revision: str) -> None:
    command.downgrade(alembic_config(), revision)


def revision(message: str) -> None:
    """Autogenerate a new migration from the models (a developer tool)."""
    command.revision(alembic_config(), message=message, autogenerate=True)
