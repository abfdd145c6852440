"""Approval delegates: people who may approve a department's remote-work bookings on its
managers' behalf (``ApprovalDelegate``; ``until`` is the last day included, None for no end).

Who may name or remove a delegate of a department: its managers (a manager manages their own
department's subtree, ``User.managed_department_ids``), HR and administrators. Approving
itself is decided in ``permissions`` (``can_approve``, ``approvers_for``), which reads the
rows written here.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from workhub.auth.services import audit
from workhub.clock import office_today
from workhub.errors import Conflict, DomainError, Forbidden
from workhub.extensions import db
from workhub.org.models import Department, User
from workhub.telework.models import ApprovalDelegate

OFFICE_ROLES = ("hr", "admin")
MAX_LOGIN_LENGTH = 64  # users.login is String(64)


def manageable_department_ids(actor: User | None) -> set[int] | None:
    """Departments whose delegates ``actor`` may manage: None means all (HR, administrators),
    a manager's own subtree, else nothing."""
    if actor is None or not actor.active:
        return set()
    if actor.has_role(*OFFICE_ROLES):
        return None
    return actor.managed_department_ids()


def may_manage(actor: User | None, department: Department) -> bool:
    """Whether ``actor`` may add or remove delegates of ``department``."""
    ids = manageable_department_ids(actor)
    return ids is None or department.id in ids


def ensure_may_manage(actor: User, department: Department) -> None:
    """Forbidden unless ``actor`` may manage the delegates of ``department``."""
    if not may_manage(actor, department):
        raise Forbidden(str(_l("You may manage the delegates only of the departments you "
                               "manage.")), field="department")


def user_by_login(login: object) -> User:
    """The user with ``login`` (surrounding spaces ignored); a clear error otherwise."""
    if not isinstance(login, str) or not login.strip():
        raise DomainError(str(_l("Enter the login ID of the delegate.")), field="login")
    login = login.strip()
    if len(login) > MAX_LOGIN_LENGTH or not login.isprintable():
        raise DomainError(str(_l("There is no user with that login ID.")), field="login")
    user = db.session.scalar(select(User).where(User.login == login))
    if user is None:
        raise DomainError(str(_l("There is no user with that login ID.")), field="login")
    return user


def add_delegate(department: Department, user: User, until: date | None, actor: User, *,
                 ip: str | None = None, today: date | None = None) -> ApprovalDelegate:
    """Make ``user`` an approval delegate of ``department`` up to ``until`` (included)."""
    ensure_may_manage(actor, department)
    if until is not None and (not isinstance(until, date) or isinstance(until, datetime)):
        raise DomainError(str(_l("The end date must be a date.")), field="until")
    today = today or office_today()
    if until is not None and until < today:
        raise DomainError(str(_l("The end date cannot be in the past.")), field="until")
    if not user.active:
        raise DomainError(str(_l("%(name)s is not an active user and cannot be a delegate.",
                                 name=user.display_name)), field="login")
    if _existing(department.id, user.id) is not None:
        raise Conflict(str(_l("%(name)s is already a delegate of this department.",
                              name=user.display_name)), field="login")
    row = ApprovalDelegate(department_id=department.id, user_id=user.id, until=until)
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError as exc:
        # Someone else named the same delegate between our check and our write.
        raise Conflict(str(_l("%(name)s is already a delegate of this department.",
                              name=user.display_name)), field="login") from exc
    audit("telework.delegate_added", actor=actor, target=user.login, ip=ip,
          department=department.code, until=until.isoformat() if until else None)
    return row


def remove_delegate(row: ApprovalDelegate, actor: User, *, ip: str | None = None) -> None:
    """Remove the delegate ``row``; same permission rule as adding."""
    department = db.session.get(Department, row.department_id)
    ensure_may_manage(actor, department)
    user = db.session.get(User, row.user_id)
    audit("telework.delegate_removed", actor=actor, target=user.login if user else None,
          ip=ip, department=department.code,
          until=row.until.isoformat() if row.until else None)
    db.session.delete(row)
    db.session.flush()


def _existing(department_id: int, user_id: int) -> ApprovalDelegate | None:
    return db.session.scalar(select(ApprovalDelegate).where(
        ApprovalDelegate.department_id == department_id, ApprovalDelegate.user_id == user_id))


def delegates_query(actor: User) -> Select:
    """A ``select(ApprovalDelegate)`` limited to the departments ``actor`` may manage."""
    stmt = select(ApprovalDelegate)
    ids = manageable_department_ids(actor)
    if ids is not None:
        stmt = stmt.where(ApprovalDelegate.department_id.in_(ids))
    return stmt


def delegates_visible_to(actor: User) -> list[ApprovalDelegate]:
    """The delegate rows ``actor`` may manage (HR, administrators: all)."""
    return list(db.session.scalars(delegates_query(actor).order_by(ApprovalDelegate.id)))


def delegate_entries(actor: User) -> list[tuple[ApprovalDelegate, Department, User]]:
    """``delegates_visible_to`` with each row's department and user, for a list page,
    ordered by department code, then login."""
    stmt = (delegates_query(actor)
            .join(Department, Department.id == ApprovalDelegate.department_id)
            .join(User, User.id == ApprovalDelegate.user_id)
            .add_columns(Department, User)
            .order_by(Department.code, User.login))
    return [tuple(r) for r in db.session.execute(stmt)]
