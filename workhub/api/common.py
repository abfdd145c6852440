"""Reading requests and answering errors, shared by every module of the JSON API.

A view wrapped in ``json_errors`` raises a ``DomainError`` (``BadRequest`` for a malformed
request) and gets ``{"error": {"code", "message"[, "field"][, "violations"]}}`` with the
error's status, after whatever the request had written is rolled back.
"""

from __future__ import annotations

import re
from datetime import date
from functools import wraps

from flask import jsonify, request
from flask_babel import gettext as _

from workhub.errors import DomainError
from workhub.extensions import db

MAX_PER_PAGE = 100
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class BadRequest(DomainError):
    """The request itself is malformed (HTTP 400)."""


class Unprocessable(DomainError):
    """A well-formed request that a rule refuses (HTTP 422)."""

    status = 422


def rules_as_422(call):
    """Run the service ``call``; a plain broken rule (DomainError itself, 400 on the pages)
    answers 422 here, while permissions, conflicts and missing rows keep their status."""
    try:
        return call()
    except DomainError as exc:
        if type(exc) is DomainError:
            raise Unprocessable(exc.message, code=exc.code, field=exc.field) from None
        raise


def json_errors(view):
    """Answer a DomainError raised by ``view`` as JSON with its status, after a rollback.

    An error that lists ``violations`` (telework's rules) has them listed in the answer too.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except DomainError as exc:
            db.session.rollback()
            error = {"code": exc.code, "message": exc.message}
            if exc.field:
                error["field"] = exc.field
            violations = getattr(exc, "violations", None)
            if violations is not None:
                error["violations"] = [
                    {"code": v.code, "message": v.message,
                     "date": v.day.isoformat() if v.day else None}
                    for v in violations]
            return jsonify({"error": error}), exc.status

    return wrapped


def json_body(allowed: set[str], *, strict_type: bool = True) -> dict:
    """The request's JSON object (``{}`` for no body at all); BadRequest for anything else.

    ``strict_type`` asks for exactly ``Content-Type: application/json`` and refuses an empty
    body sent with another type; without it any JSON media type (``…+json``) is read and an
    empty body counts as no body whatever its type (the session log's long-standing reading).
    """
    if strict_type:
        is_json = request.mimetype == "application/json"
        # Checked on the headers: a form body may already have been read for the CSRF check.
        has_body = bool(request.content_length or request.mimetype)
    else:
        is_json = request.is_json
        has_body = bool(request.content_length)
    if not is_json:
        if has_body:
            raise BadRequest(_("Send a JSON object with Content-Type: application/json."),
                             code="invalid_json")
        return {}
    if not request.get_data():
        return {}
    data = request.get_json(silent=True)
    if data is None:
        raise BadRequest(_("The body is not valid JSON."), code="invalid_json")
    if not isinstance(data, dict):
        raise BadRequest(_("Send a JSON object."), code="invalid_json")
    holder = next((str(k) for k, v in data.items() if _holds_nul(k) or _holds_nul(v)), None)
    if holder is not None:
        # PostgreSQL can neither store nor compare text holding NUL (it was a 500). The field
        # named is the top-level one holding it, so a form can show the message beside it.
        raise BadRequest(_("Text may not contain NUL characters."), code="invalid_json",
                         field=holder.replace("\x00", "")[:64] or None)
    unknown = sorted(str(k) for k in set(data) - allowed)
    if unknown:
        raise BadRequest(_("Unknown fields: %(names)s.", names=", ".join(unknown)[:200]),
                         code="unknown_field", field=unknown[0][:64])
    return data


def _holds_nul(value) -> bool:
    """Whether any string in the JSON value ``value`` (keys included) contains NUL."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def date_value(value, name: str) -> date:
    """``value`` as a date written YYYY-MM-DD; BadRequest naming ``name`` otherwise."""
    if not isinstance(value, str) or not _DATE.match(value):
        raise BadRequest(_("%(name)s must be a date written YYYY-MM-DD.", name=name),
                         field=name)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(_("%(name)s is not a real date.", name=name), field=name) from None


def optional_date(data: dict, name: str) -> date | None:
    """``data[name]`` as a date, None when it is missing or null."""
    return None if data.get(name) is None else date_value(data[name], name)


def text_value(data: dict, name: str, default: str | None = None, *,
               code: str | None = None) -> str | None:
    """``data[name]`` (or ``default``) when it is a string or null; BadRequest (with ``code``
    when given) otherwise."""
    value = data.get(name, default)
    if value is not None and not isinstance(value, str):
        raise BadRequest(_("%(name)s must be a string.", name=name), code=code, field=name)
    return value


def whole_number(value, name: str, *, code: str | None = None) -> int:
    """``value`` when it is a whole number (JSON true is not 1); BadRequest (with ``code``
    when given) otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(_("%(name)s must be a whole number.", name=name), code=code,
                         field=name)
    return value


def page_args() -> tuple[int, int]:
    """``page`` (default 1) and ``per_page`` (default 50, at most MAX_PER_PAGE) of the query
    string; BadRequest for anything but a whole number in range."""

    def number(name: str, default: int, high: int) -> int:
        raw = request.args.get(name)
        if raw is None or raw == "":
            return default
        if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or not 1 <= int(raw) <= high:
            raise BadRequest(_("%(name)s must be a whole number from 1 to %(high)d.",
                               name=name, high=high), field=name)
        return int(raw)

    return number("page", 1, 999_999), number("per_page", 50, MAX_PER_PAGE)
