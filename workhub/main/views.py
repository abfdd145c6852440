"""Home dashboard, profile (language, API tokens), language switch, health check."""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select, text

from workhub.auth.models import ApiToken
from workhub.auth.services import create_token, revoke_token
from workhub.auth.sessions import SESSION_KEY, end_all_sessions, keep_after_change, live_sessions
from workhub.auth.views import clear_sign_in, safe_next
from workhub.errors import DomainError
from workhub.extensions import db
from workhub.main.forms import (
    EmptyForm,
    LanguageForm,
    MailPreferenceForm,
    PasswordChangeForm,
    TokenForm,
)
from workhub.notify.services import set_mail_opt_out
from workhub.org.accounts import change_own_password
from workhub.view_helpers import acting_user, attach_error
from workhub.web import render_error

log = logging.getLogger(__name__)

bp = Blueprint("main", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any database failure means "not healthy"
        db.session.rollback()
        # The answer stays terse (it is public); the cause goes to the log for the operator.
        log.warning("health check: database unavailable: %s", exc)
        return jsonify({"status": "error", "database": "unavailable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


@bp.get("/")
@login_required
def home():
    return render_template("main/home.html", roles=current_user.roles)


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        return render_error(400, _("Choose Japanese or English."), "invalid_language")
    session["lang"] = form.language.data
    if current_user.is_authenticated:
        current_user.language = form.language.data
        db.session.commit()
    return redirect(safe_next(form.next.data) or url_for("main.home"), 303)


def _tokens():
    return db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == current_user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()


def _render_profile(token_form=None, new_token=None, status=200, password_form=None):
    language = current_user.language or session.get("lang") or current_app.config[
        "DEFAULT_LANGUAGE"
    ]
    return render_template(
        "main/profile.html",
        language_form=LanguageForm(formdata=None, language=language),
        token_form=token_form or TokenForm(formdata=None),
        mail_form=MailPreferenceForm(formdata=None,
                                     summary_mail=not current_user.mail_opt_out),
        revoke_form=EmptyForm(),
        tokens=_tokens(),
        new_token=new_token,
        password_form=password_form or PasswordChangeForm(formdata=None),
        sign_ins=live_sessions(acting_user()),
        this_sign_in=_this_session_id(),
    ), status


def _this_session_id() -> int | None:
    from workhub.auth.sessions import session_for

    row = session_for(acting_user(), session.get(SESSION_KEY))
    return row.id if row is not None else None


@bp.post("/profile/password")
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = acting_user()
        try:
            change_own_password(user, form.current_password.data, form.password.data,
                                ip=request.remote_addr)
        except DomainError as exc:
            db.session.rollback()
            getattr(form, exc.field if exc.field in ("current_password", "password")
                    else "password").errors.append(exc.message)
        else:
            keep_after_change(user, session.get(SESSION_KEY))
            db.session.commit()
            flash(_("Your password has been changed. Your other sign-ins have ended."),
                  "success")
            return redirect(url_for("main.profile"), 303)
    return _render_profile(password_form=form, status=400)


@bp.post("/profile/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    form = EmptyForm()
    if not form.validate_on_submit():
        return _render_profile(status=400)
    user = acting_user()
    end_all_sessions(user, actor=user, ip=request.remote_addr)
    db.session.commit()
    clear_sign_in()
    flash(_("You have been signed out everywhere, this browser included."), "info")
    return redirect(url_for("auth.login"), 303)


@bp.get("/profile")
@login_required
def profile():
    return _render_profile()


@bp.post("/profile/mail")
@login_required
def set_mail_preference():
    form = MailPreferenceForm()
    if not form.validate_on_submit():
        return _render_profile(status=400)
    set_mail_opt_out(acting_user(), not form.summary_mail.data)
    db.session.commit()
    flash(_("Your mail preference has been saved."), "success")
    return redirect(url_for("main.profile"), 303)


@bp.post("/profile/tokens")
@login_required
def create_api_token():
    form = TokenForm()
    if form.validate_on_submit():
        try:
            _row, secret = create_token(
                acting_user(), form.name.data, scopes=form.scopes(),
                days=form.days.data, ip=request.remote_addr,
            )
        except DomainError as exc:
            # A refusal of no field of the form (a deactivated account) goes beside the name.
            unplaced = attach_error(form, exc, fields={"scopes": form.scope_fields()[0].name})
            form.name.errors = [*form.name.errors, *unplaced]
        else:
            db.session.commit()
            # The secret is shown once, on this response only; it is never stored in plain text.
            return _render_profile(new_token=secret)
    return _render_profile(token_form=form, status=400)


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int):
    form = EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for("main.profile"))
    user = acting_user()
    revoke_token(token_id, owner=user, actor=user, ip=request.remote_addr)
    db.session.commit()
    flash(_("The token has been revoked."), "success")
    return redirect(url_for("main.profile"))
