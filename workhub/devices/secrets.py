"""SIM PIN and PUK: encrypted at rest, shown only to holders of the ``line_secrets``
permission, every reveal audited.

Keys: ``WORKHUB_ENCRYPTION_KEYS`` (config ``ENCRYPTION_KEYS``) is a comma-separated list of
Fernet keys; the first encrypts, all of them decrypt, so a key is rotated by putting a new one
first, running ``reencrypt_all`` and later dropping the old one. Without the setting the key
is derived from ``SECRET_KEY`` with HKDF-SHA256 (salt ``workhub.devices.secrets``), and that
derived key is always tried last when decrypting, so setting real keys later loses nothing.
Changing ``SECRET_KEY`` without keys set makes stored PINs unreadable: set
``WORKHUB_ENCRYPTION_KEYS`` in production.

The ``line_secrets`` permission is granted and revoked by administrators, to IT staff and
administrators only (the pages that show lines are theirs), each change audited.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from workhub.auth.services import audit
from workhub.devices import fields as f
from workhub.devices.history import record_event
from workhub.devices.models import Line, UserPermission
from workhub.devices.permissions import IT_ROLES, can_reveal_secrets
from workhub.errors import Conflict, DomainError, Forbidden, NotFound
from workhub.extensions import db
from workhub.org.models import User

PERMISSION = "line_secrets"
PIN_LENGTH = (4, 8)
PUK_LENGTH = (8, 8)
SECRET_FIELDS = {"pin": "pin_encrypted", "puk": "puk_encrypted"}


class SecretUnreadable(DomainError):
    """A stored value cannot be decrypted with the configured keys (a server setting)."""

    status = 500
    code = "secret_unreadable"


# --- encryption -------------------------------------------------------------------------------


def derived_key(secret_key: str) -> bytes:
    """The Fernet key used when no ``ENCRYPTION_KEYS`` are set: HKDF-SHA256 of SECRET_KEY."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"workhub.devices.secrets",
                info=b"line PIN/PUK v1")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode("utf-8")))


def cipher() -> MultiFernet:
    """The configured keys (the first encrypts), then the key derived from SECRET_KEY."""
    keys = [k.encode("ascii") for k in current_app.config.get("ENCRYPTION_KEYS") or ()]
    keys.append(derived_key(current_app.config["SECRET_KEY"]))
    return MultiFernet([Fernet(k) for k in keys])


def encrypt(value: str | bytes) -> bytes:
    """Encrypt ``value`` with the current key."""
    return cipher().encrypt(value.encode("utf-8") if isinstance(value, str) else value)


def decrypt_bytes(token: bytes, *, ttl: int | None = None) -> bytes:
    """Decrypt ``token``; ``SecretUnreadable`` when no configured key opens it (or it is
    older than ``ttl`` seconds)."""
    try:
        return cipher().decrypt(bytes(token), ttl=ttl)
    except InvalidToken:
        raise SecretUnreadable(str(_l(
            "A stored secret cannot be decrypted with the configured keys. The key it was "
            "stored with must stay in WORKHUB_ENCRYPTION_KEYS (ask the system "
            "administrator)."))) from None


def decrypt(token: bytes) -> str:
    return decrypt_bytes(token).decode("utf-8")


def reencrypt_all() -> int:
    """Re-encrypt every stored PIN/PUK with the first key (after a key rotation); returns how
    many lines were rewritten."""
    fernet = cipher()
    count = 0
    for line in db.session.scalars(select(Line).where(or_(Line.pin_encrypted.is_not(None),
                                                          Line.puk_encrypted.is_not(None)))):
        for column in SECRET_FIELDS.values():
            token = getattr(line, column)
            if token is not None:
                try:
                    setattr(line, column, fernet.rotate(bytes(token)))
                except InvalidToken:
                    raise SecretUnreadable(str(_l("The PIN or PUK of line %(line)s cannot be "
                                                  "decrypted with the configured keys.",
                                                  line=line.label))) from None
        count += 1
    db.session.flush()
    return count


# --- storing and revealing --------------------------------------------------------------------


def stored(line: Line) -> dict[str, bool]:
    """Which secrets are stored for ``line`` (never their values)."""
    return {name: getattr(line, column) is not None for name, column in SECRET_FIELDS.items()}


