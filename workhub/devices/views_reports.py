"""Pages of the devices package (device_reports).

Thin views: load, check, validate, call a service."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("device_reports", __name__, url_prefix="/devices")
