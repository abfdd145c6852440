"""Periodic jobs of the core: directory sync, purge of old jobs, the daily digest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workhub.errors import DomainError
from workhub.extensions import db
from workhub.jobs.registry import JobError, handler, periodic


def _ldap_configured(app) -> bool:
    return "ldap" in app.config["AUTH_PROVIDERS"] and bool(app.config.get("LDAP_URL"))


periodic("ldap_sync", "org.ldap_sync", "15 2 * * *", label=_l("Directory sync"),
         enabled=_ldap_configured)
periodic("purge_jobs", "jobs.purge", "45 3 * * *", label=_l("Purge old finished jobs"))
periodic("daily_digest", "notify.daily_digest", "0 7 * * 1-5", label=_l("Daily digest mail"))


@handler("org.ldap_sync", max_attempts=3, label=_l("Directory sync"))
def ldap_sync(job, ctx):
    """Create, update and deactivate users from the directory."""
    from workhub.auth.ldap import directory_from_config
    from workhub.auth.services import DirectoryUnavailable
    from workhub.org.sync import SyncRefused, refused_sync_audited, sync_directory

    directory = directory_from_config(current_app.config)
    if directory is None:
        return {"skipped": "LDAP is not configured"}
    ctx.progress(5, "connecting")
    try:
        result = sync_directory(
            directory, max_deactivate_percent=current_app.config[
                "LDAP_SYNC_MAX_DEACTIVATE_PERCENT"])
    except SyncRefused as exc:
        db.session.rollback()
        refused_sync_audited(exc, actor=None, ip=None)
        raise JobError(exc.message, retryable=False) from exc
    except DirectoryUnavailable as exc:
        raise JobError(exc.message, retryable=True) from exc
    except DomainError as exc:
        # e.g. the directory answered with nobody: a setting to fix, not a passing fault.
        raise JobError(exc.message, retryable=False) from exc
    return {k: v for k, v in vars(result).items() if isinstance(v, int)}


@handler("jobs.purge", max_attempts=2, label=_l("Purge old finished jobs"))
def purge_jobs(job, ctx):
    """Delete finished jobs older than WORKHUB_JOB_PURGE_DAYS, sign-in records that ended (or
    went unused) as long ago, and failed-login counts nobody has added to for a day."""
    from workhub.auth.sessions import purge_ended
    from workhub.auth.throttle import forget_stale
    from workhub.database import utcnow
    from workhub.jobs.services import purge_finished

    days = int(job.payload.get("days") or current_app.config["JOB_PURGE_DAYS"])
    sessions = purge_ended(utcnow() - timedelta(days=days))
    return {"deleted": purge_finished(days), "sessions_deleted": sessions,
            "login_throttles_deleted": forget_stale()}


# --- the daily digest: later features add sections ---------------------------------------

DigestSection = Callable[[object], list[str]]
_DIGEST_SECTIONS: list[tuple[object, DigestSection]] = []


def digest_section(title):
    """Register ``func(user) -> list of lines`` as a section of the daily digest mail."""

    def decorator(func: DigestSection) -> DigestSection:
        _DIGEST_SECTIONS.append((title, func))
        return func

    return decorator


@handler("notify.daily_digest", max_attempts=2, label=_l("Daily digest mail"))
def daily_digest(job, ctx):
    """Mail each person who has something in a digest section (and has not opted out).

    Idempotent per day: each mail job carries a key of person and date.
    """
    from workhub.database import utcnow
    from workhub.jobs.services import enqueue
    from workhub.notify.services import MAIL_MAX_ATTEMPTS, render_mail, user_language
    from workhub.org.models import User

    if not _DIGEST_SECTIONS:
        return {"mailed": 0, "sections": 0}
    # The office's date, not UTC's: 07:00 in Tokyo is still yesterday in UTC.
    today = utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date().isoformat()
    users = db.session.scalars(
        select(User).where(User.active.is_(True), User.email.is_not(None),
                           User.mail_opt_out.is_(False))
    ).all()
    mailed = 0
    for i, user in enumerate(users):
        sections = [(str(title), lines) for title, fn in _DIGEST_SECTIONS if (lines := fn(user))]
        if sections:
            subject, body = render_mail("digest", user_language(user), recipient=user,
                                        sections=sections)
            enqueue("mail.send", {"to": user.email, "subject": subject, "body": body,
                                  "template": "digest"}, None, max_attempts=MAIL_MAX_ATTEMPTS,
                    unique_key=f"digest:{user.id}:{today}")
            mailed += 1
        if i % 50 == 0:
            ctx.progress(100 * i / max(1, len(users)))
    db.session.flush()
    return {"mailed": mailed, "sections": len(_DIGEST_SECTIONS)}


__all__ = ["digest_section", "JobError"]
