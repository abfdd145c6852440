"""Helpers of every feature's page views (core)."""

from __future__ import annotations

from collections.abc import Mapping

from workhub.errors import DomainError
from workhub.extensions import db


def attach_error(form, exc: DomainError, *, fields: Mapping[str, str] | None = None,
                 shown: bool = True) -> list[str]:
    """Undo the request's changes and show a service's message beside its field; return
    the message instead when no field of ``form`` fits or the form is not on the page
    (``shown=False``). ``fields`` maps a service's field names to the form's."""
    db.session.rollback()
    name = (fields or {}).get(exc.field or "", exc.field) if shown else None
    target = form._fields.get(name) if name else None
    if target is None:
        return [exc.message]
    target.errors = [*target.errors, exc.message]
    return []
