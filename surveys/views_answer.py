"""Pages of the surveys package (surveys).

Thin views: load, check, validate, call a service."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("surveys", __name__, url_prefix="/surveys")
