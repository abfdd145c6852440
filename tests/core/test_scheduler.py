"""The periodic-job scheduler: schedule parsing, ``workhub jobs schedule``, and the lease that
lets only one of several worker processes fire periodic jobs (with a takeover when it dies)."""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from tests.core.workerproc import WorkerPool, fresh, jobs_of, pid_of, wait_until
from workhub.extensions import db
from workhub.jobs.models import SchedulerLease
from workhub.jobs.scheduler import LEASE_NAME, effective_schedules, next_run, parse_schedule

TOKYO = "Asia/Tokyo"
PERIOD = 2  # seconds: WORKHUB_SCHEDULE_PURGE_JOBS="every 2s"
LEASE = 3  # WORKHUB_SCHEDULER_LEASE_SECONDS in workerproc.BASE_ENV


# --- parse_schedule ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["off", "OFF", "  off "])
def test_parse_off(text):
    schedule = parse_schedule(text, TOKYO)
    assert schedule.off and schedule.trigger is None
    assert next_run(schedule) is None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("every 2s", 2), ("every 10m", 600), ("every 1h", 3600), ("Every 15 M", 900),
     ("every 90s", 90)],
)
def test_parse_every(text, seconds):
    schedule = parse_schedule(text, TOKYO)
    assert isinstance(schedule.trigger, IntervalTrigger)
    assert schedule.bucket_seconds == seconds
    assert schedule.trigger.interval_length == seconds


def test_interval_runs_are_aligned_to_period_starts():
    """Every worker computes the same fire times, each at the start of a period bucket."""
    schedule = parse_schedule("every 10m", TOKYO)
    now = datetime(2026, 4, 1, 1, 3, 7, tzinfo=UTC)
    assert next_run(schedule, now) == datetime(2026, 4, 1, 1, 10, tzinfo=UTC)
    assert next_run(schedule, now).utcoffset() == timedelta(hours=9)  # shown in Tokyo time


def test_parse_crontab_in_the_site_timezone():
    schedule = parse_schedule("30 2 * * *", TOKYO)
    assert isinstance(schedule.trigger, CronTrigger)
    assert schedule.bucket_seconds == 60
    # 2026-04-01 10:00 in Tokyo: the next 02:30 is tomorrow, 02:30 Tokyo = 17:30 UTC today.
    now = datetime(2026, 4, 1, 1, 0, tzinfo=UTC)
    assert next_run(schedule, now) == datetime(2026, 4, 1, 17, 30, tzinfo=UTC)
    weekdays = parse_schedule("0 7 * * 1-5", TOKYO)
    friday_noon = datetime(2026, 4, 3, 3, 0, tzinfo=UTC)
    assert next_run(weekdays, friday_noon) == datetime(2026, 4, 5, 22, 0, tzinfo=UTC)  # Mon


@pytest.mark.parametrize(
    ("field", "fires_on"),
    [("1-5", {0, 1, 2, 3, 4}), ("0", {6}), ("7", {6}), ("5-7", {4, 5, 6}), ("sat,sun", {5, 6}),
     ("mon-fri", {0, 1, 2, 3, 4}), ("*/2", {6, 1, 3, 5}), ("*", set(range(7)))],
)
def test_crontab_weekdays_count_from_sunday(field, fires_on):
    """crontab's 0 is Sunday (APScheduler 3 alone would read it as Monday)."""
    schedule = parse_schedule(f"0 7 * * {field}", TOKYO)
    now = datetime(2026, 4, 5, 23, 0, tzinfo=UTC)  # Monday 08:00 in Tokyo
    seen = set()
    for _ in range(7):
        now = next_run(schedule, now)
        seen.add(now.weekday())  # Python: Monday is 0
        now += timedelta(minutes=1)
    assert seen == fires_on


