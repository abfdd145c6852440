"""OpenAPI description of the surveys API (results), merged by workhub.api.openapi."""

from __future__ import annotations

SCHEMAS: dict = {}


def paths() -> dict:
    return {}
