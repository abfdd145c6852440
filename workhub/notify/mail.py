"""Sending one mail through the configured SMTP relay (or to the log without one)."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

log = logging.getLogger("workhub.mail")


class RelayUnavailable(Exception):
    """The relay could not be reached or refused for a passing reason: try again later."""


class MailRejected(Exception):
    """The relay refused this mail for good (bad recipient, bad sender): do not retry."""


def build_message(*, sender: str, to: str, subject: str, body: str,
                  sender_name: str | None = None) -> EmailMessage:
    """Return a UTF-8 mail; Japanese subjects are encoded as RFC 2047 words."""
    msg = EmailMessage()
    msg["From"] = formataddr((sender_name, sender)) if sender_name else sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "workhub.local")
    msg.set_content(body, charset="utf-8")
    return msg


def deliver(config, msg: EmailMessage) -> str:
    """Hand ``msg`` to the relay named in ``config``; return "sent" or "logged"."""
    host = config.get("SMTP_HOST")
    if not host:
        log.info("mail (no SMTP relay configured)\nTo: %s\nSubject: %s\n\n%s",
                 msg["To"], msg["Subject"], msg.get_content())
        return "logged"
    timeout = 30
    try:
        with smtplib.SMTP(host, config.get("SMTP_PORT", 25), timeout=timeout) as smtp:
            if config.get("SMTP_STARTTLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD", ""))
            smtp.send_message(msg)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        raise MailRejected(str(exc)) from exc
    except smtplib.SMTPResponseException as exc:
        # 5xx answers are permanent; 4xx are passing (greylisting, full queue).
        if 500 <= exc.smtp_code < 600:
            raise MailRejected(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        raise RelayUnavailable(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise RelayUnavailable(f"{type(exc).__name__}: {exc}") from exc
    return "sent"
