"""Departments (a 局/部/課 tree) and users with their roles."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    false,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workhub.config import ROLES
from workhub.database import UTCDateTime, utcnow
from workhub.extensions import db

_ROLE_LIST = ", ".join(f"'{r}'" for r in ROLES)


class Department(db.Model):
    __tablename__ = "departments"
    __table_args__ = (CheckConstraint("length(code) > 0", name="code_not_empty"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_ja: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id"), index=True
    )

    parent: Mapped[Department | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Department]] = relationship(back_populates="parent")

    def __repr__(self) -> str:
        return f"<Department {self.code}>"

    def name(self, language: str) -> str:
        """Return the name in ``language``, falling back to Japanese."""
        if language == "en" and self.name_en:
            return self.name_en
        return self.name_ja

    def path(self) -> list[Department]:
        """Return the chain from the root down to this department."""
        chain: list[Department] = []
        node: Department | None = self
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def subtree_ids(self) -> set[int]:
        """Return the ids of this department and every department below it."""
        return subtree_ids([self.id])


def subtree_ids(root_ids: list[int]) -> set[int]:
    """Return ``root_ids`` plus all their descendants, with one recursive query."""
    if not root_ids:
        return set()
    tree = (
        select(Department.id)
        .where(Department.id.in_(root_ids))
        .cte("tree", recursive=True)
    )
    tree = tree.union(select(Department.id).where(Department.parent_id == tree.c.id))
    return set(db.session.scalars(select(tree.c.id)))


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint(f"role IN ({_ROLE_LIST})", name="role_known"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("login"),
        CheckConstraint("auth_source IN ('local', 'ldap')", name="auth_source_known"),
        CheckConstraint("language IS NULL OR language IN ('ja', 'en')", name="language_known"),
        CheckConstraint("login = lower(login) AND length(login) > 0", name="login_lower"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(120))
    kana: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    auth_source: Mapped[str] = mapped_column(String(10), default="local")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    ldap_dn: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[str | None] = mapped_column(String(5))
    # Non-essential mail (digests, reminders) can be refused; essential mail always goes.
    mail_opt_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised to end every sign-in of the person at once (deactivation, "sign out
    # everywhere", an administrator's "end sessions"): see workhub/auth/sessions.py.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    department: Mapped[Department | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    def __repr__(self) -> str:
        return f"<User {self.login}>"

    # Flask-Login: an inactive account cannot hold a session.
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return bool(self.active)

    @property
    def roles(self) -> set[str]:
        return {r.role for r in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        """Return True when the user holds any of ``roles``."""
        return bool(self.roles.intersection(roles))

    def end_sessions(self) -> None:
        """End every sign-in of this person (workhub/auth/sessions.py checks the version)."""
        self.session_version = (self.session_version or 0) + 1

    def set_roles(self, roles: set[str] | list[str]) -> None:
        """Replace the user's roles; unknown roles are refused."""
        wanted = set(roles)
        unknown = wanted - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")
        self.role_rows = [r for r in self.role_rows if r.role in wanted] + [
            UserRole(role=role) for role in sorted(wanted - self.roles)
        ]

    def managed_department_ids(self) -> set[int]:
        """Return the departments this user manages: their own department's subtree."""
        if not self.has_role("manager") or self.department_id is None:
            return set()
        return subtree_ids([self.department_id])

    def can_view_user(self, other: User) -> bool:
        """Whether this user may see ``other``'s profile details."""
        if self.id == other.id or self.has_role("admin", "hr"):
            return True
        return other.department_id in self.managed_department_ids()
