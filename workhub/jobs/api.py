"""``GET /api/v1/jobs/<id>``: status and progress of a job, for its owner and admins."""

from __future__ import annotations

from flask import abort, jsonify
from flask_login import current_user

from workhub.api import bp
from workhub.extensions import db
from workhub.jobs.models import Job


def job_json(job: Job) -> dict:
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "progress": job.progress,
        "message": job.progress_message,
        "error": job.error,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "result": job.result if job.status == "succeeded" else None,
    }


@bp.get("/jobs/<int:job_id>")
def job_status(job_id: int):
    job = db.session.get(Job, job_id)
    # Someone else's job answers 404, not 403: job ids must not reveal what others run.
    if job is None or not job.can_view(current_user):
        abort(404)
    return jsonify(job_json(job))
