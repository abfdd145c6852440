"""Pages of the devices package (device_loans).

Thin views: load, check, validate, call a service."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("device_loans", __name__, url_prefix="/devices")
