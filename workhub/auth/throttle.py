"""Login throttling per typed login: a short, growing wait instead of a lock, and a budget of
failed binds that keeps WorkHub below the directory's own lockout threshold.

Every attempt is *claimed* before its password is checked: one compare-and-swap UPDATE
counts it and, past ``max_failures``, moves ``next_allowed_at`` forward. Twenty parallel
guesses therefore get exactly the checks they are owed, not twenty. Claims are committed on
their own connection at once, so a request that later fails and rolls back cannot undo the
count. A success deletes the row (in the request's transaction, with the sign-in itself).

Unknown logins are counted exactly like known ones, under the same keyed digest of what was
typed (``login_digest``): the waits, messages and rows are the same, so the throttle tells
nobody whether an account exists, and the typed text is never stored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from workhub.auth.models import LoginThrottle
from workhub.database import utcnow
from workhub.extensions import db

T = LoginThrottle
# A row whose last attempt is older than this counts from zero again.
FORGET_AFTER = timedelta(hours=24)
# Compare-and-swap attempts before a claim gives up (only under heavy contention).
_TRIES = 5


class Paused(Exception):  # noqa: N818 - a state, not a failure of the code
    """This login may not be tried for ``retry_after`` more seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"paused for {retry_after} s")
        self.retry_after = max(1, retry_after)


@dataclass(frozen=True)
class ThrottleSettings:
    max_failures: int = 5  # attempts in a row that are checked without waiting
    delay_s: int = 10  # the first wait; it doubles with every further failure
    max_delay_s: int = 300
    # The directory's own lockout threshold (failed binds per window); 0: it never locks.
    directory_threshold: int = 10
    directory_window_s: int = 1800

    @classmethod
    def from_config(cls, cfg) -> ThrottleSettings:
        return cls(
            max_failures=cfg["LOGIN_MAX_FAILURES"],
            delay_s=cfg["LOGIN_DELAY_SECONDS"],
            max_delay_s=cfg["LOGIN_MAX_DELAY_SECONDS"],
            directory_threshold=cfg["LDAP_LOCKOUT_THRESHOLD"],
            directory_window_s=cfg["LDAP_LOCKOUT_WINDOW_MINUTES"] * 60,
        )

    def wait_after(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th attempt in a row (none before max_failures)."""
        if attempts < self.max_failures:
            return timedelta(0)
        doublings = min(attempts - self.max_failures, 30)
        return timedelta(seconds=min(self.max_delay_s, self.delay_s * 2 ** doublings))

    @property
    def directory_budget(self) -> int | None:
        """Failed binds WorkHub may send per window: half the directory's threshold, leaving
        the other half to the person's own PC and mail sign-ins. None: no limit."""
        if not self.directory_threshold:
            return None
        return max(1, self.directory_threshold // 2)


def _seconds(delta: timedelta) -> int:
    return math.ceil(delta.total_seconds())


def claim_attempt(key: str, settings: ThrottleSettings) -> None:
    """Count one attempt for ``key`` before it is checked; raise Paused while it must wait."""
    for _ in range(_TRIES):
        now = utcnow()
        try:
            with db.engine.begin() as conn:
                row = conn.execute(
                    select(T.failures, T.next_allowed_at, T.last_attempt_at).where(T.key == key)
                ).first()
                if row is None:
                    conn.execute(insert(T).values(
                        key=key, failures=1, next_allowed_at=now + settings.wait_after(1),
                        last_attempt_at=now, directory_failures=0))
                    return
                if row.next_allowed_at > now:
                    raise Paused(_seconds(row.next_allowed_at - now))
                attempts = 1 if now - row.last_attempt_at > FORGET_AFTER else row.failures + 1
                claimed = conn.execute(
                    update(T)
                    .where(T.key == key, T.failures == row.failures)
                    .values(failures=attempts, last_attempt_at=now,
                            next_allowed_at=now + settings.wait_after(attempts))
                ).rowcount
                if claimed:
                    return
        except IntegrityError:
            pass  # another request inserted the row first: read it again
    raise Paused(1)


def claim_directory_bind(key: str, settings: ThrottleSettings) -> None:
    """Count one bind for ``key`` in the directory's window; raise Paused when the budget of
    this window is spent (no bind may be sent until it ends)."""
    budget = settings.directory_budget
    if budget is None:
        return
    window = timedelta(seconds=settings.directory_window_s)
    for _ in range(_TRIES):
        now = utcnow()
        cutoff = now - window
        try:
            with db.engine.begin() as conn:
                if conn.execute(
                    update(T)
                    .where(T.key == key,
                           T.directory_since.is_(None) | (T.directory_since <= cutoff))
                    .values(directory_failures=1, directory_since=now)
                ).rowcount:
                    return
                if conn.execute(
                    update(T)
                    .where(T.key == key, T.directory_since > cutoff,
                           T.directory_failures < budget)
                    .values(directory_failures=T.directory_failures + 1)
                ).rowcount:
                    return
                since = conn.scalar(select(T.directory_since).where(T.key == key))
                if since is None:
                    # A parallel success removed the row: this bind starts a new one.
                    conn.execute(insert(T).values(
                        key=key, failures=1, next_allowed_at=now, last_attempt_at=now,
                        directory_failures=1, directory_since=now))
                    return
                if since > cutoff:
                    raise Paused(_seconds(since + window - now))
        except IntegrityError:
            pass
    raise Paused(1)


def refund(key: str) -> None:
    """Give back an attempt that was never checked (the directory could not be reached).
    Runs in the request's transaction."""
    db.session.execute(
        update(T).where(T.key == key).values(
            failures=case((T.failures > 0, T.failures - 1), else_=0),
            directory_failures=case((T.directory_failures > 0, T.directory_failures - 1),
                                    else_=0),
        )
    )


def forget(key: str | None) -> None:
    """Clear the count of ``key`` (a success, a new password); in the request's transaction."""
    if key:
        db.session.execute(delete(T).where(T.key == key))


def paused_until(key: str | None, settings: ThrottleSettings) -> datetime | None:
    """When ``key`` may be tried again (a wait, or a spent directory budget), if that is still
    to come."""
    row = db.session.execute(select(T).where(T.key == key)).scalar_one_or_none() if key else None
    if row is None:
        return None
    now = utcnow()
    until = [row.next_allowed_at]
    budget = settings.directory_budget
    if budget is not None and row.directory_since is not None \
            and row.directory_failures >= budget:
        until.append(row.directory_since + timedelta(seconds=settings.directory_window_s))
    latest = max(until)
    return latest if latest > now else None


def forget_stale(now: datetime | None = None) -> int:
    """Delete rows nobody has tried for FORGET_AFTER; return how many."""
    cutoff = (now or utcnow()) - FORGET_AFTER
    return db.session.execute(delete(T).where(T.last_attempt_at < cutoff)).rowcount or 0
