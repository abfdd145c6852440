"""The worker process: claims jobs, runs handlers, renews leases, hosts the scheduler.

Started by ``workhub worker``; never inside the web app.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field

from flask import Flask
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from workhub.extensions import db
from workhub.jobs import registry, services
from workhub.jobs.models import Job

log = logging.getLogger(__name__)

UNEXPECTED = _l("The job failed unexpectedly. An administrator can see the details.")


@dataclass
class JobContext:
    """What a handler gets beside the job: progress reporting and cancellation checks."""

    job_id: int
    worker_id: str
    attempt: int
    _stop: threading.Event
    _cancelled: threading.Event = field(default_factory=threading.Event)
    # Set when another worker took the job over (our lease expired): stop without writing.
    _lost: threading.Event = field(default_factory=threading.Event)
    _last_check: float = 0.0

    def progress(self, percent: float, message: str | None = None) -> None:
        """Record how far the job is (0–100) with a short message; also checks cancellation.

        A progress call is a step boundary: the handler's work so far is committed first.
        Handlers are safe to run again anyway, and on SQLite an open write transaction in
        the handler would otherwise block the progress update (one writer at a time).
        """
        db.session.commit()
        services.set_progress(self.job_id, self.worker_id, int(percent), message)
        self.check_cancelled()

    def check_cancelled(self) -> None:
        """Raise JobCancelled if someone cancelled the job, JobReleased if the worker stops.

        Call between steps; the database is asked at most once a second.
        """
        if self._stop.is_set() or self._lost.is_set():
            raise registry.JobReleased()
        now = time.monotonic()
        if not self._cancelled.is_set() and now - self._last_check >= 1.0:
            self._last_check = now
            if services.cancel_requested(self.job_id):
                self._cancelled.set()
        if self._cancelled.is_set():
            raise registry.JobCancelled()


class Worker:
    """Runs jobs with ``concurrency`` threads until asked to stop."""

    def __init__(self, app: Flask, *, concurrency: int = 1, kinds: list[str] | None = None,
                 scheduler: bool = True, worker_id: str | None = None):
        self.app = app
        self.concurrency = max(1, concurrency)
        self.kinds = kinds or None
        self.with_scheduler = scheduler
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        cfg = app.config
        self.lease_seconds = cfg["JOB_LEASE_SECONDS"]
        self.poll_seconds = cfg["JOB_POLL_SECONDS"]
        self.backoff_base = cfg["JOB_BACKOFF_SECONDS"]
        self.grace_seconds = cfg["JOB_SHUTDOWN_GRACE_SECONDS"]
        self.stopping = threading.Event()  # no new jobs
        self.releasing = threading.Event()  # running handlers must give their job back
        self._held: dict[int, JobContext] = {}
        self._held_lock = threading.Lock()
        self._scheduler = None

    # -- lifecycle ------------------------------------------------------------------------

    def install_signal_handlers(self) -> None:
        def on_signal(signum, _frame):
            log.info("worker %s: signal %s, finishing current jobs", self.worker_id, signum)
            self.stopping.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)

    def run(self) -> None:
        """Run until ``stopping`` is set, then finish or release the running jobs."""
        log.info("worker %s starting (concurrency %s, kinds %s, scheduler %s)",
                 self.worker_id, self.concurrency, self.kinds or "all", self.with_scheduler)
        slots = [threading.Thread(target=self._slot, name=f"job-slot-{i}", daemon=True)
                 for i in range(self.concurrency)]
        heartbeat = threading.Thread(target=self._heartbeat, name="job-heartbeat", daemon=True)
        heartbeat.start()
        if self.with_scheduler:
            from workhub.jobs.scheduler import LeaderScheduler

            self._scheduler = LeaderScheduler(self.app, self.worker_id)
            self._scheduler.start()
        for t in slots:
            t.start()
        while not self.stopping.wait(0.5):
            pass
        deadline = time.monotonic() + self.grace_seconds
        for t in slots:
            t.join(max(0.0, deadline - time.monotonic()))
        if any(t.is_alive() for t in slots):
            # Past the grace period: ask handlers to give their jobs back, wait a little more.
            self.releasing.set()
            for t in slots:
                t.join(5)
        if self._scheduler is not None:
            self._scheduler.shutdown()
        with self.app.app_context():
            with self._held_lock:
                left = list(self._held)
            for job_id in left:
                services.release(job_id, self.worker_id)
        log.info("worker %s stopped", self.worker_id)

    def run_pending(self, max_jobs: int | None = None) -> int:
        """Run due jobs one after another in this thread until none is left; return how many.

        For ``workhub worker --burst`` (cron-driven set-ups) and for tests. Leases are not
        renewed here, so keep to jobs shorter than the lease.
        """
        done = 0
        with self.app.app_context():
            services.recover_expired()
        while max_jobs is None or done < max_jobs:
            with self.app.app_context():
                job_id = services.claim(self.worker_id, self.kinds, self.lease_seconds)
                if job_id is None:
                    break
                self._run_job(job_id)
            done += 1
        return done

    # -- threads --------------------------------------------------------------------------

    def _slot(self) -> None:
        while not self.stopping.is_set():
            try:
                with self.app.app_context():
                    job_id = services.claim(self.worker_id, self.kinds, self.lease_seconds)
                    if job_id is not None:
                        self._run_job(job_id)
                        continue  # more may be waiting: claim again at once
            except Exception:  # noqa: BLE001 - a database hiccup must not kill the worker
                log.exception("worker %s: error while claiming", self.worker_id)
            self.stopping.wait(self.poll_seconds)

    def _heartbeat(self) -> None:
        # Renew leases every third of their length; keep going while jobs are still held
        # after a stop was asked for, so a slow graceful finish does not lose its lease.
        interval = max(0.5, self.lease_seconds / 3)
        while True:
            if self.stopping.is_set():
                if not self._held:
                    break
                time.sleep(interval)
            else:
                self.stopping.wait(interval)
            try:
                with self.app.app_context():
                    with self._held_lock:
                        held = dict(self._held)
                    alive = services.renew(self.worker_id, list(held), self.lease_seconds)
                    for job_id, ctx in held.items():
                        if job_id not in alive:
                            ctx._lost.set()
                        elif alive[job_id]:
                            ctx._cancelled.set()
                    services.recover_expired()
            except Exception:  # noqa: BLE001
                log.exception("worker %s: heartbeat failed", self.worker_id)

    # -- one job --------------------------------------------------------------------------

    def _run_job(self, job_id: int) -> None:
        job = db.session.get(Job, job_id)
        if job is None:  # deleted between claim and load
            return
        handler = registry.get_handler(job.kind)
        stop = self.releasing
        ctx = JobContext(job_id=job.id, worker_id=self.worker_id, attempt=job.attempts,
                         _stop=stop)
        with self._held_lock:
            self._held[job.id] = ctx
        log.info("job %s (%s) attempt %s started", job.id, job.kind, job.attempts)
        try:
            if handler is None:
                raise registry.JobError(str(registry.UNKNOWN_KIND), retryable=False)
            with force_locale(self.app.config["DEFAULT_LANGUAGE"]):
                result = handler.func(job, ctx)
            db.session.commit()
            if not services.finish(job.id, self.worker_id, result):
                log.warning("job %s finished after its lease was lost", job.id)
        except registry.JobCancelled:
            db.session.rollback()
            services.mark_cancelled(job.id, self.worker_id)
            log.info("job %s cancelled", job.id)
        except registry.JobReleased:
            db.session.rollback()
            services.release(job.id, self.worker_id)
            log.info("job %s released at shutdown", job.id)
        except registry.JobError as exc:
            db.session.rollback()
            status = services.fail(job.id, self.worker_id, exc.message, exc.detail,
                                   retryable=exc.retryable, backoff_base=self.backoff_base)
            log.warning("job %s failed (%s): %s", job.id, status, exc.message)
        except Exception as exc:  # noqa: BLE001 - any handler bug becomes a failed attempt
            db.session.rollback()
            detail = "".join(traceback.format_exception(exc))
            status = services.fail(job.id, self.worker_id, str(UNEXPECTED), detail,
                                   retryable=True, backoff_base=self.backoff_base)
            log.error("job %s crashed (%s): %s", job.id, status, exc)
        finally:
            with self._held_lock:
                self._held.pop(job.id, None)
            db.session.remove()