@pytest.mark.parametrize(
    "text", ["", "every", "every 0s", "every 5 days", "every -1m", "each 5m", "30 2 * *",
             "61 * * * *", "0 7 * * 8", "0 7 * * fri-mon", "0 7 1 * 1", "banana"],
)
def test_parse_refuses_bad_schedules_with_a_clear_message(text):
    with pytest.raises(ValueError) as info:
        parse_schedule(text, TOKYO)
    message = str(info.value)
    assert repr(text) in message
    assert any(hint in message for hint in ("every 10m", "at least one second", "not both"))


# --- workhub jobs schedule ---------------------------------------------------------------


def _schedule_output(app, monkeypatch, overrides) -> tuple[int, str]:
    monkeypatch.setitem(app.config, "JOB_SCHEDULES", overrides)
    result = app.test_cli_runner().invoke(args=["jobs", "schedule"])
    return result.exit_code, result.output


def test_jobs_schedule_lists_the_periodic_jobs_with_next_runs(app, monkeypatch, time_machine):
    time_machine.move_to(datetime(2026, 4, 1, 1, 0, tzinfo=UTC), tick=False)  # 10:00 Tokyo
    monkeypatch.setitem(app.config, "AUTH_PROVIDERS", ["ldap", "local"])
    monkeypatch.setitem(app.config, "LDAP_URL", "ldap://127.0.0.1:1")
    code, out = _schedule_output(app, monkeypatch, {})
    assert code == 0, out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert {"ldap_sync", "purge_jobs", "daily_digest"} <= set(lines)
    assert "15 2 * * *" in lines["ldap_sync"]
    assert "next: 2026-04-02T02:15+09:00" in lines["ldap_sync"]
    assert "next: 2026-04-02T03:45+09:00" in lines["purge_jobs"]
    assert "next: 2026-04-02T07:00+09:00" in lines["daily_digest"]
    assert "(notify.daily_digest)" in lines["daily_digest"]


def test_jobs_schedule_honours_overrides_and_the_ldap_switch(app, monkeypatch, time_machine):
    time_machine.move_to(datetime(2026, 4, 1, 1, 0, tzinfo=UTC), tick=False)
    code, out = _schedule_output(app, monkeypatch,
                                 {"purge_jobs": "every 6h", "daily_digest": "off"})
    assert code == 0, out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert "every 6h" in lines["purge_jobs"]
    assert "next: 2026-04-01T15:00+09:00" in lines["purge_jobs"]  # 06:00 UTC
    assert " off " in lines["daily_digest"] and "next: —" in lines["daily_digest"]
    # Without LDAP configured the directory sync is off whatever its schedule.
    assert " off " in lines["ldap_sync"] and "next: —" in lines["ldap_sync"]


def test_jobs_schedule_rejects_a_bad_override_naming_the_variable(app, monkeypatch):
    code, out = _schedule_output(app, monkeypatch, {"purge_jobs": "every tuesday"})
    assert code != 0
    assert "Error: WORKHUB_SCHEDULE_PURGE_JOBS: schedule 'every tuesday'" in out
    assert "Traceback" not in out


def test_worker_refuses_to_start_with_a_bad_schedule(database_url, tmp_path, app_ctx):
    with WorkerPool(database_url, tmp_path / "workers") as pool:
        worker = pool.start("--concurrency", "1", wait=False,
                            env={"WORKHUB_SCHEDULE_PURGE_JOBS": "every 0s"})
        code = worker.wait_exit(30)
        log = worker.log()
    assert code not in (None, 0), log
    assert "WORKHUB_SCHEDULE_PURGE_JOBS: schedule 'every 0s'" in log
    assert "Traceback" not in log


def test_effective_schedules_from_the_environment_variables(app, monkeypatch):
    from workhub.config import load_config

    config = load_config({"WORKHUB_SCHEDULE_PURGE_JOBS": "every 2s",
                          "WORKHUB_INSTANCE_PATH": str(app.instance_path),
                          "WORKHUB_SECRET_KEY": "x"})
    monkeypatch.setitem(app.config, "JOB_SCHEDULES", config["JOB_SCHEDULES"])
    found = {item.name: (schedule, enabled) for item, schedule, enabled
             in effective_schedules(app)}
    assert found["purge_jobs"][0].text == "every 2s" and found["purge_jobs"][1] is True


