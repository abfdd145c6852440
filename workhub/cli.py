"""The ``workhub`` command."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def _create_app(*_args) -> Flask:
    from workhub import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False,
             add_default_commands=False)
def main() -> None:
    """WorkHub: the city office's remote-work intranet."""
