"""API endpoints of the core: who am I, and the OpenAPI document; ids out of range."""

from __future__ import annotations

from flask import abort, jsonify, request
from flask_login import current_user

from workhub.api import bp
from workhub.api.openapi import build_openapi

# Ids are 32-bit integer columns on both databases, and SQLite cannot even bind a number past
# 64 bits (a 500): an id outside the columns' range names no row.
MAX_ID = 2**31 - 1


@bp.before_request
def ids_in_range():
    """Answer 404 for an integer URL id that no row can have. Registered after the blueprint's
    authentication, so a request without a token still gets 401 first."""
    if any(type(v) is int and v > MAX_ID for v in (request.view_args or {}).values()):
        abort(404)


def user_json(user) -> dict:
    dept = user.department
    return {
        "login": user.login,
        "display_name": user.display_name,
        "kana": user.kana,
        "email": user.email,
        "department": (
            {"code": dept.code, "name_ja": dept.name_ja, "name_en": dept.name_en}
            if dept is not None
            else None
        ),
        "roles": sorted(user.roles),
    }


@bp.get("/me")
def me():
    return jsonify(user_json(current_user))


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_openapi())
