"""JSON API of the devices package (api_inventory): routes on workhub.api.bp."""

from __future__ import annotations

from workhub.api import bp  # noqa: F401
