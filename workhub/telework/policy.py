"""The telework policy that applies to a person or department, and the booking deadline.

A department follows its own policy row, else its nearest ancestor's, else the organisation
default row, else the built-in defaults (identical to what migration 0003 inserts: the
test fixture and a hand-emptied table can leave the organisation row missing).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from workhub.auth.services import audit
from workhub.businessdays import previous_business_day
from workhub.clock import office_zone
from workhub.errors import DomainError, Forbidden
from workhub.extensions import db
from workhub.org.models import Department, User
from workhub.telework.models import TeleworkPolicy

# The values of migration 0003's organisation row. Keep the two in step.
BUILTIN_DEFAULTS = {
    "max_days_per_week": None,
    "max_days_per_month": None,
    "deadline_business_days": 1,
    "deadline_minutes": 17 * 60,
    "approval_required": True,
    "warn_share_percent": None,
    "allow_unplanned_sessions": True,
}
POLICY_FIELDS = tuple(BUILTIN_DEFAULTS)

# field -> (lowest, highest, None allowed); the same ranges as the table's check constraints.
_INT_RANGES = {
    "max_days_per_week": (0, 7, True),
    "max_days_per_month": (0, 31, True),
    "deadline_business_days": (0, 30, False),
    "deadline_minutes": (0, 24 * 60 - 1, False),
    "warn_share_percent": (1, 100, True),
}
_FIELD_LABELS = {
    "max_days_per_week": _l("Maximum remote days per week"),
    "max_days_per_month": _l("Maximum remote days per month"),
    "deadline_business_days": _l("Business days before the day"),
    "deadline_minutes": _l("Deadline time"),
    "approval_required": _l("Approval required"),
    "warn_share_percent": _l("Warning share of the department (%)"),
    "allow_unplanned_sessions": _l("Sessions without a booking allowed"),
}


@dataclass(frozen=True)
class PolicyView:
    """The values of the policy that applies, and where they come from.

    ``source`` is ``"department"`` (``department_id`` is the department whose row applies:
    the person's own or an ancestor), ``"organisation"`` (the default row) or ``"builtin"``
    (no row at all). ``None`` in a limit means "no limit".
    """

    max_days_per_week: int | None
    max_days_per_month: int | None
    deadline_business_days: int
    deadline_minutes: int
    approval_required: bool
    warn_share_percent: int | None
    allow_unplanned_sessions: bool
    source: str
    department_id: int | None = None
    policy_id: int | None = None

    @property
    def deadline_time(self) -> time:
        """The deadline as a time of day (Japan time)."""
        return time(self.deadline_minutes // 60, self.deadline_minutes % 60)

    def values(self) -> dict:
        """The policy values alone (without where they come from)."""
        data = asdict(self)
        return {name: data[name] for name in POLICY_FIELDS}


def _view(row: TeleworkPolicy | None, source: str) -> PolicyView:
    if row is None:
        return PolicyView(**BUILTIN_DEFAULTS, source="builtin")
    return PolicyView(**{name: getattr(row, name) for name in POLICY_FIELDS}, source=source,
                      department_id=row.department_id, policy_id=row.id)


def _department_of(subject: User | Department | None) -> Department | None:
    if isinstance(subject, User):
        return subject.department
    return subject


def effective_policy(subject: User | Department | None) -> PolicyView:
    """Return the policy for a user (their department's), a department, or None (the
    organisation default): the nearest department up the tree with a row, else the
    organisation row, else the built-in defaults."""
    dept = _department_of(subject)
    chain = [d.id for d in reversed(dept.path())] if dept is not None else []  # self first
    rows = db.session.scalars(
        select(TeleworkPolicy).where(
            or_(TeleworkPolicy.is_org_default.is_(True), TeleworkPolicy.department_id.in_(chain))
        )
    ).all()
    by_dept = {row.department_id: row for row in rows if row.department_id is not None}
    for dept_id in chain:
        if dept_id in by_dept:
            return _view(by_dept[dept_id], "department")
    org = next((row for row in rows if row.is_org_default), None)
    return _view(org, "organisation")


def booking_deadline(day: date, policy: PolicyView) -> datetime:
    """The last moment a booking for ``day`` may be made: ``deadline_minutes`` after
    midnight (office time) on the ``deadline_business_days``-th business day before ``day``.

    Returned time-zone aware in the office's zone; compare it with any aware datetime.
    """
    deadline_day = previous_business_day(day, policy.deadline_business_days)
    midnight = datetime.combine(deadline_day, time(0), tzinfo=office_zone())
    return midnight + timedelta(minutes=policy.deadline_minutes)


def _check_value(name: str, value):
    label = _FIELD_LABELS[name]
    if name in _INT_RANGES:
        low, high, nullable = _INT_RANGES[name]
        if value is None or value == "":
            if nullable:
                return None
            raise DomainError(str(_l("%(what)s is required.", what=label)), field=name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise DomainError(str(_l("%(what)s must be a whole number.", what=label)), field=name)
        if not low <= value <= high:
            raise DomainError(
                str(_l("%(what)s must be between %(low)d and %(high)d.",
                       what=label, low=low, high=high)),
                field=name,
            )
        return value
    if not isinstance(value, bool):
        raise DomainError(str(_l("%(what)s must be yes or no.", what=label)), field=name)
    return value


def _policy_row(department: Department | None) -> TeleworkPolicy | None:
    if department is None:
        return db.session.scalar(
            select(TeleworkPolicy).where(TeleworkPolicy.is_org_default.is_(True))
        )
    return db.session.scalar(
        select(TeleworkPolicy).where(TeleworkPolicy.department_id == department.id)
    )


def _target_name(department: Department | None) -> str:
    return department.code if department is not None else "organisation"


def _require_policy_admin(actor: User) -> None:
    if not actor.has_role("hr", "admin"):
        raise Forbidden(str(_l("Only HR or an administrator may change the telework policy.")))


def set_policy(department: Department | None, *, actor: User, **values) -> TeleworkPolicy:
    """Set policy values for ``department`` (None: the organisation default); audited.

    Only the given fields change. A department without a row of its own gets one that
    starts from the policy it inherited so far; a missing organisation row is recreated
    from the built-in defaults. Values outside the allowed ranges are refused with a
    DomainError naming the field. Only HR and administrators may do this.
    """
    _require_policy_admin(actor)
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"unknown policy fields: {', '.join(sorted(unknown))}")
    checked = {name: _check_value(name, value) for name, value in values.items()}

    row = _policy_row(department)
    if row is None:
        start = (effective_policy(department).values() if department is not None
                 else dict(BUILTIN_DEFAULTS))
        before = None
        row = TeleworkPolicy(department_id=department.id if department is not None else None,
                             is_org_default=department is None, **start)
        db.session.add(row)
    else:
        before = {name: getattr(row, name) for name in POLICY_FIELDS}
    for name, value in checked.items():
        setattr(row, name, value)
    db.session.flush()
    after = {name: getattr(row, name) for name in POLICY_FIELDS}
    audit("telework.policy_changed", actor=actor, target=_target_name(department),
          action="created" if before is None else "updated", before=before, after=after)
    return row


def clear_policy(department: Department, *, actor: User) -> bool:
    """Remove ``department``'s own policy so it follows its parent again; audited.

    Returns False when it had none. The organisation default cannot be removed.
    """
    _require_policy_admin(actor)
    if department is None:
        raise DomainError(str(_l("The organisation default policy cannot be removed.")))
    row = _policy_row(department)
    if row is None:
        return False
    before = {name: getattr(row, name) for name in POLICY_FIELDS}
    db.session.delete(row)
    db.session.flush()
    audit("telework.policy_changed", actor=actor, target=_target_name(department),
          action="cleared", before=before, after=None)
    return True
