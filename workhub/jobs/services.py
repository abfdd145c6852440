"""Queue operations.

Two kinds of callers:

* web, API, CLI and other packages use ``enqueue``, ``get_job``, ``cancel`` and ``retry``:
  they work in the caller's session, flush, and leave the commit to the caller;
* the worker uses ``claim``, ``renew``, ``set_progress``, ``finish``, ``fail``, ``release``
  and ``recover_expired``: each is ONE atomic statement in its own short transaction on the
  engine, independent of whatever the handler does in its session.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from workhub.database import utcnow
from workhub.errors import Conflict, DomainError, NotFound
from workhub.extensions import db
from workhub.jobs import registry
from workhub.jobs.models import FINISHED, Job, SchedulerLease

log = logging.getLogger(__name__)
jobs_table = Job.__table__
lease_table = SchedulerLease.__table__

MAX_PAYLOAD_KEYS = 100
CANCELLED_WHILE_RUNNING = _l("Cancelled while running.")


# --- the caller's side -------------------------------------------------------------------


def enqueue(
    kind: str,
    payload: dict[str, Any] | None = None,
    user=None,
    *,
    run_after: datetime | None = None,
    max_attempts: int | None = None,
    unique_key: str | None = None,
) -> Job:
    """Queue a job of ``kind`` for ``user``; with ``unique_key`` return the existing job
    instead of queueing a second one."""
    handler = registry.get_handler(kind)
    if handler is None:
        raise DomainError(str(registry.UNKNOWN_KIND), code="unknown_kind")
    payload = dict(payload or {})
    if len(payload) > MAX_PAYLOAD_KEYS:
        raise DomainError(str(_l("The job's data is too large.")))
    if unique_key is not None:
        existing = db.session.scalar(select(Job).where(Job.unique_key == unique_key))
        if existing is not None:
            return existing
    job = Job(
        kind=kind,
        payload=payload,
        status="queued",
        progress=0,
        attempts=0,
        max_attempts=max_attempts or handler.max_attempts,
        run_after=run_after or utcnow(),
        cancel_requested=False,
        unique_key=unique_key,
        user_id=getattr(user, "id", None),
    )
    if unique_key is None:
        db.session.add(job)
        db.session.flush()
        return job
    # Another scheduler may enqueue the same period at the same moment: the unique key decides.
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError:
        return db.session.scalar(select(Job).where(Job.unique_key == unique_key))
    return job


def get_job(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFound(str(_l("No such job.")))
    return job


def cancel(job: Job, *, actor=None, ip: str | None = None) -> Job:
    """Cancel a queued job at once; ask a running one to stop at its next check."""
    if job.status == "queued":
        job.status = "cancelled"
        job.finished_at = utcnow()
        job.error = str(_l("Cancelled before it started."))
    elif job.status == "running":
        job.cancel_requested = True
    else:
        raise Conflict(str(_l("The job has already finished.")))
    db.session.flush()
    _audit_job("job.cancelled", job, actor, ip)
    log.info("job %s cancel requested by %s", job.id, getattr(actor, "login", "system"))
    return job


def _audit_job(event: str, job: Job, actor, ip: str | None) -> None:
    from workhub.auth.services import audit

    audit(event, actor=actor, target=f"job:{job.id}", ip=ip, kind=job.kind, status=job.status)


def retry(job: Job, *, actor=None, ip: str | None = None) -> Job:
    """Queue a failed or cancelled job again, with a fresh set of attempts."""
    if job.status not in ("failed", "cancelled"):
        raise Conflict(str(_l("Only a failed or cancelled job can be retried.")))
    job.status = "queued"
    job.attempts = 0
    job.progress = 0
    job.progress_message = None
    job.error = None
    job.error_detail = None
    job.result = None
    job.cancel_requested = False
    job.worker_id = None
    job.lease_expires_at = None
    job.finished_at = None
    job.run_after = utcnow()
    db.session.flush()
    _audit_job("job.retried", job, actor, ip)
    log.info("job %s retried by %s", job.id, getattr(actor, "login", "system"))
    return job


def purge_finished(older_than_days: int) -> int:
    """Delete finished jobs older than ``older_than_days``; return how many."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    result = db.session.execute(
        delete(Job).where(Job.status.in_(FINISHED), Job.finished_at < cutoff)
    )
    return result.rowcount or 0


