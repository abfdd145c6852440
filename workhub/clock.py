"""The office clock: the office's time zone, today's date there, and a day's bounds in UTC.

Core: every feature dates things in office time (bookings, loans, surveys, meetings);
datetimes are stored in UTC (workhub.database.utcnow).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from workhub.database import utcnow

DEFAULT_TIMEZONE = "Asia/Tokyo"


def office_zone() -> ZoneInfo:
    """The office's time zone (app config TIMEZONE; Asia/Tokyo outside an app)."""
    try:
        name = current_app.config.get("TIMEZONE") or DEFAULT_TIMEZONE
    except RuntimeError:
        name = DEFAULT_TIMEZONE
    return ZoneInfo(name)


def office_today(now: datetime | None = None) -> date:
    """Today's date in the office's time zone (``now`` defaults to the current time)."""
    return (now or utcnow()).astimezone(office_zone()).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants at which the office's ``day`` starts and the next one starts."""
    zone = office_zone()
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)
