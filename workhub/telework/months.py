"""Closing a month (HR): once closed, a month's telework sessions can no longer be changed
until HR reopens it with a reason. Months are written "YYYY-MM"."""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l

from workhub.auth.services import audit
from workhub.businessdays import month_bounds
from workhub.clock import office_today
from workhub.database import utcnow
from workhub.errors import Conflict, DomainError, Forbidden
from workhub.extensions import db
from workhub.locking import insert_unless_taken
from workhub.org.models import User
from workhub.telework.errors import RuleViolation
from workhub.telework.models import MonthClose
from workhub.telework.permissions import is_hr
from workhub.validation import clean_text

MAX_REASON_LENGTH = 500
_MONTH = re.compile(r"^[0-9]{4}-[0-9]{2}$")


def check_month(month: str) -> str:
    """Return ``month`` ("YYYY-MM") or raise a DomainError naming the expected form."""
    text = month.strip() if isinstance(month, str) else ""
    if not valid_month(text):
        raise DomainError(str(_l("A month is written YYYY-MM, e.g. 2026-04.")), field="month")
    return text


def valid_month(text: str) -> bool:
    """Whether ``text`` is exactly "YYYY-MM" (ASCII digits, a real month)."""
    try:
        return bool(_MONTH.match(text)) and bool(month_bounds(text))
    except ValueError:
        return False


def is_closed(month: str) -> bool:
    """Whether HR has closed ``month`` ("YYYY-MM")."""
    return db.session.get(MonthClose, month) is not None


def close_month(month: str, actor: User, *, now: datetime | None = None,
                ip: str | None = None) -> MonthClose:
    """Close a month that has ended (HR only): its sessions can no longer be changed."""
    if not is_hr(actor):
        raise Forbidden(str(_l("Only HR may close or reopen a month.")))
    month = check_month(month)
    now = now or utcnow()
    if month_bounds(month)[1] >= office_today(now):
        raise RuleViolation(str(_l("%(month)s has not ended yet: a month can be closed from "
                                   "its next day on.", month=month)), code="month_not_over")
    if is_closed(month):
        raise Conflict(str(_l("%(month)s is already closed.", month=month)))
    taken = insert_unless_taken(MonthClose, dict(month=month, closed_at=now,
                                                  closed_by_id=actor.id), ["month"])
    if taken is None:
        raise Conflict(str(_l("%(month)s is already closed.", month=month)))
    audit("telework.month_closed", actor=actor, ip=ip, target=f"month:{month}", month=month)
    return db.session.get(MonthClose, month)


def reopen_month(month: str, actor: User, reason: str, *, ip: str | None = None) -> None:
    """Reopen a closed month (HR only) with a reason, so its sessions can be corrected."""
    if not is_hr(actor):
        raise Forbidden(str(_l("Only HR may close or reopen a month.")))
    month = check_month(month)
    reason = clean_text(reason, _l("Reason"), MAX_REASON_LENGTH, required=True, name="reason")
    row = db.session.get(MonthClose, month)
    if row is None:
        raise Conflict(str(_l("%(month)s is not closed.", month=month)))
    db.session.delete(row)
    db.session.flush()
    audit("telework.month_reopened", actor=actor, ip=ip, target=f"month:{month}", month=month,
          reason=reason)
