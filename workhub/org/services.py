"""Rules for departments and users, shared by the admin pages, the CLI, the API and the sync."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

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
        raise DomainError(str(_l("%(what)s is too long (%(n)d characters at most).", what=what, n=max_len)))
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
) -> User:
    """Create a user. Local users get a password; LDAP users sign in through the directory."""
    from workhub.auth.services import set_password

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
        failed_logins=0,
    )
    user.set_roles(check_roles(roles))
    if auth_source == "local":
        if not password:
            raise DomainError(str(_l("A local account needs a password.")), field="password")
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
    from workhub.auth.services import audit

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
    from workhub.auth.services import audit

    user.display_name = _text(display_name, str(_l("Display name")), 120)
    user.email = check_email(email)
    user.kana = _text(kana, str(_l("Kana")), 120, required=False)
    user.department = get_department(department_code) if department_code else None
    if bool(user.active) != bool(active):
        user.active = active
        audit("user.activated" if active else "user.deactivated", actor=actor,
              target=user.login, ip=ip)
    db.session.flush()
    return user


def upsert_directory_user(entry: DirectoryEntry) -> User:
    """Create or update the local copy of a directory user from ``entry``.

    The identity is the login the directory returned (uid matching is case-insensitive, so
    what was typed is not trusted). Unknown department codes leave the department empty.
    """
    login = check_login(entry.login)
    user = db.session.scalar(select(User).where(User.login == login))
    dept = None
    if entry.department_code:
        dept = db.session.scalar(
            select(Department).where(Department.code == entry.department_code)
        )
    if user is None:
        user = User(login=login, auth_source="ldap", active=True, failed_logins=0)
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
    user.active = True
    # Everyone in the directory is at least an employee; groups add the other roles.
    user.set_roles(check_roles(entry.roles | {"employee"}))
    db.session.flush()
    return user
