"""Authentication rules: local passwords, LDAP, throttling (throttle.py), tokens and the audit log.

Every function takes what it needs as arguments (no request state), flushes and leaves the
commit to the caller.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from workhub.auth import scopes as scopes_mod
from workhub.auth import throttle
from workhub.auth.audit import audit
from workhub.auth.models import ApiToken
from workhub.auth.passwords import (
    MAX_PASSWORD_LENGTH,
    has_hidden_characters,
    login_digest,
    normalise_login,
)
from workhub.auth.throttle import ThrottleSettings
from workhub.database import utcnow
from workhub.errors import DomainError, NotFound
from workhub.extensions import db
from workhub.org.models import User
from workhub.org.services import upsert_directory_user

log = logging.getLogger(__name__)

TOKEN_PREFIX = "whk_"  # noqa: S105 - a public marker, not a secret
# A real hash of a random password: checked when the login is unknown so that unknown and
# known logins take the same time (no enumeration by timing).
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))


class LoginFailed(DomainError):
    """Any failed login. One message for every cause so logins cannot be enumerated."""

    status = 401
    code = "login_failed"

    def __init__(self, reason: str):
        super().__init__(str(GENERIC_LOGIN_FAILURE))
        # Kept for the audit log only, never shown.
        self.reason = reason


class DirectoryUnavailable(DomainError):
    """The LDAP directory could not be reached or answered with an error."""

    status = 503
    code = "directory_unavailable"


GENERIC_LOGIN_FAILURE = _l(
    "The login ID or password is incorrect, or the account cannot sign in right now. "
    "After several failed attempts, sign-in is paused for a while."
)


class LoginPaused(DomainError):
    """Too many failed attempts for what was typed as a login: it may be tried again after
    ``retry_after`` seconds. Said the same way whether or not the account exists."""

    status = 429
    code = "login_paused"

    def __init__(self, retry_after: int):
        if retry_after < 120:
            message = _l("Sign-in with this login ID is paused after several failed attempts. "
                         "Try again in %(n)d seconds.", n=retry_after)
        else:
            message = _l("Sign-in with this login ID is paused after several failed attempts. "
                         "Try again in %(n)d minutes.", n=math.ceil(retry_after / 60))
        super().__init__(str(message))
        self.retry_after = retry_after


@dataclass
class LoginSettings:
    providers: list[str]
    throttle: ThrottleSettings = field(default_factory=ThrottleSettings)


def refuse_login(login: str | None, *, ip: str | None, reason: str) -> LoginFailed:
    """Audit a sign-in refused before any account was looked up; return the error to raise.
    What was typed is not stored, only its digest."""
    audit("login.failed", ip=ip, reason=reason, login_digest=login_digest(login))
    return LoginFailed(reason)


def _find_user(login: str) -> User | None:
    return db.session.scalar(select(User).where(User.login == login))


def authenticate(
    login: str,
    password: str,
    settings: LoginSettings,
    *,
    directory: Any = None,
    ip: str | None = None,
) -> User:
    """Check a login and password against the configured providers and return the user.

    ``directory`` is an LDAP directory object (see ``workhub.auth.ldap``) when LDAP is on.
    Raises LoginFailed (generic), LoginPaused (too many attempts for what was typed; the
    same for unknown logins) or DirectoryUnavailable (when LDAP was needed but is down
    and no local account could sign in). Failures and successes are audited.
    """
    login = normalise_login(login)
    if not login or not password or len(login) > 64 or len(password) > MAX_PASSWORD_LENGTH:
        # An empty password is an anonymous bind that *succeeds* on some directories.
        raise refuse_login(login, ip=ip, reason="empty_or_too_long")
    if not login.isprintable() or "\x00" in password:
        # No real login holds control characters, and PostgreSQL refuses NUL in a query.
        raise refuse_login(login, ip=ip, reason="malformed")

    key = login_digest(login)
    try:
        # Counted before anything is checked, on its own connection (see throttle.py).
        throttle.claim_attempt(key, settings.throttle)
    except throttle.Paused as exc:
        _audit_paused(login, ip, "paused")
        raise LoginPaused(exc.retry_after) from exc

    user = _find_user(login)

    directory_down: DirectoryUnavailable | None = None
    directory_said: dict[str, str] = {}
    for provider in settings.providers:
        if provider == "ldap" and directory is not None:
            if user is not None and user.auth_source == "local":
                continue
            try:
                # Unknown logins too: the directory must not be probed, nor told apart.
                throttle.claim_directory_bind(key, settings.throttle)
            except throttle.Paused as exc:
                _audit_paused(login, ip, "directory_budget")
                raise LoginPaused(exc.retry_after) from exc
            try:
                entry = directory.authenticate(login, password)
            except DirectoryUnavailable as exc:
                directory_down = exc
                throttle.refund(key)
                continue
            except LoginFailed as exc:
                directory_said = {"ldap": exc.reason}  # for the audit log only
                continue
            try:
                user = upsert_directory_user(entry, ip=ip)
            except DomainError as exc:
                # The directory's login belongs to a local account or is not a usable login.
                log.warning("directory entry %r refused: %s", entry.dn, exc.message)
                raise refuse_login(login, ip=ip, reason="directory_entry_refused") from exc
            if not user.active:
                audit("login.failed", actor=user, ip=ip, reason="inactive")
                raise LoginFailed("inactive")
            return _login_succeeded(user, ip, "ldap", key)
        if provider == "local":
            if user is None or user.auth_source != "local" or not user.password_hash:
                check_password_hash(_DUMMY_HASH, password)
                continue
            if check_password_hash(user.password_hash, password):
                if not user.active:
                    audit("login.failed", actor=user, ip=ip, reason="inactive")
                    raise LoginFailed("inactive")
                return _login_succeeded(user, ip, "local", key)

    # A known account is named by its login; for an unknown one only a digest of the text.
    typed = {} if user is not None else {"login_digest": login_digest(login)}
    if directory_down is not None:
        audit("login.failed", actor=user, ip=ip, reason="directory_down", **typed)
        raise directory_down
    audit("login.failed", actor=user, ip=ip, reason="bad_credentials", **typed,
          **directory_said)
    raise LoginFailed("bad_credentials")


def _audit_paused(login: str, ip: str | None, reason: str) -> None:
    user = _find_user(login)
    typed = {} if user is not None else {"login_digest": login_digest(login)}
    audit("login.failed", actor=user, ip=ip, reason=reason, **typed)


def _login_succeeded(user: User, ip: str | None, provider: str, key: str | None) -> User:
    throttle.forget(key)
    user.last_login_at = utcnow()
    audit("login.ok", actor=user, ip=ip, provider=provider)
    return user


def create_token(
    user: User,
    name: str,
    *,
    scopes: dict[str, str | None] | None = None,
    days: int = scopes_mod.DEFAULT_DAYS,
    actor: User | None = None,
    ip: str | None = None,
):
    """Create a personal API token; return (row, secret). The secret is shown only once.

    ``scopes`` maps features to "read" or "write" (see workhub/auth/scopes.py); None gives
    read and write everywhere. It expires after ``days`` (at most a year)."""
    if not user.active:
        # It would never work (see token_for_secret): say so instead of printing a dead token.
        raise DomainError(str(_l("The account %(login)s is deactivated.", login=user.login)))
    name = (name or "").strip()
    if not name:
        raise DomainError(str(_l("Give the token a name.")), field="name")
    if len(name) > 80:
        raise DomainError(str(_l("The name is too long (80 characters at most).")), field="name")
    if has_hidden_characters(name):
        # Control and direction-override characters would let a name disguise itself in lists.
        raise DomainError(
            str(_l("The name may not contain control or invisible characters.")), field="name"
        )
    granted = scopes_mod.full() if scopes is None else scopes_mod.check(scopes)
    if isinstance(days, bool) or not isinstance(days, int) \
            or not 1 <= days <= scopes_mod.MAX_DAYS:
        raise DomainError(str(_l("A token lasts from 1 to %(n)d days.", n=scopes_mod.MAX_DAYS)),
                          field="days")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=_token_digest(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 4],
        scopes=scopes_mod.format_scopes(granted),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(row)
    db.session.flush()
    audit("token.created", actor=actor or user, target=user.login, ip=ip, token_id=row.id,
          scopes=row.scopes, days=days)
    return row, secret


def _token_digest(secret: str) -> str:
    # Tokens are long random strings, so a plain SHA-256 is enough (no need for a slow hash).
    return hashlib.sha256(secret.encode()).hexdigest()


def token_for_secret(secret: str) -> ApiToken | None:
    """Return the live token ``secret`` (not revoked, not expired, its owner active), or None."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(secret)))
    if row is None or not row.is_active or not row.user.active:
        return None
    now = utcnow()
    # Write the "last used" time at most once a minute to keep token requests read-only.
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now
    return row


def revoke_token(token_id: int, *, owner: User | None, actor: User,
                 ip: str | None = None) -> ApiToken:
    """Revoke one of ``owner``'s tokens (any person's when ``owner`` is None: administrators)."""
    row = db.session.get(ApiToken, token_id)
    if row is None or (owner is not None and row.user_id != owner.id):
        raise NotFound(str(_l("No such token.")))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit("token.revoked", actor=actor, target=row.user.login, ip=ip, token_id=row.id)
    return row
