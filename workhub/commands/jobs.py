"""Worker, job queue and mail commands."""

from __future__ import annotations

import json
import logging

import click
from flask import Flask, current_app
from sqlalchemy import select

from workhub.errors import DomainError
from workhub.extensions import db


def _job_line(job) -> str:
    return (f"{job.id:>6}  {job.status:<9}  {job.progress:>3}%  {job.kind:<22} "
            f"attempts {job.attempts}/{job.max_attempts}  {job.created_at:%Y-%m-%d %H:%M}Z")


def register(app: Flask) -> None:
    @app.cli.command("worker")
    @click.option("--concurrency", default=1, show_default=True, type=click.IntRange(1, 64),
                  help="Jobs run at the same time (threads).")
    @click.option("--kinds", default="", help="Only these job kinds, comma-separated "
                  "(e.g. a GPU machine that only transcribes).")
    @click.option("--no-scheduler", is_flag=True, help="Do not fire periodic jobs here.")
    @click.option("--burst", is_flag=True,
                  help="Run the jobs that are due now, then exit (no scheduler).")
    @click.option("--log-level", default="INFO", show_default=True,
                  type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]),
                  help="Logging level.")
    def worker(concurrency, kinds, no_scheduler, burst, log_level):
        """Run queued jobs and the periodic-job scheduler until SIGTERM."""
        from workhub.jobs.registry import load_job_modules
        from workhub.jobs.worker import Worker

        logging.basicConfig(level=log_level,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        load_job_modules(current_app.config["JOB_EXTRA_MODULES"])
        if not no_scheduler:
            from workhub.jobs.scheduler import effective_schedules

            try:  # a bad WORKHUB_SCHEDULE_* stops the worker before it takes any job
                effective_schedules(current_app._get_current_object())
            except ValueError as exc:
                raise click.ClickException(str(exc)) from exc
        kind_list = [k.strip() for k in kinds.split(",") if k.strip()]
        w = Worker(current_app._get_current_object(), concurrency=concurrency,
                   kinds=kind_list, scheduler=not (no_scheduler or burst))
        if burst:
            click.echo(f"ran {w.run_pending()} jobs")
            return
        w.install_signal_handlers()
        click.echo(f"worker {w.worker_id} started")
        w.run()

    @app.cli.group()
    def jobs():
        """Inspect and manage queued jobs."""

    @jobs.command("list")
    @click.option("--status", default=None,
                  type=click.Choice(["queued", "running", "succeeded", "failed", "cancelled"]),
                  help="Only jobs with this status.")
    @click.option("--kind", default=None, help="Only jobs of this kind.")
    @click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000),
                  help="How many, newest first.")
    def jobs_list(status, kind, limit):
        """List jobs, newest first."""
        from workhub.jobs.models import Job

        query = select(Job).order_by(Job.id.desc()).limit(limit)
        if status:
            query = query.where(Job.status == status)
        if kind:
            query = query.where(Job.kind == kind)
        rows = db.session.scalars(query).all()
        for job in rows:
            click.echo(_job_line(job))
        if not rows:
            click.echo("no jobs")

    @jobs.command("show")
    @click.argument("job_id", type=int)
    def jobs_show(job_id):
        """Show one job with its payload, result and error."""
        from workhub.jobs.services import get_job

        try:
            job = get_job(job_id)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        click.echo(_job_line(job))
        for name in ("worker_id", "lease_expires_at", "run_after", "started_at",
                     "finished_at", "progress_message", "error"):
            click.echo(f"  {name}: {getattr(job, name)}")
        click.echo(f"  payload: {json.dumps(job.payload, ensure_ascii=False)}")
        click.echo(f"  result: {json.dumps(job.result, ensure_ascii=False)}")
        if job.error_detail:
            click.echo("  detail:\n" + job.error_detail)

    @jobs.command("cancel")
    @click.argument("job_id", type=int)
    def jobs_cancel(job_id):
        """Cancel a queued job, or ask a running one to stop."""
        from workhub.jobs.services import cancel, get_job

        try:
            job = cancel(get_job(job_id), ip="cli")
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from exc
        db.session.commit()
        click.echo("cancelled" if job.status == "cancelled" else "cancel requested")

    @jobs.command("retry")
    @click.argument("job_id", type=int)
    def jobs_retry(job_id):
        """Queue a failed or cancelled job again."""
        from workhub.jobs.services import get_job, retry

        try:
            retry(get_job(job_id), ip="cli")
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from exc
        db.session.commit()
        click.echo("queued again")

    @jobs.command("schedule")
    def jobs_schedule():
        """Print the periodic jobs, their schedules and next run times."""
        from workhub.jobs.scheduler import effective_schedules, next_run

        try:
            schedules = effective_schedules(current_app._get_current_object())
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        for item, schedule, enabled in schedules:
            nxt = next_run(schedule) if enabled else None
            when = nxt.isoformat(timespec="minutes") if nxt else "—"
            state = "on " if enabled else "off"
            click.echo(f"{item.name:<16} {state} {schedule.text:<18} next: {when}  ({item.kind})")

    @app.cli.group()
    def mail():
        """Mail commands."""

    @mail.command("test")
    @click.argument("address")
    @click.option("--language", default=None, type=click.Choice(["ja", "en"]),
                  help="Language of the test mail (default: the site language).")
    def mail_test(address, language):
        """Queue a Japanese test mail to ADDRESS (sent by the worker)."""
        from workhub.notify.services import queue_test_mail

        try:
            job = queue_test_mail(address, language or current_app.config["DEFAULT_LANGUAGE"],
                                  current_app.config)
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from exc
        db.session.commit()
        click.echo(f"test mail queued as job {job.id}; the worker sends it")
