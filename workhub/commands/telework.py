"""Telework maintenance commands."""

from __future__ import annotations

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.command("telework-rollup")
    @click.option("--rebuild", is_flag=True,
                  help="Recompute the statistics roll-up from the sessions.")
    def telework_rollup(rebuild: bool) -> None:
        """Check (or rebuild) the statistics roll-up against the sessions.

        The roll-up is kept by database triggers; a difference means the triggers were
        dropped (e.g. a table rebuilt by hand). Exit status 1 when a check finds one."""
        from workhub.extensions import db
        from workhub.telework import rollup

        conn = db.session.connection()
        if rebuild:
            rows = rollup.rebuild(conn)
            db.session.commit()
            click.echo(f"Roll-up rebuilt: {rows} rows.")
            return
        drift = rollup.check(conn)
        db.session.rollback()
        for key, kept, fresh in drift[:20]:
            click.echo(f"{key}: roll-up {kept}, sessions {fresh}")
        if drift:
            raise click.ClickException(
                f"{len(drift)} buckets differ: run `workhub telework-rollup --rebuild`.")
        click.echo("Roll-up agrees with the sessions.")
