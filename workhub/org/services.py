"""Rules for departments and users, shared by the admin pages, the CLI, the API and the sync."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workhub.auth.audit import audit
from workhub.auth.passwords import MAX_PASSWORD_LENGTH, set_password
from workhub.config import ROLES
from workhub.errors import Conflict, DomainError, NotFound
from workhub.extensions import db
from workhub.org.models import Department, User

LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")


@dataclass
class DirectoryEntry:
    """One person as the directory describes them (LDAP or Active Directory)."""

    login: str
    dn: str
    display_name: str
    email: str | None = None
    kana: str | None = None
    department_code: str | None = None
    roles: set[str] = field(default_factory=set)


def _text(value: str | None, what: str, max_len: int, *, required: bool = True) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise DomainError(str(_l("%(what)s is required.", what=what)))
        return None
    if len(value) > max_len:
        raise DomainError(
            str(_l("%(what)s is too long (%(n)d characters at most).", what=what, n=max_len))
        )
    if any(ord(c) < 32 for c in value):
        raise DomainError(str(_l("%(what)s contains control characters.", what=what)))
    return value


def check_email(value: str | None) -> str | None:
    """Return a normalised e-mail address, None when empty; raise on a malformed one."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > 254:
        raise DomainError(str(_l("The e-mail address is too long.")), field="email")
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise DomainError(str(_l("The e-mail address is not valid.")), field="email") from exc


def get_department(code: str) -> Department:
    dept = db.session.scalar(select(Department).where(Department.code == code))
    if dept is None:
        raise NotFound(str(_l("No department with code %(code)s.", code=code)))
    return dept


def create_department(
    code: str, name_ja: str, name_en: str | None = None, parent_code: str | None = None
) -> Department:
    """Create a department under ``parent_code`` (or at the top)."""
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise DomainError(
            str(_l("A department code is 1–32 letters, digits, '-' or '_'.")), field="code"
        )
    if db.session.scalar(select(Department.id).where(Department.code == code)) is not None:
        raise Conflict(str(_l("The department code %(code)s is already used.", code=code)))
    parent = get_department(parent_code) if parent_code else None
    dept = Department(
        code=code,
        name_ja=_text(name_ja, str(_l("Japanese name")), 120),
        name_en=_text(name_en, str(_l("English name")), 120, required=False),
        parent=parent,
    )
    db.session.add(dept)
    db.session.flush()
    return dept


def update_department(
    dept: Department, name_ja: str, name_en: str | None, parent_code: str | None
) -> Department:
    """Rename or move a department; a department cannot move below itself."""
    parent = get_department(parent_code) if parent_code else None
    if parent is not None and parent.id in dept.subtree_ids():
        raise DomainError(str(_l("A department cannot be placed below itself.")), field="parent")
    dept.name_ja = _text(name_ja, str(_l("Japanese name")), 120)
    dept.name_en = _text(name_en, str(_l("English name")), 120, required=False)
    dept.parent = parent
    db.session.flush()
    return dept


def check_login(login: str) -> str:
    login = (login or "").strip().lower()
    if not LOGIN_RE.match(login):
        raise DomainError(
            str(_l("A login ID is 1–64 lower-case letters, digits, '.', '-' or '_'.")),
            field="login",
        )
    return login


def check_roles(roles) -> set[str]:
    wanted = set(roles or [])
    unknown = wanted - set(ROLES)
    if unknown:
        raise DomainError(
            str(_l("Unknown role: %(roles)s", roles=", ".join(sorted(unknown)))), field="roles"
        )
    return wanted


def create_user(
    login: str,
    *,
    display_name: str,
    roles=("employee",),
    department_code: str | None = None,
    email: str | None = None,
    kana: str | None = None,
    password: str | None = None,
    auth_source: str = "local",
    password_hash: str | None = None,
) -> User:
    """Create a user. Local users get a password; LDAP users sign in through the directory."""

    login = check_login(login)
    if db.session.scalar(select(User.id).where(User.login == login)) is not None:
        raise Conflict(str(_l("The login ID %(login)s is already used.", login=login)))
    user = User(
        login=login,
        display_name=_text(display_name, str(_l("Display name")), 120),
        kana=_text(kana, str(_l("Kana")), 120, required=False),
        email=check_email(email),
        department=get_department(department_code) if department_code else None,
        auth_source=auth_source,
        active=True,
    )
    user.set_roles(check_roles(roles))
    if auth_source == "local":
        if password_hash:
            # An already checked and hashed password (the demo loader shares one).
            user.password_hash = password_hash
        elif not password:
            raise DomainError(str(_l("A local account needs a password.")), field="password")
        else:
            set_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user


