"""Periodic survey jobs: reminders to people who have not answered (counts only)."""

from __future__ import annotations
