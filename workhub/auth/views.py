"""Sign in and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from workhub.auth.forms import LoginForm
from workhub.auth.ldap import directory_from_config
from workhub.auth.services import (
    DirectoryUnavailable,
    LoginFailed,
    LoginPaused,
    LoginSettings,
    audit,
    authenticate,
    refuse_login,
)
from workhub.auth.sessions import SESSION_KEY, end_session, start_session
from workhub.auth.throttle import ThrottleSettings
from workhub.extensions import db, limiter
from workhub.view_helpers import acting_user

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Return ``target`` when it is a path on this site, otherwise None."""
    if not target or len(target) > 2000:
        return None
    target = target.strip()
    # Browsers treat backslashes like slashes, so "/\\evil.example" would leave the site.
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def login_settings() -> LoginSettings:
    cfg = current_app.config
    return LoginSettings(
        providers=cfg["AUTH_PROVIDERS"],
        throttle=ThrottleSettings.from_config(cfg),
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    status, retry_after = 200, 0
    if request.method == "POST":
        # CSRF was checked before the view ran. An empty or over-long field gets the field's
        # hint *and* the one generic failure, and is audited like any other failed attempt.
        form_ok = form.validate()
        try:
            if not form_ok:
                raise refuse_login(form.login.data, ip=request.remote_addr, reason="invalid_form")
            user = authenticate(
                form.login.data,
                form.password.data,
                login_settings(),
                directory=directory_from_config(current_app.config),
                ip=request.remote_addr,
            )
        except DirectoryUnavailable:
            db.session.commit()
            flash(
                _("The staff directory cannot be reached right now. Try again in a few "
                  "minutes, or contact the IT help desk."),
                "danger",
            )
            status = 503
        except LoginPaused as exc:
            db.session.commit()
            flash(exc.message, "danger")
            status = 429
            retry_after = exc.retry_after
        except LoginFailed as exc:
            db.session.commit()
            flash(exc.message, "danger")
            status = 401 if form_ok else 400
        else:
            lang = session.get("lang")
            # A fresh session at sign-in: nothing from before the login carries over.
            session.clear()
            if lang and not user.language:
                session["lang"] = lang
            login_user(user)
            session[SESSION_KEY] = start_session(
                user, ip=request.remote_addr, agent=request.headers.get("User-Agent"))
            session.permanent = True
            db.session.commit()
            return redirect(safe_next(form.next.data) or url_for("main.home"))
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    return render_template("auth/login.html", form=form), status, headers


def clear_sign_in() -> None:
    """Forget the sign-in in this browser's session, keeping the language chosen."""
    lang = session.get("lang") or current_user.language
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    audit("logout", actor=acting_user(), ip=request.remote_addr)
    end_session(session.get(SESSION_KEY))  # a copy of this cookie signs nobody in now
    db.session.commit()
    clear_sign_in()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
