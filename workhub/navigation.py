"""The role-aware main navigation. Hiding a link is not a permission: views check again.

Top-level links and groups; a group is shown as a drop-down menu, so the bar stays one line
on a PC however many roles a person has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class NavItem:
    label: object
    endpoint: str
    roles: tuple[str, ...] = ()  # empty: every signed-in user
    # A rule beyond roles, e.g. "is an approval delegate"; it replaces the role check.
    when: Callable[[object], bool] | None = None

    def url(self) -> str:
        return url_for(self.endpoint)

    def allowed(self, user) -> bool:
        if self.when is not None:
            return bool(self.when(user))
        return not self.roles or user.has_role(*self.roles)


def _may_approve(user) -> bool:
    from workhub.telework.permissions import may_approve_any

    return may_approve_any(user)


@dataclass(frozen=True)
class NavGroup:
    label: object
    key: str
    items: tuple[NavItem, ...]

    @property
    def endpoints(self) -> set[str]:
        return {item.endpoint for item in self.items}


NAV: tuple[NavItem | NavGroup, ...] = (
    NavItem(_l("Home"), "main.home"),
    NavGroup(_l("Remote work"), "telework", (
        NavItem(_l("Book remote days"), "telework_bookings.bookings"),
        NavItem(_l("Start or stop today's telework"), "telework_sessions.sessions"),
        NavItem(_l("Team calendar"), "telework_bookings.calendar"),
        # Managers, delegates and admins: the same rule the page itself checks.
        NavItem(_l("Approvals"), "telework_bookings.approvals", when=_may_approve),
        NavItem(_l("Delegates"), "telework_delegates.delegates", ("manager", "hr", "admin")),
        NavItem(_l("Telework dashboard"), "telework_stats.dashboard"),
        # Managers see their own departments' figures there; HR and admins everyone's.
        NavItem(_l("Statistics"), "telework_stats.statistics", ("hr", "admin", "manager")),
        NavItem(_l("Targets"), "telework_sessions.targets", ("hr", "admin")),
        NavItem(_l("Month close"), "telework_sessions.months", ("hr", "admin")),
        NavItem(_l("Policies"), "telework_sessions.policies", ("hr", "admin")),
    )),
    NavGroup(_l("Devices and lines"), "devices", (
        NavItem(_l("My devices"), "device_loans.my_items"),
        NavItem(_l("Device requests"), "device_loans.requests"),
        NavItem(_l("Inventory"), "devices.devices", ("it_admin", "admin")),
        NavItem(_l("Lines"), "devices.lines", ("it_admin", "admin")),
        # Managers see their own departments' loans there; IT and admins everyone's.
        NavItem(_l("Loans"), "device_loans.allocations", ("it_admin", "admin", "manager")),
        NavItem(_l("Leavers holding items"), "device_loans.leavers", ("it_admin", "admin")),
        NavItem(_l("Device reports"), "device_reports.reports", ("it_admin", "admin", "manager")),
        NavItem(_l("Asset labels"), "device_reports.labels", ("it_admin", "admin")),
    )),
    NavGroup(_l("Surveys"), "surveys", (
        NavItem(_l("My surveys"), "surveys.my_surveys"),
        NavItem(_l("Build and run surveys"), "surveys_build.survey_list", ("hr", "admin")),
    )),
    NavGroup(_l("Meetings"), "meetings", (
        NavItem(_l("Meetings and minutes"), "meetings.meeting_list"),
        NavItem(_l("New meeting"), "meetings.new_meeting", ("secretary", "manager", "admin")),
        NavItem(_l("Search transcripts and minutes"), "transcripts.search_page"),
        NavItem(_l("Glossary"), "transcripts.glossary_page", ("secretary", "admin")),
        NavItem(_l("Online meeting licences"), "online_meetings.licence_list",
                ("it_admin", "admin")),
        NavItem(_l("Online meetings per month"), "online_meetings.figures",
                ("hr", "it_admin", "admin")),
        NavItem(_l("Comparing the online tools"), "online_meetings.comparison",
                ("hr", "it_admin", "admin")),
    )),
    NavGroup(_l("Administration"), "admin", (
        NavItem(_l("Users"), "admin.users", ("admin",)),
        NavItem(_l("Departments"), "admin.departments", ("admin",)),
        NavItem(_l("Audit log"), "admin.audit", ("admin",)),
        NavItem(_l("API tokens"), "admin.tokens", ("admin",)),
        NavItem(_l("Jobs"), "jobs.index", ("admin",)),
        NavItem(_l("Mail"), "notify.mail_settings", ("admin",)),
    )),
)


def navigation_for(user) -> list[NavItem | NavGroup]:
    """Return the links and groups ``user`` may follow (groups keep only allowed items)."""
    if user is None or not user.is_authenticated:
        return []
    out: list[NavItem | NavGroup] = []
    for entry in NAV:
        if isinstance(entry, NavGroup):
            items = tuple(item for item in entry.items if item.allowed(user))
            if items:
                out.append(NavGroup(entry.label, entry.key, items))
        elif entry.allowed(user):
            out.append(entry)
    return out
