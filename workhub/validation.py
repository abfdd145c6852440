"""Checks of free text and of ids, shared by the services of every package."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from workhub.auth.passwords import has_hidden_characters
from workhub.errors import DomainError

# Ids are 32-bit integer columns on both databases: PostgreSQL refuses a larger number in a
# comparison ("integer out of range"), SQLite cannot bind one past 64 bits.
MAX_ID = 2**31 - 1


def fits_id(value: int) -> bool:
    """Whether the whole number ``value`` could be a row's id (1 … MAX_ID)."""
    return 0 < value <= MAX_ID


def clean_text(value, what, max_len: int, *, required: bool = False, multiline: bool = False,
               name: str | None = None) -> str | None:
    """Return ``value`` stripped (None when empty); refuse it when required and empty, too
    long, or holding control or invisible characters (line breaks and tabs only if
    ``multiline``; a lone carriage return counts as a line break).

    ``what`` names the field in the message; ``name`` is the field the error points at.
    """
    if value is not None and not isinstance(value, str):
        raise DomainError(str(_l("%(what)s must be text.", what=what)), field=name)
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not value:
        if required:
            raise DomainError(str(_l("%(what)s is required.", what=what)), field=name)
        return None
    if len(value) > max_len:
        raise DomainError(str(_l("%(what)s is too long (%(n)d characters at most).",
                                 what=what, n=max_len)), field=name)
    if has_hidden_characters(value.replace("\n", "").replace("\t", "") if multiline
                             else value):
        raise DomainError(str(_l("%(what)s contains control characters.", what=what)),
                          field=name)
    return value
