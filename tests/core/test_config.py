"""Settings from WORKHUB_* variables: every one parsed, bad values refused clearly."""

from __future__ import annotations

import os
import re
import stat

import pytest

from workhub import create_app
from workhub.config import PROJECT_ROOT, load_config
from workhub.extensions import db


@pytest.fixture
def base_env(tmp_path):
    """A minimal environment: its own instance folder and a fixed key (no file written)."""
    return {"WORKHUB_INSTANCE_PATH": str(tmp_path), "WORKHUB_SECRET_KEY": "k" * 40}


def test_defaults(base_env, tmp_path):
    cfg = load_config(base_env)
    assert cfg["INSTANCE_PATH"] == str(tmp_path.resolve())
    assert cfg["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path.resolve() / 'workhub.db'}"
    assert cfg["AUTH_PROVIDERS"] == ["local"]
    assert (cfg["DEFAULT_LANGUAGE"], cfg["BABEL_DEFAULT_LOCALE"]) == ("ja", "ja")
    assert (cfg["TIMEZONE"], cfg["BABEL_DEFAULT_TIMEZONE"]) == ("Asia/Tokyo", "Asia/Tokyo")
    assert cfg["LDAP_USER_ATTR"] == "uid"
    assert cfg["LDAP_ROLE_GROUPS"] == {}
    assert cfg["LDAP_STARTTLS"] is False
    assert cfg["LDAP_TIMEOUT"] == 5
    assert cfg["SMTP_PORT"] == 25
    assert cfg["UPLOAD_DIR"] == str(tmp_path.resolve() / "uploads")
    assert cfg["MAX_CONTENT_LENGTH"] == 1024 * 1024
    assert (cfg["LOGIN_MAX_FAILURES"], cfg["LOGIN_DELAY_SECONDS"],
            cfg["LOGIN_MAX_DELAY_SECONDS"]) == (5, 10, 300)
    assert (cfg["LDAP_LOCKOUT_THRESHOLD"], cfg["LDAP_LOCKOUT_WINDOW_MINUTES"]) == (10, 30)
    assert cfg["RATELIMIT_LOGIN"] == "20 per minute"
    assert cfg["RATELIMIT_ENABLED"] is True
    assert cfg["RATELIMIT_STORAGE_URI"] == "memory://"
    assert cfg["SESSION_COOKIE_SECURE"] is False
    assert cfg["SESSION_COOKIE_HTTPONLY"] is True
    assert cfg["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert cfg["PERMANENT_SESSION_LIFETIME"] == 10 * 3600
    assert cfg["PREFERRED_URL_SCHEME"] == "http"
    assert cfg["TRUSTED_PROXIES"] == 0


FULL_ENV = {
    "WORKHUB_DATABASE_URL": "postgresql+psycopg://workhub:pw@db.city.example/workhub",
    "WORKHUB_SECRET_KEY": "a-fixed-secret-key-for-every-web-server",
    "WORKHUB_AUTH": "ldap,local",
    "WORKHUB_LDAP_URL": "ldaps://dc1.city.example:636",
    "WORKHUB_LDAP_BIND_DN": "cn=svc,dc=city,dc=example",
    "WORKHUB_LDAP_BIND_PASSWORD": "svc-password",
    "WORKHUB_LDAP_USER_BASE": "ou=people,dc=city,dc=example",
    "WORKHUB_LDAP_USER_ATTR": "sAMAccountName",
    "WORKHUB_LDAP_USER_FILTER": "(objectClass=user)",
    "WORKHUB_LDAP_GROUP_BASE": "ou=groups,dc=city,dc=example",
    "WORKHUB_LDAP_ROLE_GROUPS": "hr=cn=hr,ou=groups,dc=city,dc=example; "
                                "manager=cn=managers,ou=groups,dc=city,dc=example",
    "WORKHUB_LDAP_STARTTLS": "true",
    "WORKHUB_LDAP_CA_FILE": "/etc/ssl/city-ca.pem",
    "WORKHUB_LDAP_TIMEOUT": "7",
    "WORKHUB_LDAP_ATTR_DISPLAY_NAME": "cn",
    "WORKHUB_LDAP_ATTR_KANA": "kanaName",
    "WORKHUB_LDAP_ATTR_MAIL": "userPrincipalName",
    "WORKHUB_LDAP_ATTR_DEPARTMENT": "department",
    "WORKHUB_LANGUAGE": "en",
    "WORKHUB_TIMEZONE": "UTC",
    "WORKHUB_SMTP_HOST": "smtp.city.example",
    "WORKHUB_SMTP_PORT": "587",
    "WORKHUB_SMTP_USER": "workhub",
    "WORKHUB_SMTP_PASSWORD": "smtp-pw",
    "WORKHUB_SMTP_STARTTLS": "yes",
    "WORKHUB_SMTP_FROM": "workhub@city.example.jp",
    "WORKHUB_UPLOAD_DIR": "/srv/workhub/uploads",
    "WORKHUB_MAX_REQUEST_KB": "50",
    "WORKHUB_LOGIN_MAX_FAILURES": "3",
    "WORKHUB_LOGIN_DELAY_SECONDS": "5",
    "WORKHUB_LOGIN_MAX_DELAY_SECONDS": "600",
    "WORKHUB_LDAP_LOCKOUT_THRESHOLD": "0",
    "WORKHUB_LDAP_LOCKOUT_WINDOW_MINUTES": "15",
    "WORKHUB_RATELIMIT_LOGIN": "10 per minute; 100 per hour",
    "WORKHUB_RATELIMIT_ENABLED": "false",
    "WORKHUB_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379",
    "WORKHUB_SECURE_COOKIES": "on",
    "WORKHUB_SESSION_HOURS": "8",
    "WORKHUB_TRUSTED_PROXIES": "1",
}

EXPECTED = {
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://workhub:pw@db.city.example/workhub",
    "SECRET_KEY": "a-fixed-secret-key-for-every-web-server",
    "AUTH_PROVIDERS": ["ldap", "local"],
    "LDAP_URL": "ldaps://dc1.city.example:636",
    "LDAP_BIND_DN": "cn=svc,dc=city,dc=example",
    "LDAP_BIND_PASSWORD": "svc-password",
    "LDAP_USER_BASE": "ou=people,dc=city,dc=example",
    "LDAP_USER_ATTR": "sAMAccountName",
    "LDAP_USER_FILTER": "(objectClass=user)",
    "LDAP_GROUP_BASE": "ou=groups,dc=city,dc=example",
    "LDAP_ROLE_GROUPS": {"hr": "cn=hr,ou=groups,dc=city,dc=example",
                         "manager": "cn=managers,ou=groups,dc=city,dc=example"},
    "LDAP_STARTTLS": True,
    "LDAP_CA_FILE": "/etc/ssl/city-ca.pem",
    "LDAP_TIMEOUT": 7,
    "LDAP_ATTR_DISPLAY_NAME": "cn",
    "LDAP_ATTR_KANA": "kanaName",
    "LDAP_ATTR_MAIL": "userPrincipalName",
    "LDAP_ATTR_DEPARTMENT": "department",
    "DEFAULT_LANGUAGE": "en",
    "BABEL_DEFAULT_LOCALE": "en",
    "TIMEZONE": "UTC",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    "SMTP_HOST": "smtp.city.example",
    "SMTP_PORT": 587,
    "SMTP_USER": "workhub",
    "SMTP_PASSWORD": "smtp-pw",
    "SMTP_STARTTLS": True,
    "SMTP_FROM": "workhub@city.example.jp",
    "UPLOAD_DIR": "/srv/workhub/uploads",
    "MAX_CONTENT_LENGTH": 50 * 1024,
    "LOGIN_MAX_FAILURES": 3,
    "LOGIN_DELAY_SECONDS": 5,
    "LOGIN_MAX_DELAY_SECONDS": 600,
    "LDAP_LOCKOUT_THRESHOLD": 0,
    "LDAP_LOCKOUT_WINDOW_MINUTES": 15,
    "RATELIMIT_LOGIN": "10 per minute; 100 per hour",
    "RATELIMIT_ENABLED": False,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
    "SESSION_COOKIE_SECURE": True,
    "PREFERRED_URL_SCHEME": "https",
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    "TRUSTED_PROXIES": 1,
}


def test_every_variable_is_parsed(base_env):
    cfg = load_config({**base_env, **FULL_ENV})
    assert {key: cfg[key] for key in EXPECTED} == EXPECTED


def test_blank_values_mean_the_default(base_env):
    blank = {name: "  " for name in FULL_ENV if name != "WORKHUB_SECRET_KEY"}
    cfg = load_config({**base_env, **blank})
    defaults = load_config(base_env)
    for key in EXPECTED:
        if key not in ("SECRET_KEY", "LDAP_BIND_PASSWORD", "SMTP_PASSWORD"):
            assert cfg[key] == defaults[key], key
    # Passwords are taken as given: one may really start or end with a space.
    assert cfg["SMTP_PASSWORD"] == "  "


@pytest.mark.parametrize("raw,expected", [
    ("1", True), ("true", True), ("Yes", True), (" ON ", True),
    ("0", False), ("false", False), ("No", False), ("off", False),
])
def test_booleans(base_env, raw, expected):
    assert load_config({**base_env, "WORKHUB_SECURE_COOKIES": raw})[
        "SESSION_COOKIE_SECURE"] is expected


def test_auth_providers_are_read_in_order(base_env):
    assert load_config({**base_env, "WORKHUB_AUTH": " LDAP , local "})["AUTH_PROVIDERS"] == [
        "ldap", "local"]
    assert load_config({**base_env, "WORKHUB_AUTH": "local,local"})["AUTH_PROVIDERS"] == [
        "local"]


BAD_VALUES = {
    "LDAP_TIMEOUT not a number": ("WORKHUB_LDAP_TIMEOUT", "five"),
    "LDAP_TIMEOUT zero": ("WORKHUB_LDAP_TIMEOUT", "0"),
    "SMTP_PORT float": ("WORKHUB_SMTP_PORT", "25.5"),
    "SMTP_PORT out of range": ("WORKHUB_SMTP_PORT", "70000"),
    "MAX_REQUEST_KB negative": ("WORKHUB_MAX_REQUEST_KB", "-1"),
    "MAX_REQUEST_KB below 16": ("WORKHUB_MAX_REQUEST_KB", "8"),
    "LOGIN_MAX_FAILURES zero": ("WORKHUB_LOGIN_MAX_FAILURES", "0"),
    "LOGIN_DELAY_SECONDS word": ("WORKHUB_LOGIN_DELAY_SECONDS", "10s"),
    "LOGIN_MAX_DELAY_SECONDS zero": ("WORKHUB_LOGIN_MAX_DELAY_SECONDS", "0"),
    "LDAP_LOCKOUT_THRESHOLD negative": ("WORKHUB_LDAP_LOCKOUT_THRESHOLD", "-1"),
    "LDAP_LOCKOUT_WINDOW_MINUTES zero": ("WORKHUB_LDAP_LOCKOUT_WINDOW_MINUTES", "0"),
    "SESSION_HOURS zero": ("WORKHUB_SESSION_HOURS", "0"),
    "TRUSTED_PROXIES negative": ("WORKHUB_TRUSTED_PROXIES", "-1"),
    "AUTH unknown": ("WORKHUB_AUTH", "kerberos"),
    "AUTH one unknown": ("WORKHUB_AUTH", "ldap,radius"),
    "LANGUAGE fr": ("WORKHUB_LANGUAGE", "fr"),
    "LANGUAGE region": ("WORKHUB_LANGUAGE", "ja_JP"),
    "TIMEZONE unknown": ("WORKHUB_TIMEZONE", "Mars/Olympus_Mons"),
    "TIMEZONE path": ("WORKHUB_TIMEZONE", "../../etc/passwd"),
    "ROLE_GROUPS unknown role": ("WORKHUB_LDAP_ROLE_GROUPS", "boss=cn=boss,dc=x"),
    "ROLE_GROUPS no DN": ("WORKHUB_LDAP_ROLE_GROUPS", "hr="),
    "ROLE_GROUPS no equals": ("WORKHUB_LDAP_ROLE_GROUPS", "cn=hr,dc=x"),
    "ROLE_GROUPS role twice": ("WORKHUB_LDAP_ROLE_GROUPS", "hr=cn=a,dc=x;hr=cn=b,dc=x"),
    "boolean typo": ("WORKHUB_LDAP_STARTTLS", "ture"),
    "boolean word": ("WORKHUB_SECURE_COOKIES", "maybe"),
    "rate limit": ("WORKHUB_RATELIMIT_LOGIN", "twenty a minute"),
}


@pytest.mark.parametrize("name,value", BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_bad_values_are_refused_clearly(base_env, name, value):
    with pytest.raises(ValueError) as info:
        load_config({**base_env, name: value})
    # The message names the variable, so the operator knows what to fix.
    assert name in str(info.value)


# --- secret key ----------------------------------------------------------------------------


def test_secret_key_is_generated_private_and_reused(tmp_path):
    env = {"WORKHUB_INSTANCE_PATH": str(tmp_path / "instance")}
    first = load_config(env)["SECRET_KEY"]
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text() == first
    assert len(first) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_config(env)["SECRET_KEY"] == first
    # Nothing else is left in the folder (no temporary files).
    assert [p.name for p in (tmp_path / "instance").iterdir()] == ["secret_key"]


def test_processes_starting_together_agree_on_one_key(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    env = {"WORKHUB_INSTANCE_PATH": str(tmp_path)}
    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(lambda _: load_config(env)["SECRET_KEY"], range(16)))
    assert keys == {(tmp_path / "secret_key").read_text()}


def test_secret_key_from_the_environment_writes_no_file(tmp_path):
    cfg = load_config({"WORKHUB_INSTANCE_PATH": str(tmp_path), "WORKHUB_SECRET_KEY": "s" * 40})
    assert cfg["SECRET_KEY"] == "s" * 40
    assert not (tmp_path / "secret_key").exists()


def test_empty_secret_key_file_is_replaced(tmp_path):
    (tmp_path / "secret_key").write_text("")
    key = load_config({"WORKHUB_INSTANCE_PATH": str(tmp_path)})["SECRET_KEY"]
    assert len(key) >= 32
    assert (tmp_path / "secret_key").read_text() == key
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_app_uses_the_generated_key_across_restarts(tmp_path, monkeypatch):
    monkeypatch.delenv("WORKHUB_SECRET_KEY", raising=False)
    monkeypatch.setenv("WORKHUB_INSTANCE_PATH", str(tmp_path))
    keys = []
    for _ in range(2):
        application = create_app({"TESTING": True})
        keys.append(application.config["SECRET_KEY"])
        assert application.instance_path == str(tmp_path.resolve())
        with application.app_context():
            db.engine.dispose()
    assert keys[0] == keys[1] == (tmp_path / "secret_key").read_text()
    assert os.stat(tmp_path / "secret_key").st_mode & 0o077 == 0


# --- README -------------------------------------------------------------------------------


def test_readme_documents_every_variable_the_config_reads():
    source = (PROJECT_ROOT / "workhub" / "config.py").read_text()
    readme = (PROJECT_ROOT / "README.md").read_text()
    # A name ending in "_" is a prefix (WORKHUB_SCHEDULE_<JOB>): the README must mention it.
    read = set(re.findall(r"WORKHUB_[A-Z0-9_]+", source))
    prefixes = {name for name in read if name.endswith("_")}

    def documented(name: str) -> bool:
        if re.search(re.escape(name) + ("" if name in prefixes else r"\b"), readme):
            return True
        return any(name.startswith(p) and documented(p) for p in prefixes if p != name)

    missing = {name for name in read if not documented(name)}
    assert not missing, f"document these in the README configuration table: {sorted(missing)}"


@pytest.mark.parametrize("url,expected", [
    ("postgresql://u:p@db/workhub", "postgresql+psycopg://u:p@db/workhub"),
    ("postgres://u@db/workhub", "postgresql+psycopg://u@db/workhub"),
    ("postgresql+psycopg://u@db/workhub", "postgresql+psycopg://u@db/workhub"),
    ("sqlite:////srv/workhub/workhub.db", "sqlite:////srv/workhub/workhub.db"),
])
def test_database_url_uses_the_installed_driver(base_env, url, expected):
    cfg = load_config({**base_env, "WORKHUB_DATABASE_URL": url})
    assert cfg["SQLALCHEMY_DATABASE_URI"] == expected


def test_malformed_database_url_does_not_echo_the_password(base_env):
    with pytest.raises(ValueError) as info:
        load_config({**base_env, "WORKHUB_DATABASE_URL": "workhub:hunter2@db/workhub"})
    assert "WORKHUB_DATABASE_URL" in str(info.value)
    assert "hunter2" not in str(info.value)
