"""Handlers by kind and periodic-job declarations, collected from each feature's jobs.py."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

# Modules that declare handlers and periodic jobs. A feature adds its jobs module here.
JOB_MODULES = (
    "workhub.jobs.builtin",
    "workhub.notify.jobs",
    "workhub.telework.jobs",
    "workhub.devices.jobs",
    "surveys.jobs",
    "transcription.jobs",
)


class JobCancelled(Exception):
    """Raised inside a handler when someone cancelled the job; the worker marks it cancelled."""


class JobReleased(Exception):
    """Raised inside a handler when the worker is shutting down; the job goes back to the queue."""


class JobError(Exception):
    """A failure a handler understands: ``message`` is shown to people, ``retryable`` decides
    whether the queue tries again (with back-off) until max attempts."""

    def __init__(self, message: str, *, retryable: bool = True, detail: str | None = None):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.detail = detail


@dataclass(frozen=True)
class Handler:
    kind: str
    func: Callable[..., Any]
    max_attempts: int = 3
    label: object = ""


@dataclass(frozen=True)
class Periodic:
    """A job the scheduler enqueues on a schedule.

    ``schedule`` is a crontab line (``"30 2 * * *"``), ``"every 10m"`` (s, m, h) or ``"off"``;
    ``WORKHUB_SCHEDULE_<NAME>`` overrides it. ``enabled(app)`` may switch it off (e.g. no LDAP).
    """

    name: str
    kind: str
    schedule: str
    label: object = ""
    payload: dict[str, Any] = field(default_factory=dict)
    enabled: Callable[[Any], bool] = lambda app: True


_HANDLERS: dict[str, Handler] = {}
_PERIODIC: dict[str, Periodic] = {}


def handler(kind: str, *, max_attempts: int = 3, label: object = ""):
    """Register the decorated function as the handler of ``kind``.

    The function is called as ``func(job, ctx)`` inside an app context and returns a
    JSON-serialisable result (or None). It must be safe to run again: a job whose worker died
    is retried by another worker.
    """

    def decorator(func):
        _HANDLERS[kind] = Handler(kind, func, max_attempts, label or kind)
        return func

    return decorator


def periodic(name: str, kind: str, schedule: str, *, label: object = "", payload=None,
             enabled: Callable[[Any], bool] | None = None) -> Periodic:
    """Declare a periodic job; returns the declaration."""
    item = Periodic(name, kind, schedule, label or name, dict(payload or {}),
                    enabled or (lambda app: True))
    _PERIODIC[name] = item
    return item


def load_job_modules(extra: tuple[str, ...] | list[str] = ()) -> None:
    """Import every module that declares jobs (idempotent)."""
    for module in (*JOB_MODULES, *extra):
        importlib.import_module(module)


def get_handler(kind: str) -> Handler | None:
    return _HANDLERS.get(kind)


def handlers() -> dict[str, Handler]:
    return dict(_HANDLERS)


def periodic_jobs() -> list[Periodic]:
    return list(_PERIODIC.values())


UNKNOWN_KIND = _l("This kind of job is not known to this version of WorkHub.")
