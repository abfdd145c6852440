"""Settings, read only from ``WORKHUB_*`` environment variables.

Every setting has a safe default so that ``make run`` works on a fresh machine with SQLite and
local accounts. The README lists each variable; keep the two in step.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

ROLES = ("employee", "manager", "hr", "it_admin", "secretary", "admin")

_TRUE = {"1", "true", "yes", "on"}


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in _TRUE


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    if raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc


def parse_role_groups(raw: str) -> dict[str, str]:
    """Parse ``role=group DN;role=group DN`` into a mapping, rejecting unknown roles."""
    mapping: dict[str, str] = {}
    for part in raw.split(";"):
        part = part.strip()
        if not part:
            continue
        role, sep, dn = part.partition("=")
        role = role.strip()
        if not sep or not dn.strip():
            raise ValueError(f"WORKHUB_LDAP_ROLE_GROUPS: expected role=DN, got {part!r}")
        if role not in ROLES:
            raise ValueError(f"WORKHUB_LDAP_ROLE_GROUPS: unknown role {role!r}")
        mapping[role] = dn.strip()
    return mapping


def _secret_key(instance_path: Path, env: dict[str, str]) -> str:
    """Return the configured secret key, or one generated once into the instance folder."""
    if env.get("WORKHUB_SECRET_KEY"):
        return env["WORKHUB_SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Create with 0600 so other local users cannot read the key that signs sessions.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name, "")
    if raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc


def _schedules(env: dict[str, str]) -> dict[str, str]:
    """``WORKHUB_SCHEDULE_LDAP_SYNC="30 2 * * *"`` → ``{"ldap_sync": "30 2 * * *"}``."""
    prefix = "WORKHUB_SCHEDULE_"
    return {k[len(prefix):].lower(): v for k, v in env.items() if k.startswith(prefix)}


def load_config(env: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from the environment."""
    env = dict(os.environ if env is None else env)
    instance_path = Path(env.get("WORKHUB_INSTANCE_PATH", PROJECT_ROOT / "instance")).resolve()
    auth = [p.strip() for p in env.get("WORKHUB_AUTH", "local").split(",") if p.strip()]
    for provider in auth:
        if provider not in ("local", "ldap"):
            raise ValueError(f"WORKHUB_AUTH: unknown provider {provider!r} (use local, ldap)")
    language = env.get("WORKHUB_LANGUAGE", "ja")
    if language not in ("ja", "en"):
        raise ValueError("WORKHUB_LANGUAGE must be ja or en")
    return {
        "INSTANCE_PATH": str(instance_path),
        "SQLALCHEMY_DATABASE_URI": env.get(
            "WORKHUB_DATABASE_URL", f"sqlite:///{instance_path / 'workhub.db'}"
        ),
        "SECRET_KEY": _secret_key(instance_path, env),
        "AUTH_PROVIDERS": auth or ["local"],
        "LDAP_URL": env.get("WORKHUB_LDAP_URL", ""),
        "LDAP_BIND_DN": env.get("WORKHUB_LDAP_BIND_DN", ""),
        "LDAP_BIND_PASSWORD": env.get("WORKHUB_LDAP_BIND_PASSWORD", ""),
        "LDAP_USER_BASE": env.get("WORKHUB_LDAP_USER_BASE", ""),
        "LDAP_USER_ATTR": env.get("WORKHUB_LDAP_USER_ATTR", "uid"),
        "LDAP_USER_FILTER": env.get("WORKHUB_LDAP_USER_FILTER", "(objectClass=person)"),
        "LDAP_GROUP_BASE": env.get("WORKHUB_LDAP_GROUP_BASE", ""),
        "LDAP_ROLE_GROUPS": parse_role_groups(env.get("WORKHUB_LDAP_ROLE_GROUPS", "")),
        "LDAP_STARTTLS": _flag(env.get("WORKHUB_LDAP_STARTTLS")),
        "LDAP_CA_FILE": env.get("WORKHUB_LDAP_CA_FILE", ""),
        "LDAP_TIMEOUT": _int(env, "WORKHUB_LDAP_TIMEOUT", 5),
        "LDAP_ATTR_DISPLAY_NAME": env.get("WORKHUB_LDAP_ATTR_DISPLAY_NAME", "displayName"),
        "LDAP_ATTR_KANA": env.get("WORKHUB_LDAP_ATTR_KANA", ""),
        "LDAP_ATTR_MAIL": env.get("WORKHUB_LDAP_ATTR_MAIL", "mail"),
        "LDAP_ATTR_DEPARTMENT": env.get("WORKHUB_LDAP_ATTR_DEPARTMENT", "departmentNumber"),
        "DEFAULT_LANGUAGE": language,
        "BABEL_DEFAULT_LOCALE": language,
        "TIMEZONE": env.get("WORKHUB_TIMEZONE", "Asia/Tokyo"),
        "BABEL_DEFAULT_TIMEZONE": env.get("WORKHUB_TIMEZONE", "Asia/Tokyo"),
        "SMTP_HOST": env.get("WORKHUB_SMTP_HOST", ""),
        "SMTP_PORT": _int(env, "WORKHUB_SMTP_PORT", 25),
        "SMTP_USER": env.get("WORKHUB_SMTP_USER", ""),
        "SMTP_PASSWORD": env.get("WORKHUB_SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _flag(env.get("WORKHUB_SMTP_STARTTLS")),
        "SMTP_FROM": env.get("WORKHUB_SMTP_FROM", "workhub@localhost"),
        "UPLOAD_DIR": str(Path(env.get("WORKHUB_UPLOAD_DIR", instance_path / "uploads"))),
        "MAX_CONTENT_LENGTH": _int(env, "WORKHUB_MAX_UPLOAD_MB", 500) * 1024 * 1024,
        "LOGIN_MAX_FAILURES": _int(env, "WORKHUB_LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCK_MINUTES": _int(env, "WORKHUB_LOGIN_LOCK_MINUTES", 15),
        "RATELIMIT_STORAGE_URI": env.get("WORKHUB_RATELIMIT_STORAGE_URL", "memory://"),
        "RATELIMIT_LOGIN": env.get("WORKHUB_RATELIMIT_LOGIN", "20 per minute"),
        "RATELIMIT_ENABLED": _flag(env.get("WORKHUB_RATELIMIT_ENABLED"), True),
        "SESSION_COOKIE_SECURE": _flag(env.get("WORKHUB_SECURE_COOKIES")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "workhub_session",
        "PERMANENT_SESSION_LIFETIME": _int(env, "WORKHUB_SESSION_HOURS", 10) * 3600,
        "PREFERRED_URL_SCHEME": "https" if _flag(env.get("WORKHUB_SECURE_COOKIES")) else "http",
        "TRUSTED_PROXIES": _int(env, "WORKHUB_TRUSTED_PROXIES", 0),
        "WTF_CSRF_TIME_LIMIT": None,
        "BOOTSTRAP_SERVE_LOCAL": True,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Worker and scheduler (issue 3).
        "JOB_LEASE_SECONDS": _int(env, "WORKHUB_JOB_LEASE_SECONDS", 60),
        "JOB_POLL_SECONDS": _float(env, "WORKHUB_JOB_POLL_SECONDS", 2.0),
        "JOB_BACKOFF_SECONDS": _int(env, "WORKHUB_JOB_BACKOFF_SECONDS", 30),
        "JOB_SHUTDOWN_GRACE_SECONDS": _int(env, "WORKHUB_JOB_SHUTDOWN_GRACE_SECONDS", 30),
        "JOB_PURGE_DAYS": _int(env, "WORKHUB_JOB_PURGE_DAYS", 30),
        "JOB_EXTRA_MODULES": tuple(
            m.strip() for m in env.get("WORKHUB_JOB_MODULES", "").split(",") if m.strip()
        ),
        "JOB_SCHEDULES": _schedules(env),
        "SCHEDULER_LEASE_SECONDS": _int(env, "WORKHUB_SCHEDULER_LEASE_SECONDS", 30),
    }
