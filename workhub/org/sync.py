"""Directory sync: make the local copies of directory (LDAP) users match the directory."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Protocol

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workhub.errors import DomainError
from workhub.extensions import db
from workhub.org.models import User
from workhub.org.services import DirectoryEntry, upsert_directory_user

log = logging.getLogger(__name__)


class Directory(Protocol):
    def iter_entries(self) -> Iterable[DirectoryEntry]: ...


@dataclass
class SyncResult:
    """What one sync did. ``skipped``: entries that could not be applied (see the log)."""

    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0
    skipped: int = 0


def _snapshot(user: User | None) -> tuple | None:
    if user is None:
        return None
    return (user.display_name, user.kana, user.email, user.department_id, user.ldap_dn,
            frozenset(user.roles))


class SyncRefused(DomainError):
    """The sync would deactivate more accounts than allowed: nothing was changed."""

    status = 409
    code = "sync_refused"

    def __init__(self, leaving: int, active: int, percent: int):
        super().__init__(str(_l(
            "The directory sync would deactivate %(leaving)d of %(active)d directory "
            "accounts, more than the %(percent)d %% allowed (at least one is always "
            "allowed), so nothing was changed. A wrong search base or filter, or a "
            "directory being rebuilt, looks like this. If these people really left, run "
            "`workhub ldap-sync --force`; or raise WORKHUB_LDAP_SYNC_MAX_DEACTIVATE_PERCENT.",
            leaving=leaving, active=active, percent=percent)))
        self.leaving, self.active, self.percent = leaving, active, percent


def allowed_deactivations(active: int, percent: int) -> int:
    """How many of ``active`` directory accounts one sync may deactivate (at least one)."""
    return max(1, active * percent // 100)


def sync_directory(
    directory: Directory, *, actor: User | None = None, ip: str | None = None,
    max_deactivate_percent: int = 10, force: bool = False,
) -> SyncResult:
    """Create and update every person in ``directory``; deactivate directory users gone from it.

    Local accounts are never touched, not even one that shares a login with an entry.
    The whole directory is read before anything changes, so an unreachable directory
    (DirectoryUnavailable) leaves the database as it was. Audits ``user.deactivated`` per
    deactivation and ``ldap.sync`` with the counts. Flushes; the caller commits.

    A sync that would deactivate more than ``max_deactivate_percent`` of the active
    directory accounts (and more than one) raises ``SyncRefused`` before changing anything,
    unless ``force``: directories are misconfigured more often than a tenth of the staff
    leaves in a night.
    """
    from workhub.auth.services import audit

    entries = list(directory.iter_entries())
    by_login: dict[str, list[DirectoryEntry]] = {}
    for entry in entries:
        by_login.setdefault(entry.login.strip().lower(), []).append(entry)

    users = {u.login: u for u in db.session.scalars(select(User))}
    if not by_login and any(u.auth_source == "ldap" and u.active for u in users.values()):
        # An empty answer is far more likely a wrong base or filter than everyone leaving.
        raise DomainError(str(_l(
            "The directory returned nobody, so no account was deactivated. Check "
            "WORKHUB_LDAP_USER_BASE and WORKHUB_LDAP_USER_FILTER."
        )))

    active = [u for u in users.values() if u.auth_source == "ldap" and u.active]
    leaving = sum(1 for u in active if u.login not in by_login)
    if not force and leaving > allowed_deactivations(len(active), max_deactivate_percent):
        raise SyncRefused(leaving, len(active), max_deactivate_percent)

    result = SyncResult()
    for login, found in sorted(by_login.items()):
        user = users.get(login)
        if len(found) > 1:
            log.warning("directory sync: %d entries share the login %r; skipped", len(found),
                        login)
            result.skipped += 1
            continue
        if user is not None and user.auth_source != "ldap":
            log.info("directory sync: %r is a local account; left alone", login)
            result.skipped += 1
            continue
        before = _snapshot(user)
        try:
            user = upsert_directory_user(found[0], actor=actor, ip=ip)
        except DomainError as exc:
            # Refused before anything was written (e.g. a login WorkHub cannot use).
            log.warning("directory sync: %r skipped: %s", found[0].dn, exc.message)
            result.skipped += 1
            continue
        if before is None:
            result.created += 1
        elif _snapshot(user) != before:
            result.updated += 1
        else:
            result.unchanged += 1

    for login, user in sorted(users.items()):
        if user.auth_source == "ldap" and user.active and login not in by_login:
            user.active = False
            user.end_sessions()
            audit("user.deactivated", actor=actor, target=login, ip=ip,
                  reason="not_in_directory")
            result.deactivated += 1

    db.session.flush()
    audit("ldap.sync", actor=actor, ip=ip, **asdict(result))
    log.info("directory sync: %s", result)
    return result


def refused_sync_audited(exc: SyncRefused, *, actor: User | None, ip: str | None) -> None:
    """After the caller rolled back a refused sync: record the refusal and commit it."""
    from workhub.auth.services import audit

    audit("ldap.sync_refused", actor=actor, ip=ip, leaving=exc.leaving, active=exc.active,
          percent=exc.percent)
    db.session.commit()
