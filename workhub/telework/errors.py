"""Errors of the telework package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workhub.errors import DomainError


@dataclass(frozen=True)
class Violation:
    """One broken rule on one day (``day`` is None for a rule about the whole request)."""

    code: str
    message: str
    day: date | None = None


class RuleViolation(DomainError):
    """A telework rule refuses the request (HTTP 422); ``code`` names the rule.

    Rule names: ``deadline`` (the booking deadline or the day itself has passed),
    ``weekend``, ``holiday``, ``no_business_day``, ``max_days_per_week``,
    ``max_days_per_month``, ``overlap``. ``day`` is the first day concerned; ``violations``
    lists every broken rule of the request, so a page can show them all at once.
    """

    status = 422
    code = "rule"

    def __init__(self, message: str, *, code: str, day: date | None = None,
                 violations: list[Violation] | None = None, field: str | None = None):
        super().__init__(message, code=code, field=field)
        self.day = day
        self.violations = list(violations or [Violation(code, message, day)])

    @classmethod
    def from_violations(cls, violations: list[Violation]) -> RuleViolation:
        """Raise-ready error for the first of ``violations`` (they must not be empty)."""
        first = violations[0]
        return cls(first.message, code=first.code, day=first.day, violations=violations)
