"""API endpoints of the core: who am I, and the OpenAPI document."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from workhub.api import bp
from workhub.api.openapi import build_openapi


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
