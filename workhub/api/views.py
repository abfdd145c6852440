"""API endpoints of the core: who am I, and the OpenAPI document; and the checks every API
request gets (ids out of range, NUL in the query string)."""

from __future__ import annotations

from flask import abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from workhub.api import bp
from workhub.api.common import BadRequest
from workhub.api.openapi import build_openapi
from workhub.validation import fits_id

# The checks below are registered after the blueprint's authentication: a request without a
# token still gets 401 first.


@bp.before_request
def ids_in_range():
    """Answer 404 for an integer URL id that no row can have (SQLite cannot even bind a number
    past 64 bits, PostgreSQL compares none past 32)."""
    if any(type(v) is int and not fits_id(v) for v in (request.view_args or {}).values()):
        abort(404)


@bp.before_request
def no_nul_in_query():
    """Refuse a query string holding NUL: PostgreSQL can neither store nor compare such text
    (it was a 500 in every search)."""
    if any("\x00" in key or any("\x00" in v for v in values)
           for key, values in request.args.lists()):
        raise BadRequest(_("The query string may not contain NUL characters."),
                         code="invalid_query")


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
