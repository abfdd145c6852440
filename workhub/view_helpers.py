"""Helpers of every feature's page and API views (core): the acting user, 404s, a service's
error beside its form field."""

from __future__ import annotations

from collections.abc import Mapping

from flask import abort, request
from flask_login import current_user

from workhub.errors import DomainError
from workhub.extensions import db
from workhub.org.models import User
from workhub.validation import fits_id


def acting_user() -> User:
    """The signed-in person as a model row (not Flask-Login's proxy), for the services."""
    return current_user._get_current_object()


def client_ip() -> str | None:
    """The caller's address as the audit log keeps it (the proxy's view with TRUSTED_PROXIES)."""
    return request.remote_addr


def get_or_404(model, object_id: int):
    """The ``model`` row with primary key ``object_id``, or a 404 (also for an id past what
    the id columns hold, which the database would refuse to compare)."""
    row = db.session.get(model, object_id) if fits_id(object_id) else None
    if row is None:
        abort(404)
    return row


def accepts_json() -> bool:
    """Whether a page's script asked for JSON rather than HTML (``Accept``)."""
    return request.accept_mimetypes.best == "application/json"


def attach_error(form, exc: DomainError, *, fields: Mapping[str, str] | None = None,
                 shown: bool = True) -> list[str]:
    """Undo the request's changes and show a service's message beside its field; return
    the messages no field of ``form`` takes, or all of them when there is no form or it is
    not on the page (``shown=False``). An error listing several problems (``exc.problems``:
    (field, message) pairs) has each put beside its field. ``fields`` maps a service's field
    names to the form's."""
    db.session.rollback()
    problems = getattr(exc, "problems", None) or [(exc.field, exc.message)]
    general = []
    for name, message in problems:
        name = (fields or {}).get(name or "", name) if shown else None
        target = form._fields.get(name) if form is not None and name else None
        if target is None:
            general.append(message)
        else:
            target.errors = [*target.errors, message]
    return general
