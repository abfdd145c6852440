"""Production mode (issue 14): ``workhub serve`` refuses unsafe settings and lists every
problem at once; ``WORKHUB_ENV=development`` (``make run``) starts as before."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from workhub.production import mode, production_problems

SAFE_ENV = {"WORKHUB_SECRET_KEY": "s" * 48, "WORKHUB_TRUSTED_PROXIES": "1"}


@pytest.fixture
def served(monkeypatch):
    """Replace the waitress server: record what would have been served instead of serving."""
    from workhub import request_limits

    calls = []

    class NotServing:
        def __init__(self, app, **kw):
            self.kw = kw

        def run(self):
            calls.append(self.kw)

    monkeypatch.setattr(request_limits, "waitress_server", NotServing)
    return calls


@pytest.fixture
def safe(app, monkeypatch):
    for name, value in (("ENCRYPTION_KEYS", (Fernet.generate_key().decode(),)),
                        ("SESSION_COOKIE_SECURE", True), ("AUTH_PROVIDERS", ["local"])):
        monkeypatch.setitem(app.config, name, value)
    for name, value in SAFE_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("WORKHUB_ENV", raising=False)


def serve(app, **env):
    return app.test_cli_runner().invoke(args=["serve", "--port", "5999"], env=env)


def test_careless_settings_are_refused_all_at_once(app, served, monkeypatch):
    for name in ("WORKHUB_ENV", "WORKHUB_SECRET_KEY", "WORKHUB_TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setitem(app.config, "AUTH_PROVIDERS", ["ldap", "local"])
    monkeypatch.setitem(app.config, "LDAP_URL", "ldap://dc.city.example.jp")
    monkeypatch.setitem(app.config, "LDAP_STARTTLS", False)
    monkeypatch.setitem(app.config, "ENCRYPTION_KEYS", ())
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", False)
    result = serve(app)
    assert result.exit_code == 1 and served == []
    for setting in ("WORKHUB_SECRET_KEY", "WORKHUB_ENCRYPTION_KEYS", "WORKHUB_SECURE_COOKIES",
                    "WORKHUB_LDAP_STARTTLS", "WORKHUB_TRUSTED_PROXIES"):
        assert setting in result.output, setting
    assert result.output.count("  - ") == 5
    assert "WORKHUB_ENV=development" in result.output


def test_safe_settings_start(app, served, safe):
    result = serve(app)
    assert result.exit_code == 0, result.output
    assert served and served[0]["port"] == 5999 and "(production)" in result.output


@pytest.mark.parametrize("setting,fix", [
    ("LDAP_URL", "ldaps://dc.city.example.jp"), ("LDAP_STARTTLS", True)])
def test_ldap_with_tls_is_accepted(app, served, safe, monkeypatch, setting, fix):
    monkeypatch.setitem(app.config, "AUTH_PROVIDERS", ["ldap"])
    monkeypatch.setitem(app.config, "LDAP_URL", "ldap://dc.city.example.jp")
    monkeypatch.setitem(app.config, "LDAP_STARTTLS", False)
    assert serve(app).exit_code == 1
    monkeypatch.setitem(app.config, setting, fix)
    assert serve(app).exit_code == 0


def test_one_missing_setting_is_named_alone(app, served, safe, monkeypatch):
    monkeypatch.delenv("WORKHUB_TRUSTED_PROXIES")
    result = serve(app)
    assert result.exit_code == 1 and result.output.count("  - ") == 1
    assert "WORKHUB_TRUSTED_PROXIES" in result.output
    monkeypatch.setenv("WORKHUB_TRUSTED_PROXIES", "0")  # set, even to none, is a choice
    assert serve(app).exit_code == 0


def test_development_mode_starts_with_the_embedded_defaults(app, served, monkeypatch):
    monkeypatch.delenv("WORKHUB_SECRET_KEY", raising=False)
    result = serve(app, WORKHUB_ENV="development")
    assert result.exit_code == 0 and "(development)" in result.output and served


@pytest.mark.parametrize("value", ["prod", "", " Production "])
def test_the_mode_is_one_of_two(value):
    if value.strip().lower() == "production" or value == "":
        assert mode({"WORKHUB_ENV": value}) == "production"
    else:
        with pytest.raises(ValueError, match="production or development"):
            mode({"WORKHUB_ENV": value})


def test_an_unknown_mode_is_refused_by_serve(app, served):
    result = serve(app, WORKHUB_ENV="staging")
    assert result.exit_code == 1 and "production or development" in result.output


def test_problems_are_plain_data():
    assert production_problems({"ENCRYPTION_KEYS": ("k",), "SESSION_COOKIE_SECURE": True,
                                "AUTH_PROVIDERS": ["local"]}, SAFE_ENV) == []
