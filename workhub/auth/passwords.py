"""Passwords and login IDs: strength rules, hashing, the keyed digest of a typed login.

Below both auth/services.py (signing in) and org/services.py (managing people), which use
these without importing each other's rules.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import generate_password_hash

from workhub.auth import throttle
from workhub.errors import DomainError
from workhub.org.models import User

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024


def hash_password(password: str) -> str:
    """Return a salted scrypt hash of ``password``."""
    return generate_password_hash(password, method="scrypt")


def check_password_strength(password: str, login: str = "") -> None:
    """Raise DomainError when ``password`` is too weak to be set."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            str(_l("The password must be at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)),
            field="password",
        )
    if login and login.lower() in password.lower():
        raise DomainError(str(_l("The password must not contain the login ID.")), field="password")
    if len(set(password)) < 4:
        raise DomainError(str(_l("The password is too simple.")), field="password")
    # Sign-in refuses these (see authenticate), so such a password could never be used.
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DomainError(
            str(_l("The password must be at most %(n)d characters.", n=MAX_PASSWORD_LENGTH)),
            field="password",
        )
    if has_hidden_characters(password):
        raise DomainError(
            str(_l("The password may not contain control characters.")), field="password"
        )


def set_password(user: User, password: str) -> None:
    """Check and store a new local password for ``user``."""
    check_password_strength(password, user.login)
    user.password_hash = hash_password(password)
    # A new password lifts a pause: the person (or the admin who reset it) knows it.
    throttle.forget(login_digest(user.login))


def normalise_login(login: str) -> str:
    return (login or "").strip().lower()


_ZWJ = "\u200d"
_VARIATION_SELECTOR_16 = "\ufe0f"


def _joins_emoji(text: str, at: int) -> bool:
    """Whether the zero-width joiner at ``at`` sits inside an emoji sequence (👨‍👩‍👧): after
    a symbol, a skin tone or the emoji variation selector and before a symbol."""
    if at == 0 or at + 1 >= len(text):
        return False
    before, after = text[at - 1], text[at + 1]
    return (unicodedata.category(before) in ("So", "Sk") or before == _VARIATION_SELECTOR_16) \
        and unicodedata.category(after) == "So"


def has_hidden_characters(text: str) -> bool:
    """Whether ``text`` holds control, format (bidi override, zero-width space), private-use
    or unassigned characters, or line/paragraph separators.

    Ordinary spaces, including the full-width space common in Japanese text, are allowed, and
    so is the joiner inside an emoji sequence (it is part of the picture, not hidden).
    """
    return any(
        (unicodedata.category(c)[0] == "C" and not (c == _ZWJ and _joins_emoji(text, i)))
        or unicodedata.category(c) in ("Zl", "Zp")
        for i, c in enumerate(text)
    )


def login_digest(login: str | None) -> str | None:
    """A keyed digest of what was typed as a login: failures of one typed text can be told
    apart and counted without storing the text, which is sometimes a password typed into
    the wrong field."""
    if not login:
        return None
    key = str(current_app.config.get("SECRET_KEY") or "").encode()
    return hmac.new(key, normalise_login(login).encode("utf-8", "replace"),
                    hashlib.sha256).hexdigest()[:16]
