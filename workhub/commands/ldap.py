"""Directory commands."""

from __future__ import annotations

import click
from flask import Flask, current_app

from workhub.errors import DomainError
from workhub.extensions import db


def register(app: Flask) -> None:
    """Attach the ``ldap-sync`` command."""

    @app.cli.command("ldap-sync")
    @click.option("--force", is_flag=True,
                  help="Deactivate those who left even when they are more than "
                       "WORKHUB_LDAP_SYNC_MAX_DEACTIVATE_PERCENT of the directory accounts.")
    def ldap_sync(force: bool):
        """Copy people from the LDAP directory; deactivate those who left it."""
        from workhub.auth.ldap import directory_from_config
        from workhub.org.sync import SyncRefused, refused_sync_audited, sync_directory

        directory = directory_from_config(current_app.config)
        if directory is None:
            raise click.ClickException(
                "LDAP is not configured: set WORKHUB_AUTH to ldap (or ldap,local) and "
                "WORKHUB_LDAP_URL, WORKHUB_LDAP_BIND_DN, WORKHUB_LDAP_BIND_PASSWORD and "
                "WORKHUB_LDAP_USER_BASE."
            )
        percent = current_app.config["LDAP_SYNC_MAX_DEACTIVATE_PERCENT"]
        try:
            result = sync_directory(directory, ip="cli", force=force,
                                    max_deactivate_percent=percent)
        except SyncRefused as exc:
            db.session.rollback()
            refused_sync_audited(exc, actor=None, ip="cli")
            raise click.ClickException(exc.message) from exc
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(f"{exc.message} Nothing was changed.") from exc
        db.session.commit()
        click.echo(
            f"created {result.created}, updated {result.updated}, "
            f"deactivated {result.deactivated}, unchanged {result.unchanged}, "
            f"skipped {result.skipped}"
        )
