"""WorkHub: the city office's intranet for remote work, devices, surveys and minutes."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any

from flask import Flask

from workhub.catalogues import ensure_compiled
from workhub.config import PROJECT_ROOT, load_config

PACKAGE = Path(__file__).resolve().parent
# Modules that add routes to a blueprint defined in another module. They are imported here,
# before the blueprints are registered, so that no module imports its own importer back.
ROUTE_MODULES = (
    "workhub.api.views",
    "workhub.jobs.api",
    "workhub.telework.api_bookings",
    "workhub.telework.api_sessions",
    "workhub.telework.stats_api",
    "workhub.telework.views_targets",
    "workhub.devices.api_inventory",
    "workhub.devices.api_loans",
    "workhub.devices.views_inventory_admin",
    "workhub.devices.views_lines",
    "workhub.devices.views_requests",
    "surveys.api_answer",
    "surveys.api_build",
    "surveys.api_results",
    "surveys.views_build_questions",
    "transcription.api_meetings",
    "transcription.api_transcripts",
    "transcription.views_minutes",
    "workhub.online_meetings.api",
)
# Modules that add a rule to a core service when imported (online meetings: a meeting that
# holds a licence keeps it only as it stays bookable).
RULE_MODULES = ("workhub.online_meetings.bookings",)
# An installed wheel carries the templates inside the package; a checkout has them at the top.
TEMPLATES = PACKAGE / "templates"
if not TEMPLATES.is_dir():
    TEMPLATES = PROJECT_ROOT / "templates"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the Flask application: config, extensions, blueprints, CLI; nothing else."""
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES),
        static_folder="static",
    )
    settings = load_config()
    settings.update(config or {})
    app.config.from_mapping(settings)
    app.instance_path = app.config["INSTANCE_PATH"]

    # all_models: every table known before the first query.
    from workhub import all_models, request_limits, web  # noqa: F401
    from workhub.extensions import babel, csrf, db, limiter, login_manager

    ensure_compiled(PACKAGE / "translations")
    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    babel.init_app(
        app,
        locale_selector=web.select_locale,
        timezone_selector=lambda: app.config["TIMEZONE"],
    )
    web.init_app(app)
    request_limits.init_app(app)

    from surveys.views_answer import bp as surveys_bp
    from surveys.views_build import bp as surveys_build_bp
    from surveys.views_results import bp as survey_results_bp
    from transcription.views_editor import bp as transcripts_bp
    from transcription.views_meetings import bp as meetings_bp
    from workhub.admin.views import bp as admin_bp
    from workhub.api import bp as api_bp
    from workhub.auth.views import bp as auth_bp
    from workhub.devices.views_inventory import bp as devices_bp
    from workhub.devices.views_loans import bp as device_loans_bp
    from workhub.devices.views_reports import bp as device_reports_bp
    from workhub.jobs.views import bp as jobs_bp
    from workhub.main import bp as main_bp
    from workhub.notify.views import bp as notify_bp
    from workhub.online_meetings.views import bp as online_meetings_bp
    from workhub.telework.stats_views import bp as telework_stats_bp
    from workhub.telework.views_bookings import bp as telework_bookings_bp
    from workhub.telework.views_delegates import bp as telework_delegates_bp
    from workhub.telework.views_sessions import bp as telework_sessions_bp

    for module in ROUTE_MODULES + RULE_MODULES:
        import_module(module)
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(notify_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(telework_stats_bp)
    app.register_blueprint(telework_bookings_bp)
    app.register_blueprint(telework_sessions_bp)
    app.register_blueprint(telework_delegates_bp)
    app.register_blueprint(devices_bp)
    app.register_blueprint(device_loans_bp)
    app.register_blueprint(device_reports_bp)
    app.register_blueprint(surveys_bp)
    app.register_blueprint(surveys_build_bp)
    app.register_blueprint(survey_results_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(transcripts_bp)
    app.register_blueprint(online_meetings_bp)

    from workhub.jobs.registry import load_job_modules

    # Handlers must be known wherever jobs are queued (web, API, CLI), not only in the worker.
    load_job_modules(app.config["JOB_EXTRA_MODULES"])

    from workhub.commands import register as register_commands

    register_commands(app)
    return app
