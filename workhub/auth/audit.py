"""The security audit log: one row per event (sealed into the hash chain on commit, see
audit_chain.py)."""

from __future__ import annotations

from typing import Any

from workhub.auth.models import AuditEvent
from workhub.extensions import db
from workhub.org.models import User


def audit(
    event: str,
    *,
    actor: User | None = None,
    actor_login: str | None = None,
    target: str | None = None,
    ip: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Record one security event."""
    row = AuditEvent(
        event=event,
        actor_id=actor.id if actor is not None else None,
        actor_login=(actor.login if actor is not None else actor_login),
        target=target,
        ip=ip,
        detail=detail,
    )
    db.session.add(row)
    db.session.flush()
    return row
