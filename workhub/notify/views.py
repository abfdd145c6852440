"""The notification list (the bell) and the admin mail settings page with a test mail."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField
from wtforms.validators import DataRequired, Length

from workhub.auth.permissions import roles_required
from workhub.errors import DomainError
from workhub.extensions import db
from workhub.notify.models import Notification
from workhub.notify.services import mark_all_read, queue_test_mail
from workhub.pagination import paginate, parse_page
from workhub.view_helpers import acting_user

bp = Blueprint("notify", __name__)


class MarkReadForm(FlaskForm):
    """CSRF only."""


class TestMailForm(FlaskForm):
    address = EmailField(
        _l("Send a test mail to"),
        validators=[DataRequired(message=_l("Enter an e-mail address.")),
                    Length(max=254, message=_l("The e-mail address is too long."))],
        render_kw={"autocomplete": "email"},
    )


@bp.get("/notifications")
@login_required
def index():
    stmt = (
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.id.desc())
    )
    result = paginate(stmt, parse_page(request.args.get("page")), per_page=30)
    return render_template("notify/index.html", result=result, form=MarkReadForm())


@bp.post("/notifications/read")
@login_required
def read_all():
    if MarkReadForm().validate_on_submit():
        mark_all_read(acting_user())
        db.session.commit()
        flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notify.index"), 303)


def _mail_settings() -> dict:
    cfg = current_app.config
    return {
        "host": cfg.get("SMTP_HOST") or None,
        "port": cfg.get("SMTP_PORT"),
        "starttls": cfg.get("SMTP_STARTTLS"),
        "user": cfg.get("SMTP_USER") or None,
        "sender": cfg.get("SMTP_FROM"),
    }


@bp.route("/admin/mail", methods=["GET", "POST"])
@roles_required("admin")
def mail_settings():
    form = TestMailForm()
    status = 200
    if form.validate_on_submit():
        try:
            job = queue_test_mail(form.address.data, current_user.language or "ja",
                                  current_app.config, requested_by=current_user)
        except DomainError as exc:
            db.session.rollback()
            form.address.errors = [*form.address.errors, exc.message]
        else:
            db.session.commit()
            flash(_("The test mail is queued as job %(id)s. The worker sends it.", id=job.id),
                  "success")
            return redirect(url_for("notify.mail_settings"), 303)
    if request.method == "POST":
        status = 400
    page = render_template("notify/mail_settings.html", form=form, settings=_mail_settings())
    return page, status
