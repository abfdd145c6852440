"""Personal API tokens, sign-in sessions and the security audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workhub.auth import scopes as scope_rules
from workhub.database import UTCDateTime, utcnow
from workhub.extensions import db
from workhub.org.models import User


class ApiToken(db.Model):
    """A personal API token. Only a SHA-256 of the secret is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the token, shown so people can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What it may do, e.g. "devices:read telework:write" (workhub/auth/scopes.py).
    scopes: Mapped[str] = mapped_column(String(200), default="")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix}… of user {self.user_id}>"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= utcnow()

    @property
    def is_active(self) -> bool:
        """Neither revoked nor expired: it still signs requests in."""
        return self.revoked_at is None and not self.is_expired

    @property
    def scope_map(self) -> dict[str, str]:
        return scope_rules.parse(self.scopes)

    @property
    def scope_list(self) -> list[tuple[str, str]]:
        """(feature's label, "read" or "write") in the features' order."""
        granted = self.scope_map
        return [(str(label), granted[f]) for f, label in scope_rules.FEATURES.items()
                if f in granted]


class UserSession(db.Model):
    """One sign-in in one browser. The cookie carries a random token; only its SHA-256 is
    stored. A session is valid while it is not ended and the person's ``fingerprint``
    (password, roles, department, session version) is still the one it was started under."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(64))
    agent: Mapped[str | None] = mapped_column(String(200))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LoginThrottle(db.Model):
    """Failed sign-ins of one typed login (known or not), keyed by its keyed digest
    (``login_digest``): the text itself, sometimes a password typed into the wrong field, is
    never stored. Written only by workhub/auth/throttle.py, on its own connection."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Attempts claimed since the last success (an attempt is counted before it is checked).
    failures: Mapped[int] = mapped_column(Integer, default=0)
    # No attempt is checked before this time (a growing wait after LOGIN_MAX_FAILURES).
    next_allowed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Failed binds sent to the directory in the window that started at directory_since.
    directory_failures: Mapped[int] = mapped_column(Integer, default=0)
    directory_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEvent(db.Model):
    """One security-relevant event: who did what, when, from where."""

    __tablename__ = "audit_events"
    # A unique index (not a constraint): SQLite can add one to an existing table.
    __table_args__ = (Index("uq_audit_events_seq", "seq", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    event: Mapped[str] = mapped_column(String(64), index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The login as typed or known at the time: kept even when the user row goes away.
    actor_login: Mapped[str | None] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(200))
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The hash chain (workhub/auth/audit_chain.py): filled when the entry is sealed.
    seq: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuditEvent {self.event} {self.actor_login}>"