# --- one scheduler among several workers -------------------------------------------------


def _holder() -> str | None:
    fresh()
    return db.session.scalar(select(SchedulerLease.holder)
                             .where(SchedulerLease.name == LEASE_NAME))


def _periodic_buckets(since: datetime | None = None) -> list[tuple[int, int]]:
    """(key bucket, created-at bucket) of every purge job, oldest first."""
    rows = []
    for job in jobs_of("jobs.purge"):
        if since is not None and job.created_at < since:
            continue
        prefix, _, bucket = (job.unique_key or "").rpartition(":")
        assert prefix == "periodic:purge_jobs", job.unique_key
        rows.append((int(bucket), int(job.created_at.timestamp()) // PERIOD))
    return sorted(rows)


def _assert_once_per_period(rows: list[tuple[int, int]], first: int, last: int, logs) -> None:
    keys = [key for key, _ in rows]
    created = [bucket for _, bucket in rows]
    assert len(set(keys)) == len(keys), f"a period has two jobs: {rows}\n{logs()}"
    assert len(set(created)) == len(created), f"two jobs in one period: {rows}\n{logs()}"
    # Each job was created in the period its key names.
    assert keys == created, f"{rows}\n{logs()}"
    # Every period wholly inside the window has its job; the edges may go either way.
    inside = set(range(first + 1, last))
    window = [k for k in keys if first <= k <= last]
    assert inside <= set(window), f"missing periods {sorted(inside - set(window))}\n{logs()}"
    assert len(inside) <= len(window) <= len(inside) + 2


def test_two_workers_fire_each_period_once_and_the_standby_takes_over(database_url, tmp_path,
                                                                      app_ctx):
    env = {"WORKHUB_SCHEDULE_PURGE_JOBS": f"every {PERIOD}s"}
    with WorkerPool(database_url, tmp_path / "workers") as pool:
        pool.start_many(2, "--concurrency", "1", env=env)
        holder = wait_until(_holder, 15, "no scheduler took the lease", pool.logs)
        leader = pool.by_pid(pid_of(holder))
        (standby,) = [w for w in pool.workers if w is not leader]

        # A window of about 10 s with both schedulers running.
        start = time.time()
        time.sleep(5 * PERIOD)
        end = time.time()
        rows = _periodic_buckets()
        _assert_once_per_period(rows, int(start) // PERIOD, int(end) // PERIOD, pool.logs)
        assert pid_of(_holder()) == leader.pid  # the lease did not wander while alive

        # Kill the holder: the standby takes the lease once it expires.
        leader.signal(signal.SIGKILL)
        assert leader.wait_exit(10) == -signal.SIGKILL
        killed_at = datetime.now(UTC)
        wait_until(lambda: pid_of(_holder()) == standby.pid, LEASE + 5,
                   "the standby did not take over", pool.logs)

        # Periodic jobs keep coming from the new holder, still one per period.
        since = datetime.now(UTC)
        start = since.timestamp()
        wait_until(lambda: len(_periodic_buckets(since)) >= 2, 4 * PERIOD,
                   "no periodic jobs after the takeover", pool.logs)
        end = time.time()
        after = _periodic_buckets(since)
        _assert_once_per_period(after, int(start) // PERIOD, int(end) // PERIOD, pool.logs)
        assert [k for k, _ in after] == list(range(after[0][0], after[0][0] + len(after)))
        # Nothing at all collided over the whole run, the takeover included.
        everything = _periodic_buckets()
        assert len({k for k, _ in everything}) == len(everything)
        assert everything[-1][0] > int(killed_at.timestamp()) // PERIOD

        # The periodic jobs themselves were run by the workers, each once.
        wait_until(lambda: all(j.finished for j in jobs_of("jobs.purge")
                               if j.created_at < since), 20,
                   "periodic jobs were not run", pool.logs)
        done = [j for j in jobs_of("jobs.purge") if j.finished]
        assert all(j.status == "succeeded" for j in done), pool.logs()
