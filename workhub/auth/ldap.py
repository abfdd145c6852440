"""LDAP / Active Directory provider (ldap3): sign-in and the listing the directory sync reads.

Sign-in: refuse an empty password before anything else (an empty password is an
*unauthenticated* bind that succeeds on some servers), bind with the service account, search
the person with an escaped filter, require exactly one match, then bind as that DN with the
password. Roles come from group membership. Every failure becomes ``LoginFailed`` (the person's
side: one generic message) or ``DirectoryUnavailable`` (the directory's side: a message an
operator can act on). Connections are always closed.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from ldap3 import BASE, NONE, SUBTREE, Connection, Server, Tls
from ldap3.core import exceptions as lx
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import parse_dn

from workhub.auth.ldap_settings import LdapSettings
from workhub.auth.services import DirectoryUnavailable, LoginFailed
from workhub.org.services import DirectoryEntry

log = logging.getLogger(__name__)

PAGE_SIZE = 500
# Bind results that mean "this person may not sign in" rather than "the directory is broken":
# inappropriateAuthentication, insufficientAccessRights, unwillingToPerform (disabled or
# expired accounts), constraintViolation (password policy lockout).
_REFUSED_BIND_RESULTS = {19, 48, 50, 53}

_UNREACHABLE = _l(
    "The staff directory (LDAP) cannot be reached. Check that the directory server is running "
    "and that WORKHUB_LDAP_URL is right, then try again."
)
_TLS_FAILED = _l(
    "A secure connection to the staff directory could not be made. Check the server "
    "certificate and WORKHUB_LDAP_CA_FILE."
)
_SERVICE_REFUSED = _l(
    "The staff directory refused WorkHub's service account. Check WORKHUB_LDAP_BIND_DN and "
    "WORKHUB_LDAP_BIND_PASSWORD."
)


@dataclass
class _Person:
    dn: str
    attrs: dict[str, list[str]]


def directory_from_config(config: Mapping[str, Any]) -> LdapDirectory | None:
    """Return the directory for ``config``, or None when LDAP is not configured."""
    if "ldap" not in (config.get("AUTH_PROVIDERS") or ()) or not config.get("LDAP_URL"):
        return None
    return LdapDirectory(LdapSettings.from_config(config))


class LdapDirectory:
    """The staff directory, reached through a read-only service account."""

    def __init__(self, settings: LdapSettings):
        self.settings = settings

    # -- public -------------------------------------------------------------------------------

    def authenticate(self, login: str, password: str) -> DirectoryEntry:
        """Check ``password`` for ``login`` and return the person as the directory has them.

        Raises LoginFailed (wrong password, unknown or ambiguous login) or
        DirectoryUnavailable (unreachable, timeout, TLS, service account, other errors).
        """
        # Before any bind: an empty password is an unauthenticated bind that may "succeed".
        if not password:
            raise LoginFailed("empty_password")
        login = (login or "").strip()
        if not login:
            raise LoginFailed("empty_login")
        self._check_settings()
        with self._service_connection() as conn:
            person = self._find_person(conn, login)
            self._check_password(person.dn, password)
            return self._entry(person, self._roles_of(conn, person), typed=login)

    def iter_entries(self) -> Iterator[DirectoryEntry]:
        """Yield every person under the user base (paged search), roles included."""
        self._check_settings()
        s = self.settings
        with self._service_connection() as conn:
            members = self._role_members(conn)
            results = conn.extend.standard.paged_search(
                s.user_base.strip(),
                f"(&{self._user_filter()}({s.user_attr}=*))",
                SUBTREE,
                attributes=self._attributes(),
                paged_size=PAGE_SIZE,
                generator=True,
            )
            for item in results:
                if item.get("type") != "searchResEntry":
                    continue  # referrals to other servers are not followed
                person = _Person(item["dn"], _decode(item["raw_attributes"]))
                if not _values(person.attrs, s.user_attr):
                    continue
                yield self._entry(person, self._roles_from_members(person, members))

    # -- connections --------------------------------------------------------------------------

    def _check_settings(self) -> None:
        problem = self.settings.problem()
        if problem:
            raise DirectoryUnavailable(
                str(_l("LDAP is not set up correctly: %(problem)s", problem=problem))
            )

    def _server(self) -> Server:
        s = self.settings
        parts = urlsplit(s.url)
        use_ssl = parts.scheme == "ldaps"
        tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=s.ca_file or None)
        return Server(
            parts.hostname,
            port=parts.port or (636 if use_ssl else 389),
            use_ssl=use_ssl,
            tls=tls,
            get_info=NONE,  # no schema read: it costs a round trip and needs a bind anyway
            connect_timeout=s.timeout,
        )

    def _open(self, user: str, password: str) -> Connection:
        """Open, secure and bind a connection; on any failure it is closed again."""
        server = self._server()
        conn = Connection(
            server,
            user=user or None,
            password=password or None,
            read_only=True,
            raise_exceptions=True,
            auto_referrals=False,
            receive_timeout=self.settings.timeout,
        )
        try:
            conn.open()
            if self.settings.starttls and not server.ssl:
                try:
                    conn.start_tls()
                except lx.LDAPOperationResult as exc:
                    # The server said no to StartTLS: a TLS problem, not a bad password.
                    raise lx.LDAPStartTLSError(f"StartTLS refused: {exc}") from exc
            conn.bind()
        except BaseException:
            _close(conn)
            raise
        return conn

    @contextmanager
    def _service_connection(self) -> Iterator[Connection]:
        s = self.settings
        try:
            conn = self._open(s.bind_dn, s.bind_password)
        except lx.LDAPOperationResult as exc:
            log.warning("LDAP service bind as %r refused: %s", s.bind_dn, exc)
            raise DirectoryUnavailable(str(_SERVICE_REFUSED)) from exc
        except lx.LDAPException as exc:
            raise _unavailable(exc, "service bind") from exc
        try:
            yield conn
        except lx.LDAPException as exc:
            raise _unavailable(exc, "search") from exc
        finally:
            _close(conn)

    def _check_password(self, dn: str, password: str) -> None:
        try:
            conn = self._open(dn, password)
        except lx.LDAPInvalidCredentialsResult as exc:
            raise LoginFailed("bad_password") from exc
        except lx.LDAPOperationResult as exc:
            if exc.result in _REFUSED_BIND_RESULTS:
                raise LoginFailed("refused_by_directory") from exc
            raise _unavailable(exc, "user bind") from exc
        except lx.LDAPException as exc:
            raise _unavailable(exc, "user bind") from exc
        _close(conn)

    # -- people -------------------------------------------------------------------------------

    def _user_filter(self) -> str:
        flt = self.settings.user_filter.strip() or "(objectClass=*)"
        return flt if flt.startswith("(") else f"({flt})"

    def _attributes(self) -> list[str]:
        s = self.settings
        names = [s.user_attr, s.attr_display_name, "cn", s.attr_kana, s.attr_mail,
                 s.attr_department, "memberOf"]
        return list(dict.fromkeys(n for n in names if n))

    def _find_person(self, conn: Connection, login: str) -> _Person:
        s = self.settings
        flt = f"(&{self._user_filter()}({s.user_attr}={escape_filter_chars(login)}))"
        # Two results are enough to know the login is ambiguous.
        conn.search(s.user_base.strip(), flt, SUBTREE, attributes=self._attributes(),
                    size_limit=2)
        found = [r for r in conn.response or [] if r.get("type") == "searchResEntry"]
        if not found:
            raise LoginFailed("unknown_user")
        if len(found) > 1:
            log.warning("LDAP login %r matches more than one entry; refused", login)
            raise LoginFailed("ambiguous")
        return _Person(found[0]["dn"], _decode(found[0]["raw_attributes"]))

    def _entry(self, person: _Person, roles: set[str], *, typed: str | None = None
               ) -> DirectoryEntry:
        s = self.settings
        logins = _values(person.attrs, s.user_attr)
        # The identity is the directory's own value (matching is case-insensitive), never the
        # text that was typed; with several values, the one that matched.
        login = next((v for v in logins if typed and v.lower() == typed.lower()),
                     logins[0] if logins else typed or "")
        return DirectoryEntry(
            login=login.lower(),
            dn=person.dn,
            display_name=_first(person.attrs, s.attr_display_name)
            or _first(person.attrs, "cn") or login,
            email=_first(person.attrs, s.attr_mail),
            kana=_first(person.attrs, s.attr_kana),
            department_code=_first(person.attrs, s.attr_department),
            roles=roles,
        )

    # -- roles --------------------------------------------------------------------------------

    def _roles_of(self, conn: Connection, person: _Person) -> set[str]:
        """Ask the server, group by group, whether ``person`` is a member (one sign-in)."""
        login = _first(person.attrs, self.settings.user_attr) or ""
        dn_value = escape_filter_chars(person.dn)
        flt = (f"(|(member={dn_value})(uniqueMember={dn_value})"
               f"(memberUid={escape_filter_chars(login)}))")
        roles = self._roles_from_member_of(person)
        for role, group_dn in self.settings.role_groups.items():
            if role in roles:
                continue
            try:
                conn.search(group_dn, flt, BASE, attributes=["1.1"])
            except lx.LDAPNoSuchObjectResult:
                log.warning("LDAP group %r for role %s does not exist", group_dn, role)
                continue
            if any(r.get("type") == "searchResEntry" for r in conn.response or []):
                roles.add(role)
        return roles

    def _role_members(self, conn: Connection) -> dict[str, tuple[set[str], set[str]]]:
        """Read every role group once (for the sync): role -> (member DNs, member uids)."""
        members: dict[str, tuple[set[str], set[str]]] = {}
        for role, group_dn in self.settings.role_groups.items():
            try:
                conn.search(group_dn, "(objectClass=*)", BASE,
                            attributes=["member", "uniqueMember", "memberUid"])
            except lx.LDAPNoSuchObjectResult:
                log.warning("LDAP group %r for role %s does not exist", group_dn, role)
                members[role] = (set(), set())
                continue
            dns: set[str] = set()
            uids: set[str] = set()
            for item in conn.response or []:
                if item.get("type") != "searchResEntry":
                    continue
                attrs = _decode(item["raw_attributes"])
                dns.update(_dn_key(v) for v in _values(attrs, "member"))
                dns.update(_dn_key(v) for v in _values(attrs, "uniqueMember"))
                uids.update(v.lower() for v in _values(attrs, "memberUid"))
            members[role] = (dns, uids)
        return members

    def _roles_from_members(self, person: _Person, members) -> set[str]:
        key = _dn_key(person.dn)
        uids = {v.lower() for v in _values(person.attrs, self.settings.user_attr)}
        roles = self._roles_from_member_of(person)
        for role, (dns, member_uids) in members.items():
            if key in dns or uids & member_uids:
                roles.add(role)
        return roles

    def _roles_from_member_of(self, person: _Person) -> set[str]:
        # Active Directory (and OpenLDAP with the memberof overlay) list groups on the person.
        groups = {_dn_key(v) for v in _values(person.attrs, "memberOf")}
        return {role for role, dn in self.settings.role_groups.items() if _dn_key(dn) in groups}


# -- helpers ----------------------------------------------------------------------------------


def _close(conn: Connection) -> None:
    """Unbind and close, whatever state the connection is in."""
    try:
        conn.unbind()
    except lx.LDAPException:
        pass
    if not conn.closed:
        # unbind failed before closing (e.g. after a failed TLS handshake).
        try:
            conn.strategy.close()
        except lx.LDAPException:
            pass
    # A socket whose connect() failed is never marked open, so ldap3 does not close it.
    if conn.socket is not None:
        try:
            conn.socket.close()
        except OSError:
            pass


def _unavailable(exc: Exception, during: str) -> DirectoryUnavailable:
    log.warning("LDAP %s failed: %s: %s", during, type(exc).__name__, exc)
    tls_failed = isinstance(exc, lx.LDAPStartTLSError | lx.LDAPCertificateError
                            | lx.LDAPSSLConfigurationError)
    if isinstance(exc, lx.LDAPSocketOpenError) and "ssl" in str(exc).lower():
        tls_failed = True
    if tls_failed:
        return DirectoryUnavailable(str(_TLS_FAILED))
    if isinstance(exc, lx.LDAPCommunicationError | lx.LDAPResponseTimeoutError):
        return DirectoryUnavailable(str(_UNREACHABLE))
    error = exc.description if isinstance(exc, lx.LDAPOperationResult) else type(exc).__name__
    return DirectoryUnavailable(str(_l(
        "The staff directory answered with an error (%(error)s). Check the LDAP settings or "
        "try again later.", error=error,
    )))


def _decode(raw: Mapping[str, list[bytes]]) -> dict[str, list[str]]:
    """Decode raw attribute values as UTF-8 text; binary values are dropped."""
    out: dict[str, list[str]] = {}
    for name, values in raw.items():
        texts = []
        for value in values or []:
            try:
                text = value.decode("utf-8") if isinstance(value, bytes) else str(value)
            except UnicodeDecodeError:
                continue
            text = text.strip()
            if text:
                texts.append(text)
        out[name.lower()] = texts
    return out


def _values(attrs: dict[str, list[str]], name: str) -> list[str]:
    return attrs.get(name.lower(), []) if name else []


def _first(attrs: dict[str, list[str]], name: str) -> str | None:
    values = _values(attrs, name)
    return values[0] if values else None


def _dn_key(dn: str) -> str:
    """Return ``dn`` in a form where equal DNs compare equal (case, spaces)."""
    try:
        parts = parse_dn(dn, escape=False, strip=True)
    except lx.LDAPException:
        return dn.strip().lower()
    return "".join(f"{attr.lower()}={value.lower()}{sep}" for attr, value, sep in parts)
