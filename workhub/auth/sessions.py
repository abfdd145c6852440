"""Sign-in sessions that can be ended from the server.

The session cookie is signed, but a signed cookie alone cannot be taken back: a copy taken
from a shared PC or a proxy log would work until it expires. So each sign-in is also a row
(``UserSession``): the cookie carries a random token, the row its SHA-256, and a request is
signed in only while the row exists, has not been ended (``ended_at``), and the person's
**fingerprint** is still the one the session started under. The fingerprint is a hash of
what a sign-in was granted on: the password hash, the roles, the department and
``User.session_version``. So, whatever code path makes the change (admin pages, the
directory sync, the CLI, a migration):

* **signing out** ends that session: its cookie, replayed, signs nobody in;
* a **password** set or reset, a change of **roles** or **department** ends every session of
  the person; so do **deactivation**, "**sign out everywhere**" on the profile and an
  administrator's "**end sign-ins**", which raise ``session_version``;
* changing one's **own password** keeps the session it was changed in (it is re-stamped).

``last_seen_at`` is written at most once every ``TOUCH_EVERY`` per session.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from workhub.auth.models import UserSession
from workhub.database import utcnow
from workhub.extensions import db
from workhub.org.models import User

log = logging.getLogger(__name__)

TOUCH_EVERY = timedelta(minutes=5)
SESSION_KEY = "sid"  # the key of the token in the signed Flask session
TOKEN_MAX = 100


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def fingerprint(user: User) -> str:
    """What a sign-in of ``user`` was granted on; any change ends the session."""
    return _hash("\x1f".join((
        user.password_hash or "", ",".join(sorted(user.roles)), str(user.department_id or ""),
        str(user.session_version or 0))))


def start_session(user: User, *, ip: str | None, agent: str | None) -> str:
    """Record a new sign-in of ``user``; return the token for the cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=_hash(token),
                               fingerprint=fingerprint(user), ip=(ip or None) and ip[:64],
                               agent=(agent or None) and agent[:200]))
    db.session.flush()
    return token


def _row(token) -> UserSession | None:
    if not token or not isinstance(token, str) or len(token) > TOKEN_MAX:
        return None
    return db.session.scalar(select(UserSession).where(UserSession.token_hash == _hash(token)))


def session_for(user: User, token) -> UserSession | None:
    """The live session of ``user`` that ``token`` names, or None."""
    row = _row(token)
    if (row is None or row.user_id != user.id or row.ended_at is not None
            or row.fingerprint != fingerprint(user)):
        return None
    return row


def touch(row: UserSession) -> bool:
    """Note that ``row`` was used now (at most once every TOUCH_EVERY); whether it wrote.
    Written in a transaction of its own, so that the request's own work is neither
    committed early nor able to take this with it on a rollback."""
    now = utcnow()
    if row.last_seen_at is not None and now - row.last_seen_at < TOUCH_EVERY:
        return False
    try:
        with db.engine.begin() as conn:
            conn.execute(update(UserSession).where(UserSession.id == row.id)
                         .values(last_seen_at=now))
    except OperationalError:  # a busy database: the next request notes it
        log.warning("could not note the use of session %s", row.id)
        return False
    return True


def end_session(token) -> None:
    """End the session ``token`` names (signing out)."""
    row = _row(token)
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
        db.session.flush()


def live_sessions(user: User) -> list[UserSession]:
    """``user``'s sessions that still sign them in, the most recently used first."""
    current = fingerprint(user)
    return [row for row in db.session.scalars(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc()))
        if row.fingerprint == current]


def end_all_sessions(user: User, *, actor: User | None, ip: str | None = None) -> int:
    """End every session of ``user`` (audited as ``sessions.ended``); return how many were
    live."""
    from workhub.auth.services import audit

    count = len(live_sessions(user))
    user.end_sessions()
    db.session.execute(update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow()))
    audit("sessions.ended", actor=actor, target=user.login, ip=ip, count=count,
          by="self" if actor is not None and actor.id == user.id else "admin")
    db.session.flush()
    return count


def keep_after_change(user: User, token) -> None:
    """Re-stamp the session ``token`` names after ``user`` changed their own password (or
    anything else in the fingerprint), so that only their other sessions end."""
    row = _row(token)
    if row is not None and row.user_id == user.id and row.ended_at is None:
        db.session.flush()
        row.fingerprint = fingerprint(user)
        db.session.flush()


def purge_ended(before) -> int:
    """Delete sessions ended, or unused, since before ``before``; return how many."""
    result = db.session.execute(UserSession.__table__.delete().where(
        (UserSession.ended_at < before) | (UserSession.last_seen_at < before)))
    return result.rowcount or 0
