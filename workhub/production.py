"""Production mode: ``workhub serve`` refuses to start on settings that are fine for trying
WorkHub out but unsafe on the city's network, and lists every problem at once.

``WORKHUB_ENV`` is ``production`` (the default of ``workhub serve``) or ``development``
(``make run`` and the demo). In production these are refused:

* a secret key WorkHub generated itself (``WORKHUB_SECRET_KEY`` unset): it sits in
  ``instance/`` next to everything a backup copies, and differs between machines;
* no ``WORKHUB_ENCRYPTION_KEYS``: SIM PIN/PUK would be encrypted under a key derived from
  the secret key and would sit in a backup of ``instance/`` with it;
* session cookies without the Secure flag (``WORKHUB_SECURE_COOKIES``);
* LDAP without TLS (an ``ldap://`` URL without ``WORKHUB_LDAP_STARTTLS``): passwords would
  cross the network in clear;
* ``WORKHUB_TRUSTED_PROXIES`` not set: WorkHub cannot tell the client's address from the
  proxy's, and rate limits and the audit log would see one address for everyone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MODES = ("production", "development")


def mode(env: Mapping[str, str], default: str = "production") -> str:
    """The mode ``WORKHUB_ENV`` names (``default`` when unset); ValueError for another."""
    value = (env.get("WORKHUB_ENV") or default).strip().lower()
    if value not in MODES:
        raise ValueError(f"WORKHUB_ENV must be production or development, got {value!r}")
    return value


def production_problems(config: Mapping[str, Any], env: Mapping[str, str]) -> list[str]:
    """Every setting that production refuses, each as a sentence saying what to set."""
    problems = []
    if not (env.get("WORKHUB_SECRET_KEY") or "").strip():
        problems.append("WORKHUB_SECRET_KEY is not set: the secret key was generated into "
                        "instance/ (set a long random value, the same on every web process).")
    if not config.get("ENCRYPTION_KEYS"):
        problems.append("WORKHUB_ENCRYPTION_KEYS is not set: SIM PIN/PUK must be encrypted "
                        "under keys kept apart from the secret key and from backups of "
                        "instance/.")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("WORKHUB_SECURE_COOKIES is not true: session cookies would be sent "
                        "over plain HTTP (serve behind HTTPS and set it to true).")
    if "ldap" in (config.get("AUTH_PROVIDERS") or ()):
        url = (config.get("LDAP_URL") or "").lower()
        if url.startswith("ldap://") and not config.get("LDAP_STARTTLS"):
            problems.append("LDAP runs without TLS: use an ldaps:// WORKHUB_LDAP_URL or set "
                            "WORKHUB_LDAP_STARTTLS=true, so that passwords are not sent in "
                            "clear.")
    if (env.get("WORKHUB_TRUSTED_PROXIES") or "").strip() == "":
        problems.append("WORKHUB_TRUSTED_PROXIES is not set: say how many reverse proxies "
                        "stand in front of WorkHub (0 when none), so that client addresses "
                        "in rate limits and the audit log are right.")
    return problems
