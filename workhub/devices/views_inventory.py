"""Pages of the devices package (devices).

Thin views: load, check, validate, call a service."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("devices", __name__, url_prefix="/devices")
