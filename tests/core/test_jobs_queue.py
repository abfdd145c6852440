"""Queue rules, run in-process: enqueue, claim, finish, fail and back-off, cancel, retry,
lease expiry, unique keys, the scheduler lease."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.core import jobhandlers  # noqa: F401  (registers the test handlers)
from workhub.errors import Conflict, DomainError
from workhub.extensions import db
from workhub.jobs import services
from workhub.jobs.models import Job


def _job(job_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def test_enqueue_unknown_kind_is_refused(app_ctx):
    with pytest.raises(DomainError):
        services.enqueue("no.such.kind", {})
    assert db.session.query(Job).count() == 0


def test_claim_takes_oldest_due_job_once(app_ctx, tmp_path):
    first = services.enqueue("test.touch", {"dir": str(tmp_path)})
    second = services.enqueue("test.touch", {"dir": str(tmp_path)})
    later = services.enqueue("test.touch", {"dir": str(tmp_path)},
                             run_after=services.utcnow() + timedelta(hours=1))
    db.session.commit()
    assert services.claim("w1", None, 60) == first.id
    assert services.claim("w2", None, 60) == second.id
    assert services.claim("w3", None, 60) is None  # the third is not due yet
    job = _job(first.id)
    assert (job.status, job.worker_id, job.attempts) == ("running", "w1", 1)
    assert _job(later.id).status == "queued"


def test_claim_respects_kinds(app_ctx, tmp_path):
    job = services.enqueue("test.touch", {"dir": str(tmp_path)})
    db.session.commit()
    assert services.claim("w1", ["transcription"], 60) is None
    assert services.claim("w1", ["test.touch"], 60) == job.id


def test_finish_only_by_the_holder(app_ctx, tmp_path):
    job = services.enqueue("test.touch", {"dir": str(tmp_path)})
    db.session.commit()
    services.claim("w1", None, 60)
    assert services.finish(job.id, "someone-else", {"x": 1}) is False
    assert services.finish(job.id, "w1", {"x": 1}) is True
    done = _job(job.id)
    assert (done.status, done.progress, done.result) == ("succeeded", 100, {"x": 1})
    assert done.finished_at is not None


def test_fail_backs_off_then_fails_for_good(app_ctx, tmp_path):
    job = services.enqueue("test.fail", {}, max_attempts=2)
    db.session.commit()
    services.claim("w1", None, 60)
    assert services.fail(job.id, "w1", "relay down", "detail", retryable=True,
                         backoff_base=30) == "queued"
    again = _job(job.id)
    assert again.run_after > services.utcnow() + timedelta(seconds=25)
    assert services.claim("w1", None, 60) is None  # backing off
    again.run_after = services.utcnow()
    db.session.commit()
    services.claim("w1", None, 60)
    assert services.fail(job.id, "w1", "relay down", None, retryable=True,
                         backoff_base=30) == "failed"
    failed = _job(job.id)
    assert (failed.status, failed.attempts, failed.error) == ("failed", 2, "relay down")


def test_not_retryable_fails_at_once(app_ctx):
    job = services.enqueue("test.fail", {}, max_attempts=5)
    db.session.commit()
    services.claim("w1", None, 60)
    assert services.fail(job.id, "w1", "bad address", None, retryable=False,
                         backoff_base=1) == "failed"


def test_expired_lease_goes_back_to_queue_then_fails_after_max(app_ctx, tmp_path):
    job = services.enqueue("test.touch", {"dir": str(tmp_path)}, max_attempts=2)
    db.session.commit()
    services.claim("dead-worker", None, 60)
    row = _job(job.id)
    row.lease_expires_at = services.utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert services.recover_expired() == (1, 0)
    assert _job(job.id).status == "queued"
    services.claim("dead-again", None, 60)
    row = _job(job.id)
    row.lease_expires_at = services.utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert services.recover_expired() == (0, 1)
    final = _job(job.id)
    assert final.status == "failed" and "応答しなくなりました" in final.error


def test_renew_reports_cancel_and_lost_leases(app_ctx, tmp_path):
    job = services.enqueue("test.touch", {"dir": str(tmp_path)})
    db.session.commit()
    services.claim("w1", None, 60)
    assert services.renew("w1", [job.id], 60) == {job.id: False}
    services.cancel(_job(job.id))
    db.session.commit()
    assert services.renew("w1", [job.id], 60) == {job.id: True}
    assert services.renew("w2", [job.id], 60) == {}


def test_cancel_queued_and_finished(app_ctx, tmp_path):
    job = services.enqueue("test.touch", {"dir": str(tmp_path)})
    db.session.commit()
    services.cancel(job)
    db.session.commit()
    assert _job(job.id).status == "cancelled"
    assert services.claim("w1", None, 60) is None
    with pytest.raises(Conflict):
        services.cancel(_job(job.id))


def test_retry_only_failed_or_cancelled(app_ctx, tmp_path):
    job = services.enqueue("test.touch", {"dir": str(tmp_path)})
    db.session.commit()
    with pytest.raises(Conflict):
        services.retry(job)
    services.cancel(job)
    services.retry(job)
    db.session.commit()
    again = _job(job.id)
    assert (again.status, again.attempts, again.error) == ("queued", 0, None)


def test_unique_key_queues_once(app_ctx):
    a = services.enqueue("jobs.purge", {}, unique_key="periodic:purge_jobs:1")
    b = services.enqueue("jobs.purge", {}, unique_key="periodic:purge_jobs:1")
    db.session.commit()
    assert a.id == b.id
    assert db.session.query(Job).count() == 1


def test_scheduler_lease_has_one_holder(app_ctx):
    assert services.hold_scheduler_lease("periodic", "a", 30) is True
    assert services.hold_scheduler_lease("periodic", "b", 30) is False
    assert services.hold_scheduler_lease("periodic", "a", 30) is True  # renew
    services.drop_scheduler_lease("periodic", "a")
    assert services.hold_scheduler_lease("periodic", "b", 30) is True


def test_scheduler_lease_taken_over_when_expired(app_ctx):
    assert services.hold_scheduler_lease("periodic", "a", 30) is True
    from workhub.jobs.models import SchedulerLease

    row = db.session.get(SchedulerLease, "periodic")
    row.expires_at = services.utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert services.hold_scheduler_lease("periodic", "b", 30) is True
    assert services.hold_scheduler_lease("periodic", "a", 30) is False


def test_purge_deletes_only_old_finished(app_ctx, tmp_path):
    old = services.enqueue("test.touch", {"dir": str(tmp_path)})
    fresh = services.enqueue("test.touch", {"dir": str(tmp_path)})
    waiting = services.enqueue("test.touch", {"dir": str(tmp_path)})
    for job in (old, fresh):
        job.status = "succeeded"
    old.finished_at = services.utcnow() - timedelta(days=40)
    fresh.finished_at = services.utcnow() - timedelta(days=1)
    db.session.commit()
    assert services.purge_finished(30) == 1
    db.session.commit()
    assert {j.id for j in db.session.query(Job)} == {fresh.id, waiting.id}