# --- the worker's side -------------------------------------------------------------------


def _engine():
    return db.engine


def claim(worker_id: str, kinds: list[str] | None, lease_seconds: int) -> int | None:
    """Atomically take the oldest due queued job (of ``kinds``) for ``worker_id``.

    One UPDATE statement: on PostgreSQL its sub-select locks the row with SKIP LOCKED so
    concurrent workers take different jobs; on SQLite the whole statement holds the write
    lock, and ``status = 'queued'`` is checked again by the UPDATE itself.
    """
    now = utcnow()
    engine = _engine()
    candidate = (
        select(jobs_table.c.id)
        .where(jobs_table.c.status == "queued", jobs_table.c.run_after <= now)
        .order_by(jobs_table.c.run_after, jobs_table.c.id)
        .limit(1)
    )
    if kinds:
        candidate = candidate.where(jobs_table.c.kind.in_(kinds))
    if engine.dialect.name == "postgresql":
        candidate = candidate.with_for_update(skip_locked=True)
    stmt = (
        update(jobs_table)
        .where(jobs_table.c.id == candidate.scalar_subquery(), jobs_table.c.status == "queued")
        .values(
            status="running",
            worker_id=worker_id,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
            attempts=jobs_table.c.attempts + 1,
            started_at=now,
            cancel_requested=False,
        )
        .returning(jobs_table.c.id)
    )
    with engine.begin() as conn:
        return conn.execute(stmt).scalar()


def renew(worker_id: str, job_ids: list[int], lease_seconds: int) -> dict[int, bool]:
    """Extend the leases this worker holds; return {job id: cancel requested} for those it
    still holds (a job missing from the answer was lost and must not be finished)."""
    if not job_ids:
        return {}
    stmt = (
        update(jobs_table)
        .where(
            jobs_table.c.id.in_(job_ids),
            jobs_table.c.worker_id == worker_id,
            jobs_table.c.status == "running",
        )
        .values(lease_expires_at=utcnow() + timedelta(seconds=lease_seconds))
        .returning(jobs_table.c.id, jobs_table.c.cancel_requested)
    )
    with _engine().begin() as conn:
        return {row.id: bool(row.cancel_requested) for row in conn.execute(stmt)}


def _mine(job_id: int, worker_id: str):
    return and_(
        jobs_table.c.id == job_id,
        jobs_table.c.worker_id == worker_id,
        jobs_table.c.status == "running",
    )


def set_progress(job_id: int, worker_id: str, percent: int, message: str | None) -> bool:
    percent = max(0, min(100, int(percent)))
    stmt = (
        update(jobs_table)
        .where(_mine(job_id, worker_id))
        .values(progress=percent, progress_message=(message or None) and message[:200])
    )
    with _engine().begin() as conn:
        return conn.execute(stmt).rowcount == 1


def cancel_requested(job_id: int) -> bool:
    with _engine().connect() as conn:
        return bool(
            conn.execute(
                select(jobs_table.c.cancel_requested).where(jobs_table.c.id == job_id)
            ).scalar()
        )


def finish(job_id: int, worker_id: str, result: Any) -> bool:
    """Mark the job succeeded; False when this worker no longer held it."""
    stmt = (
        update(jobs_table)
        .where(_mine(job_id, worker_id))
        .values(
            status="succeeded",
            progress=100,
            result=result if isinstance(result, dict) else ({"value": result} if result else None),
            finished_at=utcnow(),
            worker_id=None,
            lease_expires_at=None,
        )
    )
    with _engine().begin() as conn:
        return conn.execute(stmt).rowcount == 1


def mark_cancelled(job_id: int, worker_id: str) -> bool:
    stmt = (
        update(jobs_table)
        .where(_mine(job_id, worker_id))
        .values(
            status="cancelled",
            error=str(CANCELLED_WHILE_RUNNING),
            finished_at=utcnow(),
            worker_id=None,
            lease_expires_at=None,
        )
    )
    with _engine().begin() as conn:
        return conn.execute(stmt).rowcount == 1


def backoff_seconds(attempts: int, base: int) -> int:
    """Exponential back-off after ``attempts`` failures: base, 2×base, 4×base … at most 1 h."""
    return min(3600, base * 2 ** max(0, attempts - 1))


