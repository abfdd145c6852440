"""The role-aware main navigation. Hiding a link is not a permission: views check again."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class NavItem:
    label: object
    endpoint: str
    roles: tuple[str, ...] = ()  # empty: every signed-in user

    def url(self) -> str:
        return url_for(self.endpoint)


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(_l("Home"), "main.home"),
    NavItem(_l("Remote work"), "telework_bookings.bookings"),
    # Delegates may approve too; they reach the page from the notification's link.
    NavItem(_l("Approvals"), "telework_bookings.approvals", ("manager", "admin")),
    NavItem(_l("Sessions"), "telework_sessions.sessions"),
    NavItem(_l("Telework dashboard"), "telework_stats.dashboard"),
    # Managers see their own departments' figures there; HR and admins everyone's.
    NavItem(_l("Statistics"), "telework_stats.statistics", ("hr", "admin", "manager")),
    NavItem(_l("Targets"), "telework_sessions.targets", ("hr", "admin")),
    NavItem(_l("Policies"), "telework_sessions.policies", ("hr", "admin")),
    NavItem(_l("Users"), "admin.users", ("admin",)),
    NavItem(_l("Departments"), "admin.departments", ("admin",)),
    NavItem(_l("Audit log"), "admin.audit", ("admin",)),
    NavItem(_l("Jobs"), "jobs.index", ("admin",)),
    NavItem(_l("Mail"), "notify.mail_settings", ("admin",)),
)


def navigation_for(user) -> list[NavItem]:
    """Return the navigation items ``user`` may follow."""
    if user is None or not user.is_authenticated:
        return []
    return [item for item in NAV_ITEMS if not item.roles or user.has_role(*item.roles)]
