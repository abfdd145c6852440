"""Device and line maintenance commands."""

from __future__ import annotations

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.command("devices-reencrypt")
    def devices_reencrypt() -> None:
        """Re-encrypt every stored SIM PIN/PUK with the first of WORKHUB_ENCRYPTION_KEYS.

        Key rotation: put the new key first, run this, then remove the old key."""
        from workhub.devices.secrets import SecretUnreadable, reencrypt_all
        from workhub.extensions import db

        try:
            count = reencrypt_all()
        except SecretUnreadable as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
        click.echo(f"re-encrypted the PIN/PUK of {count} lines")
