"""Admin pages for the job queue: list with filters, one job, cancel and retry."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from workhub.auth.permissions import roles_required
from workhub.extensions import db
from workhub.jobs import registry, services
from workhub.jobs.models import STATUSES, Job
from workhub.org.models import User
from workhub.pagination import paginate, parse_page

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")

STATUS_LABELS = {
    "queued": _l("Queued"),
    "running": _l("Running"),
    "succeeded": _l("Succeeded"),
    "failed": _l("Failed"),
    "cancelled": _l("Cancelled"),
}


class JobFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    status = SelectField(_l("Status"), validators=[Optional()])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    user = StringField(_l("Requested by (login ID)"), validators=[Optional(), Length(max=64)])


class JobActionForm(FlaskForm):
    """CSRF only: the cancel and retry buttons."""


@bp.context_processor
def _labels():
    return {"status_labels": STATUS_LABELS}


@bp.get("/")
@roles_required("admin")
def index():
    form = JobFilterForm(request.args)
    form.status.choices = [("", _("Any status"))] + [(s, STATUS_LABELS[s]) for s in STATUSES]
    kinds = sorted(registry.handlers())
    form.kind.choices = [("", _("Any kind"))] + [(k, k) for k in kinds]
    stmt = select(Job).order_by(Job.id.desc())
    args = {}
    if form.validate():
        if form.status.data:
            stmt = stmt.where(Job.status == form.status.data)
            args["status"] = form.status.data
        if form.kind.data:
            stmt = stmt.where(Job.kind == form.kind.data)
            args["kind"] = form.kind.data
        if form.user.data:
            login = form.user.data.strip().lower()
            stmt = stmt.join(User, Job.user_id == User.id).where(User.login == login)
            args["user"] = login
    result = paginate(stmt, parse_page(request.args.get("page")))
    return render_template("jobs/index.html", form=form, result=result, args=args)


def _load(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404)
    return job


@bp.get("/<int:job_id>")
@roles_required("admin")
def show(job_id: int):
    return render_template("jobs/show.html", job=_load(job_id), action_form=JobActionForm())


@bp.post("/<int:job_id>/cancel")
@roles_required("admin")
def cancel(job_id: int):
    job = _load(job_id)
    if not JobActionForm().validate_on_submit():
        abort(400)
    services.cancel(job, actor=current_user, ip=request.remote_addr)
    db.session.commit()
    flash(_("The job was cancelled.") if job.status == "cancelled"
          else _("The job will stop at its next step."), "success")
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.post("/<int:job_id>/retry")
@roles_required("admin")
def retry(job_id: int):
    job = _load(job_id)
    if not JobActionForm().validate_on_submit():
        abort(400)
    services.retry(job, actor=current_user, ip=request.remote_addr)
    db.session.commit()
    flash(_("The job was queued again."), "success")
    return redirect(url_for("jobs.show", job_id=job.id))
