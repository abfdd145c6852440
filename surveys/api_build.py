"""JSON API of the surveys package (api_build): routes on workhub.api.bp."""

from __future__ import annotations

from workhub.api import bp  # noqa: F401
