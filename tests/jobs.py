"""Running the periodic jobs of any package through the real worker, and reading what they
left: notifications by person, queued mails by recipient."""

from __future__ import annotations

from sqlalchemy import select

from workhub.extensions import db
from workhub.jobs import services as queue
from workhub.jobs.models import Job
from workhub.jobs.worker import Worker
from workhub.notify.models import Notification
from workhub.org.models import User


def run(app, kind: str, payload: dict | None = None) -> dict:
    """Queue one job, let the worker run everything due, return the job's result."""
    job_id = queue.enqueue(kind, payload or {}).id
    db.session.commit()
    Worker(app, scheduler=False).run_pending()
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.status == "succeeded", job.error_detail
    return job.result


def notes(event: str) -> dict[str, int]:
    rows = db.session.execute(
        select(User.login, Notification.id).join(User, User.id == Notification.user_id)
        .where(Notification.event == event)).all()
    out: dict[str, int] = {}
    for login, _id in rows:
        out[login] = out.get(login, 0) + 1
    return out


def mails(template: str) -> dict[str, str]:
    """Queued mails of ``template`` by recipient: their bodies."""
    jobs = db.session.scalars(select(Job).where(Job.kind == "mail.send")).all()
    return {j.payload["to"].split("@")[0]: j.payload["subject"] + "\n" + j.payload["body"]
            for j in jobs if j.payload["template"] == template}
