"""Job handlers used only by the tests; workers started by tests import this module through
WORKHUB_JOB_MODULES. Effects are files created with O_EXCL, so a second execution of the
same effect is detected instead of silently applied twice."""

from __future__ import annotations

import os
import time
from pathlib import Path

from workhub.jobs.registry import JobError, handler


def _effect_dir(job) -> Path:
    return Path(job.payload["dir"])


def _apply_once(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)


@handler("test.touch", max_attempts=3)
def touch(job, ctx):
    """Create <dir>/<job id>.done exactly once; fails loudly if run twice."""
    _apply_once(_effect_dir(job) / f"{job.id}.done", f"{os.getpid()}\n")
    return {"pid": os.getpid()}


@handler("test.slow_effect", max_attempts=3)
def slow_effect(job, ctx):
    """Record each start, work slowly in steps, then apply the effect once.

    Safe to run again: the effect is applied only if it is not there yet.
    """
    directory = _effect_dir(job)
    with open(directory / f"{job.id}.starts", "a") as fh:
        fh.write(f"{os.getpid()} attempt {ctx.attempt}\n")
    steps = int(job.payload.get("steps", 10))
    for i in range(steps):
        time.sleep(float(job.payload.get("step_seconds", 0.2)))
        ctx.progress(100 * (i + 1) / steps, f"step {i + 1}/{steps}")
    effect = directory / f"{job.id}.effect"
    if not effect.exists():
        _apply_once(effect, f"{os.getpid()}\n")
    return {"steps": steps}


@handler("test.fail", max_attempts=2)
def always_fail(job, ctx):
    raise JobError("Deliberate failure for the test.", retryable=True, detail="test detail")


@handler("test.crash", max_attempts=1)
def crash(job, ctx):
    raise RuntimeError("boom")
