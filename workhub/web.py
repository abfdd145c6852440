"""Request plumbing shared by every blueprint: locale, users, errors, headers, vendor files."""

from __future__ import annotations

import logging
from pathlib import Path

import flask_bootstrap
from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    session,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from workhub.database import utcnow
from workhub.errors import DomainError
from workhub.extensions import db, login_manager

log = logging.getLogger(__name__)

LANGUAGES = ("ja", "en")

# Bootstrap's CSS and JS come from the installed Bootstrap-Flask wheel, never from a CDN.
vendor = Blueprint(
    "vendor",
    __name__,
    static_folder=str(Path(flask_bootstrap.__file__).parent / "static" / "bootstrap5"),
    static_url_path="/vendor/bootstrap",
)


def select_locale() -> str:
    """Pick the language: the user's choice, then the session's, then the site default."""
    from flask import current_app, has_request_context

    if not has_request_context():
        # CLI and worker: the language is set explicitly with force_locale where needed.
        return current_app.config["DEFAULT_LANGUAGE"]
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    lang = session.get("lang")
    if lang in LANGUAGES:
        return lang
    return current_app.config["DEFAULT_LANGUAGE"]


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    if status == 401:
        # RFC 9110: a 401 names the scheme that would work.
        response.headers["WWW-Authenticate"] = 'Bearer realm="WorkHub"'
    return response


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}


def _http_message(status: int) -> str:
    messages = {
        400: _("The request could not be understood. Check what you entered and try again."),
        401: _("Please sign in to continue."),
        403: _("You do not have permission to open this page."),
        404: _("The page you asked for does not exist or has been removed."),
        405: _("This action is not allowed here."),
        409: _("This conflicts with the current state. Reload and try again."),
        413: _("The file or request is too large."),
        415: _("This kind of content is not accepted."),
        429: _("Too many attempts. Wait a minute and try again."),
        500: _("Something went wrong on our side. The error has been logged."),
        503: _("The service is temporarily unavailable."),
    }
    return messages.get(status, _("The request could not be completed."))


def render_error(status: int, message: str | None = None, code: str | None = None):
    message = message or _http_message(status)
    if wants_json():
        return json_error(status, code or _HTTP_CODES.get(status, "error"), message)
    template = f"errors/{status}.html" if status in (403, 404, 413, 500) else "errors/generic.html"
    return render_template(template, status=status, message=message), status


def init_app(app: Flask) -> None:
    """Attach loaders, error handlers, headers and template helpers to ``app``."""
    if app.config.get("TRUSTED_PROXIES"):
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    app.register_blueprint(vendor)

    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        from workhub.auth.sessions import SESSION_KEY, session_for, touch
        from workhub.org.models import User

        try:
            user = db.session.get(User, int(user_id))
        except (TypeError, ValueError):
            return None
        # A deactivated account loses its session on the next request.
        if user is None or not user.active:
            return None
        # The signed cookie must also name a live server-side session (workhub/auth/sessions).
        row = session_for(user, session.get(SESSION_KEY))
        if row is None:
            return None
        lifetime = current_app.permanent_session_lifetime
        if row.last_seen_at is not None and utcnow() - row.last_seen_at > lifetime:
            return None  # unused for longer than a cookie lives: a copy of it is dead too
        touch(row)
        return user

    @login_manager.request_loader
    def load_user_from_token(req):
        # Personal tokens are for the JSON API only, never for the HTML pages.
        if not req.path.startswith("/api/"):
            return None
        header = req.headers.get("Authorization", "")
        scheme, _sep, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return None
        from workhub.auth.services import token_for_secret

        token = token_for_secret(secret.strip())
        if token is None:
            return None
        g.token_auth = True
        g.token_scopes = token.scope_map  # checked by workhub/api before every API view
        user = token.user
        db.session.commit()
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import redirect, url_for

        if wants_json():
            return json_error(401, "unauthorized", _http_message(401))
        # Only a page can be come back to: after sign-in a GET of a POST-only URL would be a 405.
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=target))

    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException):
        response = app.make_response(render_error(exc.code or 500))
        # Keep what the exception says besides its body, e.g. ``Allow`` on a 405.
        for name, value in exc.get_headers(request.environ):
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(CSRFError)
    def handle_csrf(exc: CSRFError):
        return render_error(
            400,
            _("The form has expired or was sent from elsewhere. Reload the page and try again."),
            "csrf_failed",
        )

    @app.errorhandler(DomainError)
    def handle_domain(exc: DomainError):
        db.session.rollback()
        return render_error(exc.status, exc.message, exc.code)

    @app.errorhandler(OperationalError)
    def handle_database_down(exc: OperationalError):
        db.session.rollback()
        log.error("database unavailable on %s %s: %s", request.method, request.path, exc)
        # The signed-in user cannot be loaded now either: render the page as for a visitor,
        # or rendering it would hit the database again and fail with a bare 500.
        login_manager._update_request_context_with_user()
        response = app.make_response(render_error(503))
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        try:
            return render_error(500)
        except Exception:  # noqa: BLE001 - the error page itself failed: answer plainly
            log.exception("the error page failed too")
            if wants_json():
                return {"error": {"code": "server_error", "message": "Internal server error"}}, 500
            return Response("500 Internal Server Error", 500, mimetype="text/plain")

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # Everything is served from here: no CDN, no inline script.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        if request.is_secure:
            # Served over HTTPS (directly or, with TRUSTED_PROXIES, behind a proxy): stay there.
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.path.startswith("/api/") or current_user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.context_processor
    def template_helpers():
        from flask import has_request_context

        from workhub.navigation import navigation_for

        if not has_request_context():
            # Mail templates rendered by the worker or the CLI: no page chrome needed.
            return {}
        from workhub.auth.roles import ROLE_LABELS

        def unread_notifications() -> int:
            from workhub.notify.services import unread_count

            if not current_user.is_authenticated:
                return 0
            return unread_count(current_user)

        return {
            "unread_notifications": unread_notifications,
            "current_language": select_locale(),
            "navigation": navigation_for(current_user),
            "role_labels": ROLE_LABELS,
        }
