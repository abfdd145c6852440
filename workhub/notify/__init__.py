"""Notifications: mail through the job queue and the in-app list (the bell)."""
