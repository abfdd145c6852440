"""The mail handler."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from workhub.jobs.registry import JobError, handler
from workhub.notify.mail import MailRejected, RelayUnavailable, build_message, deliver

RELAY_DOWN = _l(
    "The mail relay could not be reached or asked to try again later. The mail will be sent "
    "again automatically; if this keeps happening, check the relay and the WORKHUB_SMTP_* "
    "settings."
)
REJECTED = _l("The mail relay refused this mail. Check the address and the relay settings.")


@handler("mail.send", max_attempts=8, label=_l("Send mail"))
def send_mail(job, ctx):
    """Deliver one queued mail. A relay that is down is retried with back-off.

    At-least-once: if the worker dies after the relay accepted the mail but before the job is
    marked done, the mail is sent again. Relays accept duplicates; lost mail is worse.
    """
    payload = job.payload
    msg = build_message(
        sender=current_app.config["SMTP_FROM"],
        sender_name="WorkHub",
        to=payload["to"],
        subject=payload["subject"],
        body=payload["body"],
        calendar=payload.get("calendar"),
    )
    ctx.check_cancelled()
    try:
        how = deliver(current_app.config, msg)
    except RelayUnavailable as exc:
        raise JobError(str(RELAY_DOWN), retryable=True, detail=str(exc)) from exc
    except MailRejected as exc:
        raise JobError(str(REJECTED), retryable=False, detail=str(exc)) from exc
    return {"delivery": how, "to": payload["to"]}
