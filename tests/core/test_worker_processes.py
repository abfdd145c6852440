"""Real ``workhub worker`` processes against the test database (SQLite file or PostgreSQL).

Effects of the test handlers are files created with O_EXCL (tests/core/jobhandlers.py), so a job
that ran twice shows up as a crash instead of passing silently.
"""

from __future__ import annotations

import signal
from datetime import timedelta

import pytest

from tests.core import jobhandlers  # noqa: F401  (registers the test handlers in this process too)
from tests.core.workerproc import WorkerPool, job_row, jobs_of, pid_of, wait_job, wait_until
from workhub.extensions import db
from workhub.jobs import services

JOB_COUNT = 200


@pytest.fixture
def workers(database_url, tmp_path, app_ctx):
    with WorkerPool(database_url, tmp_path / "workers") as pool:
        yield pool


@pytest.fixture
def effects(tmp_path):
    path = tmp_path / "effects"
    path.mkdir()
    return path


def _enqueue(kind: str, payload: dict, **kwargs) -> int:
    job = services.enqueue(kind, payload, **kwargs)
    db.session.commit()
    return job.id


def test_two_workers_run_each_of_200_jobs_exactly_once(workers, effects):
    a, b = workers.start_many(2, "--concurrency", "2", "--no-scheduler")
    ids = [services.enqueue("test.touch", {"dir": str(effects)}).id for _ in range(JOB_COUNT)]
    db.session.commit()

    def all_done():
        return all(j.finished for j in jobs_of("test.touch"))

    wait_until(all_done, 90, "not every job finished", workers.logs)
    jobs = jobs_of("test.touch")
    assert sorted(j.id for j in jobs) == sorted(ids)
    not_ok = [(j.id, j.status, j.attempts, j.error) for j in jobs
              if j.status != "succeeded" or j.attempts != 1]
    assert not_ok == [], workers.logs()
    # Each effect was applied once (a second run would have hit O_EXCL and failed the job).
    files = sorted(effects.iterdir())
    assert sorted(int(f.stem) for f in files) == sorted(ids)
    pids = {int(f.read_text().strip()) for f in files}
    assert pids == {a.pid, b.pid}, "both workers should have taken jobs"
    assert {j.result["pid"] for j in jobs} == pids


def test_sigkill_mid_job_is_retried_by_another_worker_and_applied_once(workers, effects):
    job_id = _enqueue("test.slow_effect", {"dir": str(effects), "steps": 6,
                                           "step_seconds": 0.2})
    # Both workers are up; whichever claims the job is killed, the other must finish it.
    workers.start_many(2, "--no-scheduler")
    running = wait_job(job_id, lambda j: j.status == "running" and j.progress > 0, 30,
                       "no worker got going", workers)
    a = workers.by_pid(pid_of(running.worker_id))
    (b,) = [w for w in workers.workers if w is not a]
    a.signal(signal.SIGKILL)
    assert a.wait_exit(10) == -signal.SIGKILL

    done = wait_job(job_id, lambda j: j.finished, 40, "the job was not retried", workers)
    assert (done.status, done.attempts, done.error) == ("succeeded", 2, None), workers.logs()
    starts = (effects / f"{job_id}.starts").read_text().splitlines()
    assert starts == [f"{a.pid} attempt 1", f"{b.pid} attempt 2"]
    effect = effects / f"{job_id}.effect"
    assert effect.read_text().strip() == str(b.pid)
    assert sorted(p.name for p in effects.iterdir()) == [f"{job_id}.effect", f"{job_id}.starts"]


def test_sigterm_releases_a_long_job_and_exits_cleanly(workers, effects):
    job_id = _enqueue("test.slow_effect", {"dir": str(effects), "steps": 100,
                                           "step_seconds": 0.1})
    w = workers.start("--no-scheduler", env={"WORKHUB_JOB_SHUTDOWN_GRACE_SECONDS": "1"})
    wait_job(job_id, lambda j: j.status == "running" and j.progress > 0, 30,
             "the job did not start", workers)
    w.signal(signal.SIGTERM)
    # Grace (1 s) plus the handler's next progress call; the bound is generous.
    assert w.wait_exit(20) == 0, workers.logs()
    job = job_row(job_id)
    assert (job.status, job.attempts, job.worker_id) == ("queued", 0, None), workers.logs()
    assert job.lease_expires_at is None
    assert not (effects / f"{job_id}.effect").exists()


def test_sigterm_lets_a_short_job_finish_within_the_grace_period(workers, effects):
    job_id = _enqueue("test.slow_effect", {"dir": str(effects), "steps": 5,
                                           "step_seconds": 0.2})
    w = workers.start("--no-scheduler", env={"WORKHUB_JOB_SHUTDOWN_GRACE_SECONDS": "15"})
    wait_job(job_id, lambda j: j.status == "running" and j.progress > 0, 30,
             "the job did not start", workers)
    w.signal(signal.SIGTERM)
    assert w.wait_exit(25) == 0, workers.logs()
    job = job_row(job_id)
    assert (job.status, job.attempts) == ("succeeded", 1)
    assert (effects / f"{job_id}.effect").exists()


