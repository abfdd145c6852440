"""Japanese business days: weekends and public holidays (from the maintained `holidays`
package, which follows the Cabinet Office's list, substitute holidays included)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays(year: int, language: str) -> dict[date, str]:
    lang = "ja" if language == "ja" else "en_US"
    return dict(holidays.country_holidays("JP", years=[year], language=lang))


def holiday_name(day: date, language: str = "ja") -> str | None:
    """Return the public holiday's name on ``day``, or None."""
    return _holidays(day.year, language).get(day)


def is_business_day(day: date) -> bool:
    """Monday to Friday and not a public holiday."""
    return day.weekday() < 5 and holiday_name(day) is None


def business_days(start: date, end: date) -> list[date]:
    """Business days from ``start`` to ``end``, both included."""
    out = []
    day = start
    while day <= end:
        if is_business_day(day):
            out.append(day)
        day += timedelta(days=1)
    return out


def previous_business_day(day: date, count: int = 1) -> date:
    """The business day ``count`` business days before ``day`` (``count`` 0: ``day`` itself
    if it is one, else the one before)."""
    current = day
    if count == 0:
        while not is_business_day(current):
            current -= timedelta(days=1)
        return current
    remaining = count
    while remaining:
        current -= timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of ``"YYYY-MM"``; ValueError for anything else."""
    if len(month) != 7 or month[4] != "-":
        raise ValueError(f"not a month: {month!r}")
    year, mon = int(month[:4]), int(month[5:])
    if not (1 <= mon <= 12 and 2000 <= year <= 2999):
        raise ValueError(f"not a month: {month!r}")
    first = date(year, mon, 1)
    nxt = date(year + (mon == 12), mon % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"
