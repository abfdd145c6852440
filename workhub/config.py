"""Settings, read only from ``WORKHUB_*`` environment variables.

Every setting has a safe default so that ``make run`` works on a fresh machine with SQLite and
local accounts. The README lists each variable; keep the two in step.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

ROLES = ("employee", "manager", "hr", "it_admin", "secretary", "admin")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
LANGUAGES = ("ja", "en")
AUTH_PROVIDERS = ("local", "ldap")


def _bool(env: dict[str, str], name: str, default: bool = False) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    # A typo such as "ture" must not silently turn a security setting off.
    raise ValueError(f"{name} must be true or false (1/0, yes/no, on/off), got {raw!r}")


def _int(
    env: dict[str, str],
    name: str,
    default: int,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    raw = env.get(name, "")
    if raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value}")
    return value


def _providers(env: dict[str, str]) -> list[str]:
    providers: list[str] = []
    for part in env.get("WORKHUB_AUTH", "local").split(","):
        provider = part.strip().lower()
        if not provider or provider in providers:
            continue
        if provider not in AUTH_PROVIDERS:
            raise ValueError(f"WORKHUB_AUTH: unknown provider {provider!r} (use local, ldap)")
        providers.append(provider)
    return providers or ["local"]


def _language(env: dict[str, str]) -> str:
    language = env.get("WORKHUB_LANGUAGE", "").strip() or "ja"
    if language not in LANGUAGES:
        raise ValueError(f"WORKHUB_LANGUAGE must be ja or en, got {language!r}")
    return language


def _timezone(env: dict[str, str]) -> str:
    name = env.get("WORKHUB_TIMEZONE", "").strip() or "Asia/Tokyo"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"WORKHUB_TIMEZONE: unknown time zone {name!r} (e.g. Asia/Tokyo)"
        ) from exc
    return name


def _rate_limit(env: dict[str, str], name: str, default: str) -> str:
    from limits import parse_many

    raw = env.get(name, "").strip() or default
    try:
        parse_many(raw)
    except ValueError as exc:
        raise ValueError(f"{name}: not a rate limit such as '20 per minute', got {raw!r}") from exc
    return raw


def _database_url(env: dict[str, str], instance_path: Path) -> str:
    url = _text(env, "WORKHUB_DATABASE_URL", f"sqlite:///{instance_path / 'workhub.db'}")
    scheme, sep, rest = url.partition("://")
    if not sep:
        # The value is not echoed: it may hold a password.
        raise ValueError("WORKHUB_DATABASE_URL must look like postgresql+psycopg://user@host/db")
    # The psycopg 3 driver is the one installed; plain postgresql:// would ask for psycopg2.
    if scheme in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    return url


def _text(env: dict[str, str], name: str, default: str = "") -> str:
    """A plain string setting; blank means the default."""
    return env.get(name, "").strip() or default


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
        if role in mapping:
            raise ValueError(f"WORKHUB_LDAP_ROLE_GROUPS: role {role!r} is given twice")
        mapping[role] = dn.strip()
    return mapping


def _read_key(key_file: Path) -> str:
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        return ""


def _secret_key(instance_path: Path, env: dict[str, str]) -> str:
    """Return the configured secret key, or one generated once into the instance folder."""
    if env.get("WORKHUB_SECRET_KEY", "").strip():
        return env["WORKHUB_SECRET_KEY"].strip()
    key_file = instance_path / "secret_key"
    key = _read_key(key_file)
    if key:
        return key
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Written whole to a private (0600) temporary file, then linked into place: two processes
    # starting together agree on one key, and nobody ever reads a half-written one.
    fd, tmp = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        try:
            os.link(tmp, key_file)
        except FileExistsError:
            existing = _read_key(key_file)
            if existing:
                return existing
            # An empty file (a crash during an earlier first start): replace it.
            os.replace(tmp, key_file)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return key


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name, "")
    if raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc


def _positive_float(env: dict[str, str], name: str, default: float,
                    maximum: float = 1000.0) -> float:
    value = _float(env, name, default)
    if not 0 < value <= maximum:  # also refuses nan
        raise ValueError(f"{name} must be above 0 and at most {maximum:g}, got {value!r}")
    return value


def _clock(env: dict[str, str], name: str, default: str) -> str:
    """A time of day ``HH:MM`` (24-hour clock), returned as ``HH:MM``."""
    raw = env.get(name, "").strip() or default
    hour, sep, minute = raw.partition(":")
    if not (sep and hour.isdigit() and minute.isdigit() and len(minute) == 2
            and int(hour) < 24 and int(minute) < 60):
        raise ValueError(f"{name} must be a time of day such as 10:00, got {raw!r}")
    return f"{int(hour):02d}:{minute}"


def _fernet_keys(env: dict[str, str]) -> tuple[str, ...]:
    """``WORKHUB_ENCRYPTION_KEYS``: comma-separated Fernet keys (the first encrypts)."""
    from cryptography.fernet import Fernet

    keys = tuple(k.strip() for k in env.get("WORKHUB_ENCRYPTION_KEYS", "").split(",")
                 if k.strip())
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            # The value is not echoed: it is a secret.
            raise ValueError(
                f"WORKHUB_ENCRYPTION_KEYS: key {number} is not a Fernet key (44 characters of "
                "url-safe base64; make one with: python -c \"from cryptography.fernet import "
                "Fernet; print(Fernet.generate_key().decode())\")"
            ) from None
    return keys


def _schedules(env: dict[str, str]) -> dict[str, str]:
    """``WORKHUB_SCHEDULE_LDAP_SYNC="30 2 * * *"`` → ``{"ldap_sync": "30 2 * * *"}``."""
    prefix = "WORKHUB_SCHEDULE_"
    return {k[len(prefix):].lower(): v for k, v in env.items() if k.startswith(prefix)}


def default_instance_path() -> Path:
    """``instance/`` of a checkout; for an installed wheel (site-packages is no place for
    data) ``<prefix>/var/workhub-instance``, as Flask itself would choose."""
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return PROJECT_ROOT / "instance"
    return Path(sys.prefix) / "var" / "workhub-instance"


def load_config(env: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from the environment."""
    env = dict(os.environ if env is None else env)
    instance_path = Path(
        _text(env, "WORKHUB_INSTANCE_PATH", str(default_instance_path()))
    ).resolve()
    language = _language(env)
    timezone = _timezone(env)
    secure = _bool(env, "WORKHUB_SECURE_COOKIES")
    return {
        # production (the default of `workhub serve`) or development: workhub/production.py.
        "ENV_MODE": (env.get("WORKHUB_ENV") or "production").strip().lower(),
        "INSTANCE_PATH": str(instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_url(env, instance_path),
        "SECRET_KEY": _secret_key(instance_path, env),
        "AUTH_PROVIDERS": _providers(env),
        "LDAP_URL": _text(env, "WORKHUB_LDAP_URL"),
        "LDAP_BIND_DN": _text(env, "WORKHUB_LDAP_BIND_DN"),
        # Not stripped: a password may really begin or end with a space.
        "LDAP_BIND_PASSWORD": env.get("WORKHUB_LDAP_BIND_PASSWORD", ""),
        "LDAP_USER_BASE": _text(env, "WORKHUB_LDAP_USER_BASE"),
        "LDAP_USER_ATTR": _text(env, "WORKHUB_LDAP_USER_ATTR", "uid"),
        "LDAP_USER_FILTER": _text(env, "WORKHUB_LDAP_USER_FILTER", "(objectClass=person)"),
        "LDAP_GROUP_BASE": _text(env, "WORKHUB_LDAP_GROUP_BASE"),
        "LDAP_ROLE_GROUPS": parse_role_groups(env.get("WORKHUB_LDAP_ROLE_GROUPS", "")),
        "LDAP_STARTTLS": _bool(env, "WORKHUB_LDAP_STARTTLS"),
        "LDAP_CA_FILE": _text(env, "WORKHUB_LDAP_CA_FILE"),
        "LDAP_TIMEOUT": _int(env, "WORKHUB_LDAP_TIMEOUT", 5, minimum=1, maximum=300),
        "LDAP_SYNC_MAX_DEACTIVATE_PERCENT": _int(
            env, "WORKHUB_LDAP_SYNC_MAX_DEACTIVATE_PERCENT", 10, minimum=0, maximum=100),
        "LDAP_ATTR_DISPLAY_NAME": _text(env, "WORKHUB_LDAP_ATTR_DISPLAY_NAME", "displayName"),
        "LDAP_ATTR_KANA": _text(env, "WORKHUB_LDAP_ATTR_KANA"),
        "LDAP_ATTR_MAIL": _text(env, "WORKHUB_LDAP_ATTR_MAIL", "mail"),
        "LDAP_ATTR_DEPARTMENT": _text(env, "WORKHUB_LDAP_ATTR_DEPARTMENT", "departmentNumber"),
        "DEFAULT_LANGUAGE": language,
        "BABEL_DEFAULT_LOCALE": language,
        "TIMEZONE": timezone,
        "BABEL_DEFAULT_TIMEZONE": timezone,
        "SMTP_HOST": _text(env, "WORKHUB_SMTP_HOST"),
        "SMTP_PORT": _int(env, "WORKHUB_SMTP_PORT", 25, minimum=1, maximum=65535),
        "SMTP_USER": _text(env, "WORKHUB_SMTP_USER"),
        "SMTP_PASSWORD": env.get("WORKHUB_SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _bool(env, "WORKHUB_SMTP_STARTTLS"),
        "SMTP_FROM": _text(env, "WORKHUB_SMTP_FROM", "workhub@localhost"),
        "UPLOAD_DIR": _text(env, "WORKHUB_UPLOAD_DIR", str(instance_path / "uploads")),
        # Every route's body limit; upload routes raise their own (workhub/request_limits.py).
        "MAX_CONTENT_LENGTH": _int(env, "WORKHUB_MAX_REQUEST_KB", 1024, minimum=16) * 1024,
        "LOGIN_MAX_FAILURES": _int(env, "WORKHUB_LOGIN_MAX_FAILURES", 5, minimum=1),
        "LOGIN_DELAY_SECONDS": _int(env, "WORKHUB_LOGIN_DELAY_SECONDS", 10, minimum=1,
                                    maximum=3600),
        "LOGIN_MAX_DELAY_SECONDS": _int(env, "WORKHUB_LOGIN_MAX_DELAY_SECONDS", 300, minimum=1,
                                        maximum=86400),
        "LDAP_LOCKOUT_THRESHOLD": _int(env, "WORKHUB_LDAP_LOCKOUT_THRESHOLD", 10, minimum=0),
        "LDAP_LOCKOUT_WINDOW_MINUTES": _int(env, "WORKHUB_LDAP_LOCKOUT_WINDOW_MINUTES", 30,
                                            minimum=1, maximum=7 * 24 * 60),
        "RATELIMIT_STORAGE_URI": _text(env, "WORKHUB_RATELIMIT_STORAGE_URL", "memory://"),
        "RATELIMIT_LOGIN": _rate_limit(env, "WORKHUB_RATELIMIT_LOGIN", "20 per minute"),
        "RATELIMIT_FEED": _rate_limit(env, "WORKHUB_RATELIMIT_FEED", "60 per minute"),
        "RATELIMIT_ENABLED": _bool(env, "WORKHUB_RATELIMIT_ENABLED", True),
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "workhub_session",
        "PERMANENT_SESSION_LIFETIME": _int(env, "WORKHUB_SESSION_HOURS", 10, minimum=1) * 3600,
        "PREFERRED_URL_SCHEME": "https" if secure else "http",
        "TRUSTED_PROXIES": _int(env, "WORKHUB_TRUSTED_PROXIES", 0, minimum=0, maximum=10),
        "WTF_CSRF_TIME_LIMIT": None,
        "BOOTSTRAP_SERVE_LOCAL": True,
        # hide_parameters: a database error logged with its SQL never carries the values (a
        # survey answer, a PIN) next to who was signed in.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
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
        # Telework (issue 4): remind people with an approved remote day but no session by then.
        "TELEWORK_SESSION_REMINDER_TIME": _clock(env, "WORKHUB_TELEWORK_SESSION_REMINDER_TIME",
                                                 "10:00"),
        # Devices (issue 5): keys that encrypt SIM PIN/PUK (workhub.devices.secrets).
        "ENCRYPTION_KEYS": _fernet_keys(env),
        # Devices (issue 5): requests for a device or line wait for a manager's approval.
        "DEVICE_REQUEST_APPROVAL": _bool(env, "WORKHUB_DEVICE_REQUEST_APPROVAL", True),
        # Surveys (issue 6): default minimum group size k of results; never below 3.
        "SURVEY_MIN_GROUP_SIZE": _int(env, "WORKHUB_SURVEY_MIN_GROUP_SIZE", 5, minimum=3,
                                      maximum=1000),
        # Transcription (issue 7): a local CTranslate2 Whisper directory instead of the default
        # model assembled under <instance>/models; original recordings' retention; upload limit.
        "WHISPER_MODEL": _text(env, "WORKHUB_WHISPER_MODEL"),
        "RECORDING_RETENTION_DAYS": _int(env, "WORKHUB_RECORDING_RETENTION_DAYS", 90, minimum=1),
        "MAX_RECORDING_MB": _int(env, "WORKHUB_MAX_RECORDING_MB", 500, minimum=1),
        # Transcription (issue 14): recordings are decoded in a child process with these
        # limits (transcription.sandbox); longer recordings are refused at upload.
        "MAX_RECORDING_HOURS": _positive_float(env, "WORKHUB_MAX_RECORDING_HOURS", 8.0),
        "MEDIA_MEMORY_MB": _int(env, "WORKHUB_MEDIA_MEMORY_MB", 1024, minimum=256),
        "MEDIA_CPU_SECONDS": _int(env, "WORKHUB_MEDIA_CPU_SECONDS", 600, minimum=10),
        "MEDIA_TIMEOUT_SECONDS": _int(env, "WORKHUB_MEDIA_TIMEOUT_SECONDS", 900, minimum=10),
    }