def set_secrets(line: Line, actor: User, *, pin: object = None, puk: object = None,
                clear: bool = False) -> list[str]:
    """Store a new PIN and/or PUK (None or empty: keep the stored one); ``clear`` removes
    both. Returns the names changed; the history names them, never the values."""
    c = f.Checker()
    pin = c.run(f.pin, pin, "pin", length=PIN_LENGTH)
    puk = c.run(f.pin, puk, "puk", length=PUK_LENGTH)
    c.done()
    changed: list[str] = []
    if clear:
        for name, column in SECRET_FIELDS.items():
            if getattr(line, column) is not None:
                setattr(line, column, None)
                changed.append(name)
    for name, value in (("pin", pin), ("puk", puk)):
        if value is not None:
            setattr(line, SECRET_FIELDS[name], encrypt(value))
            if name not in changed:
                changed.append(name)
    if changed:
        db.session.flush()
        record_event("secret_set", actor=actor, line_id=line.id, fields=changed,
                     cleared=bool(clear))
    return changed


def reveal(line: Line, actor: User, *, ip: str | None = None) -> dict[str, str | None]:
    """The PIN and PUK of ``line`` for a holder of ``line_secrets``; audited and recorded in
    the line's history."""
    if not can_reveal_secrets(actor):
        raise Forbidden(str(_l("Only people given the permission to see SIM PIN/PUK may see "
                               "them.")))
    present = [name for name, has in stored(line).items() if has]
    if not present:
        raise DomainError(str(_l("No PIN or PUK is stored for this line.")), code="no_secret")
    values = {name: decrypt(getattr(line, column)) if getattr(line, column) is not None
              else None for name, column in SECRET_FIELDS.items()}
    audit("devices.line_secrets_revealed", actor=actor, target=f"line:{line.id}", ip=ip,
          line=line.label, fields=present)
    record_event("revealed", actor=actor, line_id=line.id, fields=present)
    return values


# --- who may reveal ---------------------------------------------------------------------------


def holders() -> list[tuple[UserPermission, User]]:
    """Everyone holding ``line_secrets``, by login."""
    stmt = (select(UserPermission, User).join(User, User.id == UserPermission.user_id)
            .where(UserPermission.name == PERMISSION).order_by(User.login))
    return [tuple(row) for row in db.session.execute(stmt)]


def _require_admin(actor: User) -> None:
    if not (actor.active and actor.has_role("admin")):
        raise Forbidden(str(_l("Only administrators may change who can see SIM PIN/PUK.")))


def user_by_login(login: object) -> User:
    """The user with this login ID; a clear error naming the field ``login`` otherwise."""
    login = f.text(login, "login", max_length=64, required=True)
    user = db.session.scalar(select(User).where(User.login == login))
    if user is None:
        raise NotFound(str(_l("There is no user with that login ID.")), field="login")
    return user


def grant(user: User, actor: User, *, ip: str | None = None) -> UserPermission:
    """Let ``user`` (IT staff or an administrator) see SIM PIN/PUK."""
    _require_admin(actor)
    if not user.active:
        raise DomainError(str(_l("%(name)s is not an active user.", name=user.display_name)),
                          field="login")
    if not user.has_role(*IT_ROLES):
        raise DomainError(str(_l("Only IT staff and administrators can be given this "
                                 "permission.")), field="login")
    exists = select(UserPermission.id).where(UserPermission.user_id == user.id,
                                             UserPermission.name == PERMISSION)
    message = str(_l("%(name)s may already see SIM PIN/PUK.", name=user.display_name))
    if db.session.scalar(exists) is not None:
        raise Conflict(message, field="login")
    row = UserPermission(user_id=user.id, name=PERMISSION, granted_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError as exc:
        raise Conflict(message, field="login") from exc
    audit("devices.permission_granted", actor=actor, target=user.login, ip=ip,
          permission=PERMISSION)
    return row


def revoke(row: UserPermission, actor: User, *, ip: str | None = None) -> None:
    """Take the permission ``row`` away."""
    _require_admin(actor)
    user = db.session.get(User, row.user_id)
    audit("devices.permission_revoked", actor=actor, target=user.login if user else None,
          ip=ip, permission=row.name)
    db.session.delete(row)
    db.session.flush()
