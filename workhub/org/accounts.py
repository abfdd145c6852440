"""What an administrator does to a person's account, and a person's own password change.

Each rule takes the acting admin explicitly so the same rule holds for the web pages, the API
and the CLI; every change is audited. Creating and updating the rows themselves is
``workhub.org.services``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash

from workhub.auth.audit import audit
from workhub.auth.passwords import MAX_PASSWORD_LENGTH, set_password
from workhub.errors import DomainError
from workhub.extensions import db
from workhub.org.models import User
from workhub.org.services import (
    check_email,
    check_roles,
    create_user,
    get_department,
    set_user_roles,
)
from workhub.validation import clean_text


def _refuse_self_lockout(user: User, actor: User | None, *, active: bool, roles=None) -> None:
    """Refuse an admin deactivating themselves or dropping their own admin role."""
    if actor is None or actor.id != user.id:
        return
    if not active:
        raise DomainError(
            str(_l("You cannot deactivate your own account. Ask another administrator.")),
            field="active",
        )
    if roles is not None and "admin" in user.roles and "admin" not in set(roles):
        raise DomainError(
            str(_l("You cannot remove your own administrator role. "
                   "Ask another administrator.")),
            field="roles",
        )


def _require_some_role(roles) -> set[str]:
    wanted = check_roles(roles)
    if not wanted:
        raise DomainError(str(_l("Choose at least one role.")), field="roles")
    return wanted


def admin_create_user(
    login: str,
    *,
    display_name: str,
    kana: str | None,
    email: str | None,
    department_code: str | None,
    roles,
    password: str,
    actor: User | None,
    ip: str | None = None,
) -> User:
    """Create a local account on an administrator's behalf and audit it."""

    wanted = _require_some_role(roles)
    user = create_user(
        login,
        display_name=display_name,
        roles=wanted,
        department_code=department_code,
        email=email,
        kana=kana,
        password=password,
        auth_source="local",
    )
    audit("user.created", actor=actor, target=user.login, ip=ip, roles=sorted(wanted))
    return user


def set_user_active(user: User, active: bool, *, actor: User | None, ip: str | None = None):
    """Activate or deactivate ``user``; the change is audited."""

    _refuse_self_lockout(user, actor, active=active)
    if bool(user.active) != bool(active):
        user.active = active
        if not active:
            user.end_sessions()
        audit("user.activated" if active else "user.deactivated", actor=actor,
              target=user.login, ip=ip)
    db.session.flush()
    return user


def update_user(
    user: User,
    *,
    display_name: str,
    email: str | None,
    kana: str | None,
    department_code: str | None,
    active: bool,
    actor: User | None,
    ip: str | None = None,
) -> User:
    """Edit a user's profile fields (admin). Deactivation is audited."""
    user.display_name = clean_text(display_name, str(_l("Display name")), 120, required=True)
    user.email = check_email(email)
    user.kana = clean_text(kana, str(_l("Kana")), 120)
    user.department = get_department(department_code) if department_code else None
    return set_user_active(user, active, actor=actor, ip=ip)


def admin_update_user(
    user: User,
    *,
    active: bool,
    actor: User | None,
    ip: str | None = None,
    display_name: str | None = None,
    kana: str | None = None,
    email: str | None = None,
    department_code: str | None = None,
) -> User:
    """Apply an administrator's edit of ``user``.

    A directory (LDAP) account's name, e-mail and department come from the directory and
    are overwritten at every sign-in and sync, so only ``active`` is changed for them.
    """
    _refuse_self_lockout(user, actor, active=active)
    if user.auth_source == "ldap":
        return set_user_active(user, active, actor=actor, ip=ip)
    return update_user(
        user,
        display_name=display_name,
        email=email,
        kana=kana,
        department_code=department_code,
        active=active,
        actor=actor,
        ip=ip,
    )


def admin_set_user_roles(user: User, roles, *, actor: User | None, ip: str | None = None):
    """Replace a local account's roles (audited); directory accounts get theirs from groups."""
    if user.auth_source == "ldap":
        raise DomainError(
            str(_l("The roles of a directory account come from its directory groups and are "
                   "replaced at every sign-in. Change the group membership in the directory.")),
            field="roles",
        )
    wanted = _require_some_role(roles)
    _refuse_self_lockout(user, actor, active=True, roles=wanted)
    return set_user_roles(user, wanted, actor=actor, ip=ip)


def reset_user_password(
    user: User, password: str, *, actor: User | None, ip: str | None = None
) -> User:
    """Set a new password for a local account (audited as ``password.reset``)."""

    if user.auth_source != "local":
        raise DomainError(
            str(_l("A directory account signs in with its directory password, which cannot "
                   "be set here.")),
            field="password",
        )
    set_password(user, password or "")
    audit("password.reset", actor=actor, target=user.login, ip=ip)
    db.session.flush()
    return user


def change_own_password(user: User, current: str, new: str, *, ip: str | None = None) -> User:
    """A local user's change of their own password: the current one must be right. Every
    other sign-in of theirs ends (the caller keeps the one this came from)."""

    if user.auth_source != "local":
        raise DomainError(
            str(_l("A directory account signs in with its directory password, which cannot "
                   "be set here.")), field="current_password")
    if (not current or len(current) > MAX_PASSWORD_LENGTH or not user.password_hash
            or not check_password_hash(user.password_hash, current)):
        raise DomainError(str(_l("The current password is not right.")),
                          field="current_password")
    if new == current:
        raise DomainError(str(_l("Choose a password other than the current one.")),
                          field="password")
    set_password(user, new or "")
    audit("password.changed", actor=user, target=user.login, ip=ip)
    db.session.flush()
    return user
