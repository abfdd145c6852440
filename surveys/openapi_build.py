"""OpenAPI description of the surveys API (build), merged by workhub.api.openapi."""

from __future__ import annotations

SCHEMAS: dict = {}


def paths() -> dict:
    return {}
