"""Telework: remote-day bookings, approvals, the session log, monthly targets, statistics."""
