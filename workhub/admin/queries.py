"""Read-only queries behind the admin pages: user search, the department tree, the audit log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from workhub.auth.models import ApiToken, AuditEvent
from workhub.database import utcnow
from workhub.extensions import db
from workhub.org.models import Department, User, UserRole, subtree_ids
from workhub.pagination import PER_PAGE, Page, paginate, parse_page  # noqa: F401

# Every event the core records. Events found in the table are added to the filter too, so an
# event a later feature starts recording can be filtered before anyone updates this list.
KNOWN_EVENTS = (
    "ldap.sync",
    "login.failed",
    "login.ok",
    "logout",
    "password.reset",
    "roles.changed",
    "survey.responses_exported",
    "token.created",
    "token.revoked",
    "user.activated",
    "user.created",
    "user.deactivated",
)


# --- Users ------------------------------------------------------------------------------


def search_users(
    *,
    q: str = "",
    department_code: str = "",
    role: str = "",
    active: str = "",
    source: str = "",
    sort: str = "login",
    page: int = 1,
) -> Page:
    """Users matching the filters; a department includes its sub-departments."""
    stmt = select(User).options(joinedload(User.department))
    if q:
        needle = q.lower()
        stmt = stmt.where(
            or_(
                *(
                    func.lower(column).contains(needle, autoescape=True)
                    for column in (User.login, User.display_name, User.kana, User.email)
                )
            )
        )
    if department_code:
        dept_id = db.session.scalar(select(Department.id).where(Department.code == department_code))
        ids = subtree_ids([dept_id]) if dept_id is not None else set()
        stmt = stmt.where(User.department_id.in_(ids))
    if role:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if active in ("yes", "no"):
        stmt = stmt.where(User.active == (active == "yes"))
    if source in ("local", "ldap"):
        stmt = stmt.where(User.auth_source == source)
    if sort == "name":
        stmt = stmt.order_by(func.coalesce(User.kana, User.display_name), User.login)
    elif sort == "department":
        stmt = stmt.outerjoin(Department, User.department_id == Department.id).order_by(
            Department.code.is_(None), Department.code, User.login
        )
    elif sort == "last_login":
        stmt = stmt.order_by(User.last_login_at.is_(None), User.last_login_at.desc(), User.login)
    else:
        stmt = stmt.order_by(User.login)
    return paginate(stmt, page)


# --- Departments ------------------------------------------------------------------------


@dataclass
class DepartmentNode:
    department: Department
    user_count: int
    children: list[DepartmentNode] = field(default_factory=list)


def department_tree() -> list[DepartmentNode]:
    """All departments as a forest, each with the number of users placed directly in it."""
    departments = db.session.scalars(select(Department).order_by(Department.code)).all()
    counts = dict(
        db.session.execute(
            select(User.department_id, func.count())
            .where(User.department_id.is_not(None))
            .group_by(User.department_id)
        ).all()
    )
    nodes = {d.id: DepartmentNode(d, counts.get(d.id, 0)) for d in departments}
    roots: list[DepartmentNode] = []
    for dept in departments:
        parent = nodes.get(dept.parent_id) if dept.parent_id is not None else None
        (parent.children if parent is not None else roots).append(nodes[dept.id])
    return roots


def department_by_id(dept_id: int) -> Department | None:
    return db.session.get(Department, dept_id)


# --- Audit log --------------------------------------------------------------------------


def audit_event_names() -> list[str]:
    """The known events plus any other event already recorded."""
    recorded = db.session.scalars(select(AuditEvent.event).distinct()).all()
    return sorted(set(KNOWN_EVENTS) | set(recorded))


def day_range(
    first: date | None, last: date | None, timezone: str
) -> tuple[datetime | None, datetime | None]:
    """Turn local calendar days (both inclusive) into a UTC range [start, end)."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(first, time.min, zone).astimezone(UTC) if first else None
    end = (
        datetime.combine(last + timedelta(days=1), time.min, zone).astimezone(UTC)
        if last
        else None
    )
    return start, end


def search_audit(
    *,
    event: str = "",
    actor: str = "",
    target: str = "",
    start: datetime | None = None,
    end: datetime | None = None,
    page: int = 1,
) -> Page:
    """Audit events, newest first. ``start`` is inclusive and ``end`` exclusive (aware UTC)."""
    stmt = select(AuditEvent)
    if event:
        stmt = stmt.where(AuditEvent.event == event)
    if actor:
        stmt = stmt.where(func.lower(AuditEvent.actor_login).contains(actor.lower(),
                                                                      autoescape=True))
    if target:
        stmt = stmt.where(func.lower(AuditEvent.target).contains(target.lower(),
                                                                 autoescape=True))
    if start is not None:
        stmt = stmt.where(AuditEvent.at >= start)
    if end is not None:
        stmt = stmt.where(AuditEvent.at < end)
    stmt = stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    return paginate(stmt, page)


def search_tokens(*, q: str = "", status: str = "active", page: int = 1) -> Page:
    """Everyone's API tokens, newest first; ``status``: active, expired, revoked or all."""
    now = utcnow()
    stmt = select(ApiToken).join(User, ApiToken.user_id == User.id).options(
        contains_eager(ApiToken.user))
    if q:
        needle = q.lower()
        stmt = stmt.where(or_(*(func.lower(column).contains(needle, autoescape=True)
                                for column in (User.login, User.display_name, ApiToken.name))))
    if status == "active":
        stmt = stmt.where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
    elif status == "expired":
        stmt = stmt.where(ApiToken.revoked_at.is_(None), ApiToken.expires_at <= now)
    elif status == "revoked":
        stmt = stmt.where(ApiToken.revoked_at.is_not(None))
    return paginate(stmt.order_by(ApiToken.created_at.desc(), ApiToken.id.desc()), page)
