"""What people read for the codes of loans and requests (kinds, statuses, conditions,
history actions): one place for the pages, the mails and the API's messages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from workhub.devices.terms import TERMS_LABELS as KIND_LABELS  # noqa: F401  (device kinds, line)

REQUEST_STATUS_LABELS = {"pending": _l("Waiting for approval"), "approved": _l("Approved"),
                         "waitlisted": _l("On the waitlist"), "fulfilled": _l("Fulfilled"),
                         "rejected": _l("Rejected"), "cancelled": _l("Cancelled")}
CONDITION_LABELS = {"good": _l("Good"), "damaged": _l("Damaged"), "faulty": _l("Faulty"),
                    "lost": _l("Lost")}
LOAN_STATE_LABELS = {"open": _l("Lent now"), "overdue": _l("Overdue"),
                     "unconfirmed": _l("Receipt not confirmed"), "returned": _l("Returned"),
                     "all": _l("All")}
# History actions written by the loans and requests services.
ACTION_LABELS = {
    "allocated": _l("Lent"), "returned": _l("Returned"), "confirmed": _l("Receipt confirmed"),
    "request_created": _l("Request made"), "request_approved": _l("Request approved"),
    "request_rejected": _l("Request rejected"), "request_waitlisted": _l("Request waitlisted"),
    "request_fulfilled": _l("Request fulfilled"), "request_cancelled": _l("Request cancelled"),
}
