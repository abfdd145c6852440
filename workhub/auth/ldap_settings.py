"""The LDAP part of the configuration (``WORKHUB_LDAP_*``) and what is wrong with it.

Checked when the app starts (production mode lists the problems) and read by
``workhub.auth.ldap``, which talks to the directory."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

_ATTR_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*(;[A-Za-z0-9-]+)*$")


@dataclass(frozen=True)
class LdapSettings:
    """The LDAP part of the configuration (``WORKHUB_LDAP_*``)."""

    url: str
    bind_dn: str = ""
    bind_password: str = ""
    user_base: str = ""
    user_attr: str = "uid"
    user_filter: str = "(objectClass=person)"
    group_base: str = ""
    role_groups: Mapping[str, str] = field(default_factory=dict)
    starttls: bool = False
    ca_file: str = ""
    timeout: int = 5
    attr_display_name: str = "displayName"
    attr_kana: str = ""
    attr_mail: str = "mail"
    attr_department: str = "departmentNumber"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LdapSettings:
        """Read the settings from a Flask config mapping."""
        return cls(
            url=(config.get("LDAP_URL") or "").strip(),
            bind_dn=config.get("LDAP_BIND_DN") or "",
            bind_password=config.get("LDAP_BIND_PASSWORD") or "",
            user_base=config.get("LDAP_USER_BASE") or "",
            user_attr=config.get("LDAP_USER_ATTR") or "uid",
            user_filter=config.get("LDAP_USER_FILTER") or "(objectClass=person)",
            group_base=config.get("LDAP_GROUP_BASE") or "",
            role_groups=dict(config.get("LDAP_ROLE_GROUPS") or {}),
            starttls=bool(config.get("LDAP_STARTTLS")),
            ca_file=config.get("LDAP_CA_FILE") or "",
            timeout=int(config.get("LDAP_TIMEOUT") or 5),
            attr_display_name=config.get("LDAP_ATTR_DISPLAY_NAME") or "displayName",
            attr_kana=config.get("LDAP_ATTR_KANA") or "",
            attr_mail=config.get("LDAP_ATTR_MAIL") or "",
            attr_department=config.get("LDAP_ATTR_DEPARTMENT") or "",
        )

    def problem(self) -> str | None:
        """Return what is wrong with the settings, or None when they are usable."""
        parts = urlsplit(self.url)
        if parts.scheme not in ("ldap", "ldaps") or not parts.hostname:
            return str(_l("WORKHUB_LDAP_URL must look like ldap://host:389 or ldaps://host:636."))
        try:
            _ = parts.port  # urlsplit checks the port only when it is read
        except ValueError:
            return str(_l("WORKHUB_LDAP_URL has an invalid port."))
        if not self.user_base.strip():
            return str(_l("WORKHUB_LDAP_USER_BASE is empty."))
        if self.bind_dn and not self.bind_password:
            # Never let the service account make an unauthenticated bind by accident.
            return str(_l("WORKHUB_LDAP_BIND_DN is set but WORKHUB_LDAP_BIND_PASSWORD is empty."))
        for name in (self.user_attr, self.attr_display_name, self.attr_kana, self.attr_mail,
                     self.attr_department):
            if name and not _ATTR_RE.match(name):
                return str(_l("%(name)s is not an LDAP attribute name.", name=name))
        if self.ca_file and not Path(self.ca_file).is_file():
            return str(_l("WORKHUB_LDAP_CA_FILE does not name a readable file."))
        if self.timeout <= 0:
            return str(_l("WORKHUB_LDAP_TIMEOUT must be a positive number of seconds."))
        return None
