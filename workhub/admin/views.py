"""Admin pages: users, roles, departments and the audit log."""

from __future__ import annotations

from flask import Blueprint

from workhub.auth.permissions import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@roles_required("admin")
def users():
    return "users"


@bp.get("/departments")
@roles_required("admin")
def departments():
    return "departments"


@bp.get("/audit")
@roles_required("admin")
def audit():
    return "audit"