def fail(job_id: int, worker_id: str, message: str, detail: str | None, *, retryable: bool,
         backoff_base: int) -> str | None:
    """Record a failed attempt: queue again after a back-off while attempts remain (and the
    error is retryable), otherwise mark failed. Returns the new status, None if not held."""
    now = utcnow()
    with _engine().begin() as conn:
        row = conn.execute(
            select(jobs_table.c.attempts, jobs_table.c.max_attempts).where(
                _mine(job_id, worker_id)
            )
        ).first()
        if row is None:
            return None
        again = retryable and row.attempts < row.max_attempts
        values: dict[str, Any] = {
            "error": message[:500],
            "error_detail": (detail or "")[:20000] or None,
            "worker_id": None,
            "lease_expires_at": None,
        }
        if again:
            values.update(
                status="queued",
                run_after=now + timedelta(seconds=backoff_seconds(row.attempts, backoff_base)),
            )
        else:
            values.update(status="failed", finished_at=now)
        updated = conn.execute(update(jobs_table).where(_mine(job_id, worker_id)).values(**values))
        if updated.rowcount != 1:
            return None
        return values["status"]


def release(job_id: int, worker_id: str) -> bool:
    """Give a job back to the queue without counting the attempt (graceful shutdown)."""
    stmt = (
        update(jobs_table)
        .where(_mine(job_id, worker_id))
        .values(
            status="queued",
            attempts=jobs_table.c.attempts - 1,
            worker_id=None,
            lease_expires_at=None,
            run_after=utcnow(),
        )
    )
    with _engine().begin() as conn:
        return conn.execute(stmt).rowcount == 1


LEASE_LOST = _l(
    "The worker running this job stopped responding. It was tried the maximum number of times."
)


def recover_expired() -> tuple[int, int]:
    """Put jobs whose worker vanished (lease expired) back in the queue, or fail them when
    they have used all their attempts. Returns (requeued, failed)."""
    now = utcnow()
    expired = and_(jobs_table.c.status == "running", jobs_table.c.lease_expires_at < now)
    with _engine().begin() as conn:
        # Someone asked to cancel it before its worker died: honour that, don't run it again.
        conn.execute(
            update(jobs_table)
            .where(expired, jobs_table.c.cancel_requested.is_(True))
            .values(status="cancelled", worker_id=None, lease_expires_at=None, finished_at=now,
                    error=str(CANCELLED_WHILE_RUNNING))
        )
        requeued = conn.execute(
            update(jobs_table)
            .where(expired, jobs_table.c.attempts < jobs_table.c.max_attempts)
            .values(status="queued", worker_id=None, lease_expires_at=None, run_after=now)
        ).rowcount
        failed = conn.execute(
            update(jobs_table)
            .where(expired, jobs_table.c.attempts >= jobs_table.c.max_attempts)
            .values(
                status="failed",
                worker_id=None,
                lease_expires_at=None,
                finished_at=now,
                error=str(LEASE_LOST),
            )
        ).rowcount
    if requeued or failed:
        log.warning("recovered expired jobs: %s requeued, %s failed", requeued, failed)
    return requeued, failed


def hold_scheduler_lease(name: str, holder: str, ttl_seconds: int) -> bool:
    """Take or renew the lease ``name`` for ``holder``; True while ``holder`` has it.

    Whoever holds an unexpired lease keeps it; an expired one is taken by the first worker
    to ask. One statement decides, so two workers cannot both win.
    """
    now = utcnow()
    expires = now + timedelta(seconds=ttl_seconds)
    with _engine().begin() as conn:
        won = conn.execute(
            update(lease_table)
            .where(
                lease_table.c.name == name,
                or_(lease_table.c.holder == holder, lease_table.c.expires_at < now),
            )
            .values(holder=holder, expires_at=expires)
        ).rowcount
        if won == 1:
            return True
        exists = conn.execute(
            select(lease_table.c.name).where(lease_table.c.name == name)
        ).first()
        if exists is not None:
            return False
        try:
            with conn.begin_nested():
                conn.execute(insert(lease_table).values(name=name, holder=holder,
                                                        expires_at=expires))
        except IntegrityError:
            return False
        return True


def drop_scheduler_lease(name: str, holder: str) -> None:
    """Give up the lease at shutdown so a standby takes over at once."""
    with _engine().begin() as conn:
        conn.execute(
            delete(lease_table).where(lease_table.c.name == name, lease_table.c.holder == holder)
        )
