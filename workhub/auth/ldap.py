"""LDAP / Active Directory provider (ldap3)."""

from __future__ import annotations


def directory_from_config(config) -> object | None:
    """Return the directory for ``config``, or None when LDAP is not configured."""
    return None
