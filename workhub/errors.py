"""Domain errors: raised by services, turned into messages by views and the API."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken; ``message`` tells a person what to do. ``status`` maps to HTTP."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"
