"""OpenAPI description of the devices API (inventory), merged by workhub.api.openapi."""

from __future__ import annotations

SCHEMAS: dict = {}


def paths() -> dict:
    return {}