def test_cancel_queued_and_running_jobs(workers, effects, app):
    queued_id = _enqueue("test.touch", {"dir": str(effects)})
    cli = app.test_cli_runner()
    result = cli.invoke(args=["jobs", "cancel", str(queued_id)])
    assert result.exit_code == 0, result.output
    assert "cancelled" in result.output
    slow_id = _enqueue("test.slow_effect", {"dir": str(effects), "steps": 200,
                                            "step_seconds": 0.05})
    workers.start("--no-scheduler")
    wait_job(slow_id, lambda j: j.status == "running" and j.progress > 0, 30,
             "the slow job did not start", workers)

    result = cli.invoke(args=["jobs", "cancel", str(slow_id)])
    assert result.exit_code == 0, result.output
    assert "cancel requested" in result.output
    job = wait_job(slow_id, lambda j: j.finished, 20, "the running job did not stop", workers)
    assert job.status == "cancelled"
    assert job.progress < 100
    assert not (effects / f"{slow_id}.effect").exists()
    # The queued one never ran, though the worker was free the whole time.
    queued = job_row(queued_id)
    assert (queued.status, queued.attempts, queued.started_at) == ("cancelled", 0, None)
    assert not (effects / f"{queued_id}.done").exists()

    # Cancelling what has finished is refused with a message.
    again = cli.invoke(args=["jobs", "cancel", str(slow_id)])
    assert again.exit_code != 0
    assert "すでに終了しています" in again.output


def test_retry_a_failed_and_a_cancelled_job(workers, effects, app):
    cli = app.test_cli_runner()
    failed_id = _enqueue("test.fail", {}, max_attempts=1)
    cancelled_id = _enqueue("test.touch", {"dir": str(effects)})
    services.cancel(job_row(cancelled_id))
    db.session.commit()
    workers.start("--no-scheduler")
    first = wait_job(failed_id, lambda j: j.finished, 20, "test.fail did not fail", workers)
    assert (first.status, first.attempts) == ("failed", 1)
    assert first.error == "Deliberate failure for the test."
    assert first.error_detail == "test detail"
    first_finished = first.finished_at

    for job_id in (failed_id, cancelled_id):
        result = cli.invoke(args=["jobs", "retry", str(job_id)])
        assert result.exit_code == 0, result.output
    again = wait_job(failed_id, lambda j: j.finished and j.started_at > first_finished, 20,
                     "the retried job did not run again", workers)
    assert (again.status, again.attempts) == ("failed", 1)
    touched = wait_job(cancelled_id, lambda j: j.finished, 20, "the retried job did not run",
                       workers)
    assert (touched.status, touched.attempts) == ("succeeded", 1)
    assert (effects / f"{cancelled_id}.done").exists()

    # A job still waiting cannot be retried.
    waiting_id = _enqueue("test.touch", {"dir": str(effects)},
                          run_after=services.utcnow().replace(year=2100))
    refused = cli.invoke(args=["jobs", "retry", str(waiting_id)])
    assert refused.exit_code != 0
    assert "再実行できるのは" in refused.output


def test_worker_with_kinds_ignores_other_kinds(workers, effects):
    # The other kind is older, so a worker that took every kind would take it first.
    other_id = _enqueue("test.slow_effect", {"dir": str(effects), "steps": 1})
    touch_id = _enqueue("test.touch", {"dir": str(effects)})
    workers.start("--no-scheduler", "--kinds", "test.touch")
    wait_job(touch_id, lambda j: j.status == "succeeded", 20, "test.touch did not run", workers)
    other = job_row(other_id)
    assert (other.status, other.attempts, other.worker_id) == ("queued", 0, None)
    assert not (effects / f"{other_id}.starts").exists()


def test_a_cancel_asked_of_a_dead_workers_job_is_honoured_not_rerun(app_ctx, effects):
    """The worker died after someone asked to cancel: recovery cancels instead of requeueing."""
    job_id = _enqueue("test.touch", {"dir": str(effects)})
    assert services.claim("dead-worker", None, 60) == job_id
    services.cancel(job_row(job_id))
    db.session.commit()
    row = job_row(job_id)
    row.lease_expires_at = services.utcnow() - timedelta(seconds=1)
    db.session.commit()
    services.recover_expired()
    job = job_row(job_id)
    assert (job.status, job.worker_id) == ("cancelled", None)
    assert job.error == "実行中に取り消されました。"
    assert job.finished_at is not None
    assert services.claim("live-worker", None, 60) is None