def get_user(login: str) -> User:
    user = db.session.scalar(select(User).where(User.login == (login or "").strip().lower()))
    if user is None:
        raise NotFound(str(_l("No user with login ID %(login)s.", login=login)))
    return user


def set_user_roles(user: User, roles, *, actor: User | None, ip: str | None = None) -> User:
    """Replace ``user``'s roles and audit the change."""

    wanted = check_roles(roles)
    before = sorted(user.roles)
    if set(before) != wanted:
        user.set_roles(wanted)
        db.session.flush()
        audit("roles.changed", actor=actor, target=user.login, ip=ip,
              before=before, after=sorted(wanted))
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
    user.display_name = _text(display_name, str(_l("Display name")), 120)
    user.email = check_email(email)
    user.kana = _text(kana, str(_l("Kana")), 120, required=False)
    user.department = get_department(department_code) if department_code else None
    return set_user_active(user, active, actor=actor, ip=ip)


def upsert_directory_user(
    entry: DirectoryEntry, *, actor: User | None = None, ip: str | None = None
) -> User:
    """Create or update the local copy of a directory user from ``entry``.

    The identity is the login the directory returned (uid matching is case-insensitive, so
    what was typed is not trusted). Unknown department codes leave the department empty.
    A deactivated account stays deactivated: only an administrator switches it back on.
    Role changes are audited as ``roles.changed`` (``actor`` is None when the directory
    itself made the change at sign-in).
    """

    login = check_login(entry.login)
    user = db.session.scalar(select(User).where(User.login == login))
    dept = None
    if entry.department_code:
        dept = db.session.scalar(
            select(Department).where(Department.code == entry.department_code)
        )
    created = user is None
    if user is None:
        user = User(login=login, auth_source="ldap", active=True)
        db.session.add(user)
    elif user.auth_source != "ldap":
        raise Conflict(
            str(_l("The login ID %(login)s belongs to a local account.", login=login))
        )
    user.display_name = (entry.display_name or login)[:120]
    user.kana = (entry.kana or None) and entry.kana[:120]
    try:
        user.email = check_email(entry.email)
    except DomainError:
        user.email = None
    user.department = dept
    user.ldap_dn = entry.dn[:500]
    # Everyone in the directory is at least an employee; groups add the other roles.
    before = set() if created else user.roles
    wanted = check_roles(entry.roles | {"employee"})
    if wanted != before:
        user.set_roles(wanted)
        # A newcomer with only the base role is no privilege change worth a line.
        if not (created and wanted == {"employee"}):
            audit("roles.changed", actor=actor, target=login, ip=ip, source="directory",
                  before=sorted(before), after=sorted(wanted))
    db.session.flush()
    return user


# --- Admin pages ------------------------------------------------------------------------
# The rules an administrator works under. Each takes the acting admin explicitly so the same
# rule holds for the web pages, the API and the CLI.


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
    from werkzeug.security import check_password_hash


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


def delete_department(dept: Department) -> None:
    """Delete an empty department: one with no users and no sub-departments."""
    from sqlalchemy import func

    users = db.session.scalar(
        select(func.count()).select_from(User).where(User.department_id == dept.id)
    )
    children = db.session.scalar(
        select(func.count()).select_from(Department).where(Department.parent_id == dept.id)
    )
    if users or children:
        raise Conflict(
            str(_l("%(code)s cannot be deleted: it still has %(users)d users and "
                   "%(children)d sub-departments. Move them elsewhere first.",
                   code=dept.code, users=users, children=children))
        )
    db.session.delete(dept)
    db.session.flush()
