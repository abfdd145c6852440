"""Pages of the surveys package (survey_results).

Thin views: load, check, validate, call a service."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("survey_results", __name__, url_prefix="/surveys")
