"""Notify people: an in-app notification and, unless they opted out, a queued mail.

Mails are rendered here, in the recipient's language, from ``templates/mail/<name>.txt``
(first line ``Subject: …``, a blank line, then the body) and queued as ``mail.send`` jobs, so
a relay that is down delays mail but loses none.
"""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from werkzeug.routing import BuildError

from workhub.clock import day_bounds
from workhub.database import utcnow
from workhub.errors import DomainError
from workhub.extensions import db
from workhub.jobs.services import enqueue
from workhub.notify.models import Notification
from workhub.org.models import User
from workhub.org.services import check_email

MAIL_MAX_ATTEMPTS = 8


def user_language(user: User | None, default: str = "ja") -> str:
    return (user.language if user is not None and user.language else None) or default


def render_mail(template: str, language: str, **context) -> tuple[str, str]:
    """Render ``mail/<template>.txt`` in ``language``; return (subject, body)."""
    with force_locale(language):
        text = render_template(f"mail/{template}.txt", **context)
    head, _sep, body = text.lstrip().partition("\n\n")
    if not head.startswith("Subject:"):
        raise ValueError(f"mail template {template} must start with 'Subject:'")
    return head[len("Subject:"):].strip(), body.strip() + "\n"


def queue_mail(to: str, template: str, *, language: str, user: User | None = None,
               requested_by: User | None = None, calendar: dict | None = None, **context):
    """Render a mail and queue it for delivery; return the job. ``calendar`` makes it an
    invitation (see ``mail.build_message``)."""
    address = check_email(to)
    if address is None:
        raise DomainError(str(_l("An e-mail address is required.")), field="email")
    subject, body = render_mail(template, language, recipient=user, **context)
    payload = {"to": address, "subject": subject, "body": body, "template": template}
    if calendar:
        payload["calendar"] = calendar
    return enqueue(
        "mail.send",
        payload,
        requested_by,
        max_attempts=MAIL_MAX_ATTEMPTS,
    )


def notify(user: User, event: str, template: str, *, url: str | None = None,
           essential: bool = False, default_language: str = "ja", **context) -> Notification:
    """Tell ``user`` about ``event``: always in the app, and by mail when they have an
    address and either the mail is essential or they have not opted out."""
    language = user_language(user, default_language)
    subject, body = render_mail(template, language, recipient=user, url=url, **context)
    note = Notification(user_id=user.id, event=event, title=subject[:200], body=body, url=url)
    db.session.add(note)
    if user.email and user.active and (essential or not user.mail_opt_out):
        enqueue("mail.send", {"to": user.email, "subject": subject, "body": body,
                              "template": template}, None, max_attempts=MAIL_MAX_ATTEMPTS)
    db.session.flush()
    return note


def page_path(*endpoints: str) -> str | None:
    """The path of the first of ``endpoints`` that exists, for a notification's link (the
    pages live in other modules; a missing one just leaves the notification without a link)."""
    adapter = current_app.url_map.bind("")
    for endpoint in endpoints:
        try:
            return adapter.build(endpoint)
        except BuildError:
            continue
    return None


def notified_on(event: str, day: date) -> set[int]:
    """The ids of the people who got a notification of ``event`` on the office's ``day`` (a
    job that runs twice uses it to tell each person once)."""
    start, end = day_bounds(day)
    return set(db.session.scalars(
        select(Notification.user_id).where(Notification.event == event,
                                           Notification.created_at >= start,
                                           Notification.created_at < end)
    ))


def set_mail_opt_out(user: User, opt_out: bool) -> User:
    """Record whether ``user`` refuses non-essential mail (digests, reminders)."""
    user.mail_opt_out = bool(opt_out)
    db.session.flush()
    return user


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    ) or 0


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0


def queue_test_mail(address: str, language: str, config, requested_by: User | None = None):
    """Queue the relay test mail to ``address``."""
    relay = (f"{config['SMTP_HOST']}:{config['SMTP_PORT']}" if config.get("SMTP_HOST")
             else str(_l("none (mail is written to the log)")))
    return queue_mail(address, "test", language=language, requested_by=requested_by,
                      relay=relay, sent_at=utcnow().strftime("%Y-%m-%d %H:%M UTC"))
