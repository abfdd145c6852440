"""Periodic jobs: APScheduler 3 inside the worker, firing only while holding the lease.

Every worker started without ``--no-scheduler`` runs a scheduler, but only the one holding
the ``periodic`` lease in the database enqueues anything; the others stand by and take over
when the holder's lease expires (it died) or is dropped (it stopped). A periodic job is only
*enqueued* here, with a key per period, so even a takeover in mid-period cannot queue it twice;
any worker then runs it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from workhub.database import utcnow
from workhub.extensions import db
from workhub.jobs import registry, services

log = logging.getLogger(__name__)

LEASE_NAME = "periodic"
_EVERY = re.compile(r"^every\s+(\d+)\s*([smh])$")
_UNIT = {"s": 1, "m": 60, "h": 3600}
# Interval schedules count from the Unix epoch, so every worker's trigger fires at the same
# instants, at the start of a period bucket (see ``LeaderScheduler._fire``).
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Schedule:
    """A parsed schedule: the APScheduler trigger and the length of one period bucket."""

    text: str
    trigger: object | None
    bucket_seconds: int

    @property
    def off(self) -> bool:
        return self.trigger is None


def parse_schedule(text: str, timezone: str) -> Schedule:
    """Parse ``off``, ``every N{s,m,h}`` or a five-field crontab line; ValueError otherwise."""
    text = (text or "").strip()
    if text.lower() == "off":
        return Schedule(text, None, 0)
    match = _EVERY.match(text.lower())
    if match:
        seconds = int(match.group(1)) * _UNIT[match.group(2)]
        if seconds < 1:
            raise ValueError(f"schedule {text!r}: the interval must be at least one second")
        trigger = IntervalTrigger(seconds=seconds, start_date=_EPOCH, timezone=timezone)
        return Schedule(text, trigger, seconds)
    usage = f"schedule {text!r}: use 'off', 'every 10m' or a crontab line like '30 2 * * *'"
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(usage)
    minute, hour, day, month, day_of_week = fields
    if day != "*" and day_of_week != "*":
        # crontab fires when EITHER matches; APScheduler would need both. Refuse, don't guess.
        raise ValueError(f"schedule {text!r}: restrict the day of the month or the day of "
                         "the week, not both")
    try:
        trigger = CronTrigger(minute=minute, hour=hour, day=day, month=month,
                              day_of_week=_crontab_weekdays(day_of_week), timezone=timezone)
    except ValueError as exc:
        raise ValueError(usage) from exc
    return Schedule(text, trigger, 60)


_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _weekday_number(token: str) -> int:
    if token.isdigit() and int(token) <= 7:
        return int(token)  # 0 and 7 are both Sunday
    if token in _WEEKDAYS:
        return _WEEKDAYS.index(token)
    raise ValueError(token)


def _crontab_weekdays(field: str) -> str:
    """Translate a crontab day-of-week field into APScheduler's day names.

    crontab counts 0 (and 7) as Sunday, APScheduler 3 counts 0 as Monday, and
    ``CronTrigger.from_crontab`` does not translate (APScheduler issue 286): "1-5" would mean
    Tuesday to Saturday. Expanding to names keeps the crontab meaning.
    """
    field = field.lower()
    if field == "*":
        return "*"
    days: set[int] = set()
    for item in field.split(","):
        span, _, step_text = item.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise ValueError(item)
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            start, _, end = span.partition("-")
            first, last = _weekday_number(start), _weekday_number(end)
            if first > last:
                raise ValueError(item)
        else:
            first = last = _weekday_number(span)
            if step:
                last = 6
        days.update(n % 7 for n in range(first, last + 1, step or 1))
    return ",".join(_WEEKDAYS[n] for n in sorted(days))


def effective_schedules(app: Flask) -> list[tuple[registry.Periodic, Schedule, bool]]:
    """Return every declared periodic job with its schedule and whether it is enabled.

    A bad override raises ValueError naming the environment variable to fix.
    """
    registry.load_job_modules(app.config.get("JOB_EXTRA_MODULES", ()))
    overrides = app.config.get("JOB_SCHEDULES", {})
    out = []
    for item in registry.periodic_jobs():
        text = overrides.get(item.name, item.schedule)
        try:
            schedule = parse_schedule(text, app.config["TIMEZONE"])
        except ValueError as exc:
            source = (f"WORKHUB_SCHEDULE_{item.name.upper()}" if item.name in overrides
                      else f"the default schedule of {item.name}")
            raise ValueError(f"{source}: {exc}") from exc
        out.append((item, schedule, (not schedule.off) and bool(item.enabled(app))))
    return out


def next_run(schedule: Schedule, now: datetime | None = None) -> datetime | None:
    if schedule.trigger is None:
        return None
    now = now or utcnow()
    return schedule.trigger.get_next_fire_time(None, now)


class LeaderScheduler:
    """APScheduler in the background of a worker, gated by the database lease."""

    def __init__(self, app: Flask, holder: str):
        self.app = app
        self.holder = holder
        self.ttl = app.config["SCHEDULER_LEASE_SECONDS"]
        self.is_leader = False
        self._scheduler = BackgroundScheduler(timezone=app.config["TIMEZONE"])

    def start(self) -> None:
        for item, schedule, enabled in effective_schedules(self.app):
            if not enabled:
                log.info("periodic job %s is off", item.name)
                continue
            self._scheduler.add_job(
                self._fire, schedule.trigger, args=[item, schedule.bucket_seconds],
                id=item.name, coalesce=True, max_instances=1, misfire_grace_time=300,
            )
        self._scheduler.add_job(self._hold_lease, IntervalTrigger(seconds=max(1, self.ttl // 3)),
                                id="_lease", max_instances=1)
        self._hold_lease()
        self._scheduler.start()

    def shutdown(self) -> None:
        self._scheduler.shutdown(wait=False)
        if self.is_leader:
            with self.app.app_context():
                services.drop_scheduler_lease(LEASE_NAME, self.holder)
            self.is_leader = False

    def _hold_lease(self) -> None:
        try:
            with self.app.app_context():
                leader = services.hold_scheduler_lease(LEASE_NAME, self.holder, self.ttl)
        except Exception:  # noqa: BLE001 - keep standing by; try again next round
            log.exception("scheduler %s: could not check the lease", self.holder)
            leader = False
        if leader != self.is_leader:
            log.info("scheduler %s is now %s", self.holder, "active" if leader else "standing by")
        self.is_leader = leader

    def _fire(self, item: registry.Periodic, bucket_seconds: int) -> None:
        if not self.is_leader:
            return
        # Triggers fire at (just after) the start of a period: interval schedules count from
        # the epoch and crontab lines fire on the minute, so the bucket of "now" names the
        # period the same way in every worker, and a second scheduler firing the same period
        # (a stale leader, a takeover) finds its key taken.
        bucket = int(utcnow().timestamp()) // max(1, bucket_seconds)
        try:
            with self.app.app_context():
                services.enqueue(item.kind, item.payload,
                                 unique_key=f"periodic:{item.name}:{bucket}")
                db.session.commit()
        except Exception:  # noqa: BLE001
            log.exception("scheduler %s: could not enqueue %s", self.holder, item.name)
