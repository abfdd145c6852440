"""Daily device jobs: overdue return reminders, contract-end alerts, unconfirmed receipt
reminders. Each is safe to run twice."""

from __future__ import annotations
