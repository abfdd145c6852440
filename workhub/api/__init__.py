"""The JSON API under /api/v1: personal bearer tokens, or the session cookie plus CSRF."""

from __future__ import annotations

from flask import Blueprint, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from workhub.auth.scopes import allows
from workhub.extensions import csrf
from workhub.web import json_error

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# CSRF is checked below for cookie sessions only: a bearer token cannot be sent by another site.
csrf.exempt(bp)

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@bp.before_request
def authenticate_request():
    from flask import abort

    if request.endpoint == "api.openapi":
        return None
    if not current_user.is_authenticated:
        abort(401)
    if g.get("token_auth"):
        rule = request.url_rule.rule if request.url_rule is not None else request.path
        if not allows(g.get("token_scopes") or {}, rule, request.method):
            return json_error(403, "insufficient_scope", str(_l(
                "This API token may not do this: create a token with the feature's "
                "read-and-write (or read) permission on your profile.")))
    elif request.method in UNSAFE_METHODS:
        csrf.protect()
    return None
