"""Start and stop real ``workhub worker`` processes for the tests, and wait on the database.

Workers run the installed console script (next to the test interpreter) against the session's
test database, with short leases and polls so that crash recovery takes seconds, and with the
test-only handlers of ``tests/core/jobhandlers.py``. Their output goes to a log file per process;
``WorkerPool.logs()`` returns the tails for assertion messages, and the pool prints them at
teardown (pytest shows that output only when a test fails). Every process is killed at teardown.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select

from workhub.extensions import db
from workhub.jobs.models import Job

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WORKHUB = Path(sys.executable).parent / "workhub"

T = TypeVar("T")

# Short enough that a killed worker's job is retried within seconds.
BASE_ENV = {
    "WORKHUB_SECRET_KEY": "worker-test-secret",
    "WORKHUB_AUTH": "local",
    "WORKHUB_JOB_MODULES": "tests.core.jobhandlers",
    "WORKHUB_JOB_LEASE_SECONDS": "3",
    "WORKHUB_JOB_POLL_SECONDS": "0.1",
    "WORKHUB_JOB_BACKOFF_SECONDS": "1",
    "WORKHUB_JOB_SHUTDOWN_GRACE_SECONDS": "10",
    "WORKHUB_SCHEDULER_LEASE_SECONDS": "3",
    # No periodic job fires during a test unless the test asks for one.
    "WORKHUB_SCHEDULE_PURGE_JOBS": "off",
    "WORKHUB_SCHEDULE_DAILY_DIGEST": "off",
    "WORKHUB_SCHEDULE_LDAP_SYNC": "off",
}


@dataclass
class WorkerProcess:
    name: str
    proc: subprocess.Popen
    log_path: Path
    _log_file: Any = field(repr=False)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log(self, tail: int = 80) -> str:
        self._log_file.flush()
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-tail:])

    def signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def wait_exit(self, timeout: float) -> int | None:
        """Wait up to ``timeout`` seconds; return the exit code, None if still running."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def wait_started(self, timeout: float = 20.0) -> None:
        """Wait until the worker's job slots are running (its own log says so)."""
        wait_until(lambda: "starting (concurrency" in self.log(tail=1000), timeout,
                   f"worker {self.name} did not start", self._describe)

    def _describe(self) -> str:
        state = "running" if self.alive() else f"exited {self.proc.returncode}"
        return f"--- worker {self.name} (pid {self.pid}, {state}) ---\n{self.log()}"


class WorkerPool:
    """The worker processes of one test: started on demand, all killed at the end."""

    def __init__(self, database_url: str, workdir: Path):
        self.database_url = database_url
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.workers: list[WorkerProcess] = []

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        # Nothing WORKHUB_* leaks in from the developer's shell.
        env = {k: v for k, v in os.environ.items() if not k.startswith("WORKHUB_")}
        env.update(BASE_ENV)
        env["WORKHUB_DATABASE_URL"] = self.database_url
        env["WORKHUB_INSTANCE_PATH"] = str(self.workdir / "instance")
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p
        )
        env["PYTHONUNBUFFERED"] = "1"
        env.update(extra or {})
        return env

    def start(self, *args: str, env: dict[str, str] | None = None, name: str | None = None,
              wait: bool = True) -> WorkerProcess:
        """Start ``workhub worker ARGS``; by default wait until it runs its job slots."""
        name = name or f"w{len(self.workers) + 1}"
        log_path = self.workdir / f"{name}.log"
        log_file = open(log_path, "ab")  # noqa: SIM115 - closed in stop_all()
        proc = subprocess.Popen(
            [str(WORKHUB), "worker", "--log-level", "INFO", *args],
            cwd=PROJECT_ROOT, env=self.env(env), stdin=subprocess.DEVNULL,
            stdout=log_file, stderr=subprocess.STDOUT,
        )
        worker = WorkerProcess(name, proc, log_path, log_file)
        self.workers.append(worker)
        if wait:
            worker.wait_started()
        return worker

    def start_many(self, count: int, *args: str, env: dict[str, str] | None = None
                   ) -> list[WorkerProcess]:
        """Start ``count`` workers side by side, then wait until all of them run."""
        started = [self.start(*args, env=env, wait=False) for _ in range(count)]
        for worker in started:
            worker.wait_started()
        return started

    def by_pid(self, pid: int) -> WorkerProcess:
        return next(w for w in self.workers if w.pid == pid)

    def logs(self) -> str:
        return "\n".join(w._describe() for w in self.workers)

    def stop_all(self) -> None:
        for worker in self.workers:
            if worker.alive():
                worker.proc.send_signal(signal.SIGKILL)
            try:
                worker.proc.wait(10)
            except subprocess.TimeoutExpired:  # pragma: no cover - a zombie we cannot reap
                pass
            worker._log_file.close()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.workers:
                print(self.logs())  # shown by pytest only when the test failed
        finally:
            self.stop_all()


def wait_until(predicate: Callable[[], T], timeout: float, message: str,
               describe: Callable[[], str] | None = None, interval: float = 0.05) -> T:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds.

    The deadline only bounds the wait: no test asserts how fast something happened.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            extra = f"\n{describe()}" if describe else ""
            raise AssertionError(f"{message} (waited {timeout:.0f} s){extra}")
        time.sleep(interval)


# --- reading the jobs table from the test process ----------------------------------------


def fresh() -> None:
    """End the test session's transaction so the next query sees the workers' commits."""
    db.session.rollback()
    db.session.expire_all()


def job_row(job_id: int) -> Job:
    fresh()
    job = db.session.get(Job, job_id)
    assert job is not None, f"job {job_id} is gone"
    return job


def jobs_of(kind: str) -> list[Job]:
    fresh()
    return list(db.session.scalars(select(Job).where(Job.kind == kind).order_by(Job.id)))


def wait_job(job_id: int, predicate: Callable[[Job], bool], timeout: float, message: str,
             pool: WorkerPool | None = None) -> Job:
    """Wait until ``predicate(job)`` holds for the job's current row; return the row."""

    def check():
        job = job_row(job_id)
        return job if predicate(job) else None

    def describe():
        job = job_row(job_id)
        state = (f"job {job.id}: status={job.status} progress={job.progress} "
                 f"attempts={job.attempts} worker={job.worker_id} error={job.error!r}")
        return state + ("\n" + pool.logs() if pool else "")

    return wait_until(check, timeout, message, describe)


_PID_IN_HOLDER = re.compile(r":(\d+):")


def pid_of(worker_id: str | None) -> int | None:
    """The process id inside a worker id ``host:pid:random``."""
    match = _PID_IN_HOLDER.search(worker_id or "")
    return int(match.group(1)) if match else None
