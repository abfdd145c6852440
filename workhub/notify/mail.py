"""Sending one mail through the configured SMTP relay (or to the log without one)."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

log = logging.getLogger("workhub.mail")


class RelayUnavailable(Exception):
    """The relay could not be reached or refused for a passing reason: try again later."""


class MailRejected(Exception):
    """The relay refused this mail for good (bad recipient, bad sender): do not retry."""


def build_message(*, sender: str, to: str, subject: str, body: str,
                  sender_name: str | None = None,
                  calendar: dict | None = None) -> EmailMessage:
    """Return a UTF-8 mail that any relay can carry: 7-bit throughout, Japanese subjects as
    RFC 2047 words, a Japanese body in base64.

    ``calendar`` (``{"method": "REQUEST" | "CANCEL", "text": <iCalendar>}``) makes it an
    invitation: the text goes beside the body as ``text/calendar; method=…`` (what mail
    programs show with accept / decline buttons) and again as ``invite.ics``."""
    msg = EmailMessage()
    msg["From"] = formataddr((sender_name, sender)) if sender_name else sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)  # required by RFC 5322; relays may not add it
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "workhub.local")
    # Left to itself the email package sends non-ASCII text as raw 8-bit, which a relay that
    # does not offer 8BITMIME may refuse or mangle (smtplib never declares BODY=8BITMIME).
    cte = None if body.isascii() else "base64"
    msg.set_content(body, charset="utf-8", cte=cte)
    if calendar:
        ics = calendar["text"]
        msg.add_alternative(ics, subtype="calendar", charset="utf-8", cte="base64",
                            params={"method": calendar["method"]})
        msg.add_attachment(ics.encode("utf-8"), maintype="application", subtype="ics",
                           filename="invite.ics")
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
    except smtplib.SMTPRecipientsRefused as exc:
        # One recipient per mail; a 4xx answer (mailbox busy, greylisting) passes.
        codes = [code for code, _text in exc.recipients.values()]
        detail = "; ".join(f"{addr}: {code} {text!r}"
                           for addr, (code, text) in exc.recipients.items())
        if codes and all(500 <= code < 600 for code in codes):
            raise MailRejected(detail) from exc
        raise RelayUnavailable(detail) from exc
    except smtplib.SMTPResponseException as exc:
        # 5xx answers are permanent; 4xx are passing (greylisting, full queue).
        if 500 <= exc.smtp_code < 600:
            raise MailRejected(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        raise RelayUnavailable(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise RelayUnavailable(f"{type(exc).__name__}: {exc}") from exc
    return "sent"
