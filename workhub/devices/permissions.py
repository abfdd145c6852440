"""Who may do what with devices and lines. The one place for these rules: views, the API,
jobs and reports all ask here.

* **IT** (role ``it_admin``) and administrators keep the inventory, allocate, record
  returns, fulfil requests and see every loan and report.
* **Holders** see their own loans and confirm receipt of them.
* **Managers** see the loans and requests of the people in their departments (subtree) and,
  when a request needs approval, approve or reject it.
* **SIM PIN/PUK** are shown only to holders of the separate ``line_secrets`` permission
  (``UserPermission``), whatever their roles; every reveal is audited.
"""

from __future__ import annotations

from sqlalchemy import select

from workhub.devices.models import UserPermission
from workhub.extensions import db
from workhub.org.models import User

IT_ROLES = ("it_admin", "admin")


def _active(user: User | None) -> bool:
    return user is not None and bool(getattr(user, "active", False))


def is_it(user: User | None) -> bool:
    """IT staff or an administrator: keeps the inventory and allocates."""
    return _active(user) and user.has_role(*IT_ROLES)


def has_permission(user: User | None, name: str) -> bool:
    if not _active(user):
        return False
    return db.session.scalar(
        select(UserPermission.id).where(UserPermission.user_id == user.id,
                                        UserPermission.name == name)
    ) is not None


def can_reveal_secrets(user: User | None) -> bool:
    """May see SIM PIN/PUK: the separate permission, not a role."""
    return has_permission(user, "line_secrets")
