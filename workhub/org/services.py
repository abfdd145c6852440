"""Rules for departments and users, shared by the admin pages, the CLI, the API and the sync."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workhub.auth.audit import audit
from workhub.auth.passwords import set_password
from workhub.config import ROLES
from workhub.errors import Conflict, DomainError, NotFound
from workhub.extensions import db
from workhub.org.models import Department, User
from workhub.validation import clean_text

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
        name_ja=clean_text(name_ja, str(_l("Japanese name")), 120, required=True),
        name_en=clean_text(name_en, str(_l("English name")), 120),
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
    dept.name_ja = clean_text(name_ja, str(_l("Japanese name")), 120, required=True)
    dept.name_en = clean_text(name_en, str(_l("English name")), 120)
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
        display_name=clean_text(display_name, str(_l("Display name")), 120, required=True),
        kana=clean_text(kana, str(_l("Kana")), 120),
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
