"""CLI commands, one module per area; each delegates to services."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from workhub.commands import core, devices, jobs, ldap, telework, transcribe

    core.register(app)
    ldap.register(app)
    jobs.register(app)
    telework.register(app)
    devices.register(app)
    transcribe.register(app)
