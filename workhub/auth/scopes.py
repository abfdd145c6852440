"""What a personal API token may do: read, or read and write, per feature.

A token's scopes are stored as text, e.g. ``"devices:read telework:write"``. Each API route
belongs to the feature named by the first part of its path below /api/v1 (``PATH_FEATURES``);
reading is GET/HEAD/OPTIONS, anything else writes. A route of no known feature is refused to
every token (tests/core/test_api_tokens.py makes sure no route is left without one), except the
few core routes any token may read (``OPEN_PATHS``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from workhub.errors import DomainError

FEATURES = {
    "telework": _l("Telework"),
    "devices": _l("Devices and lines"),
    "surveys": _l("Surveys"),
    "meetings": _l("Meetings and minutes"),
}
LEVELS = ("read", "write")  # write includes read
PATH_FEATURES = {
    "telework": "telework",
    "devices": "devices", "lines": "devices", "allocations": "devices",
    "device-requests": "devices",
    "surveys": "surveys",
    "meetings": "meetings", "segments": "meetings", "licences": "meetings",
}
# Who the token belongs to, the API description and the status of one's own jobs.
OPEN_PATHS = {"me", "openapi.json", "jobs"}
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
API_PREFIX = "/api/v1/"

DEFAULT_DAYS = 90
MAX_DAYS = 365


def parse(text: str | None) -> dict[str, str]:
    """``"devices:read telework:write"`` → ``{"devices": "read", "telework": "write"}``;
    unknown parts are ignored (a stored value is never trusted to grant more)."""
    scopes: dict[str, str] = {}
    for part in (text or "").split():
        feature, _sep, level = part.partition(":")
        if feature in FEATURES and level in LEVELS:
            scopes[feature] = level
    return scopes


def format_scopes(scopes: dict[str, str]) -> str:
    return " ".join(f"{f}:{scopes[f]}" for f in sorted(scopes))


def check(scopes: dict[str, str | None]) -> dict[str, str]:
    """Validate chosen scopes (feature → "read", "write", or "" / None for nothing)."""
    clean: dict[str, str] = {}
    for feature, level in scopes.items():
        if feature not in FEATURES:
            raise DomainError(str(_l("Unknown feature %(name)s.", name=feature)), field="scopes")
        if level in (None, "", "none"):
            continue
        if level not in LEVELS:
            raise DomainError(str(_l("Choose read, or read and write, for %(feature)s.",
                                     feature=FEATURES[feature])), field="scopes")
        clean[feature] = level
    if not clean:
        raise DomainError(str(_l("Choose at least one feature the token may use.")),
                          field="scopes")
    return clean


def full() -> dict[str, str]:
    """Read and write everywhere (what a token could do before scopes existed)."""
    return dict.fromkeys(FEATURES, "write")


def feature_of(rule: str) -> str | None:
    """The feature an API route belongs to, "" for the open core routes, None if unknown."""
    if not rule.startswith(API_PREFIX):
        return None
    first = rule[len(API_PREFIX):].split("/", 1)[0]
    if first in OPEN_PATHS:
        return ""
    return PATH_FEATURES.get(first)


def allows(scopes: dict[str, str], rule: str, method: str) -> bool:
    """Whether a token with ``scopes`` may call ``method`` on the API route ``rule``."""
    feature = feature_of(rule)
    reading = method.upper() in READ_METHODS
    if feature == "":
        return reading
    if feature is None:
        return False
    level = scopes.get(feature)
    return level == "write" or (level == "read" and reading)
