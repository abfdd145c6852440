"""Fixtures for a real OpenLDAP slapd (see COMPONENTS.md).

One throwaway server per test session: its own slapd.conf and mdb database in a temporary
directory, loaded offline with slapadd from tests/ldap/directory.ldif.in, listening on free
loopback ports (plain LDAP with StartTLS, and LDAPS) with a certificate from a test CA made
with openssl. Tests that change the directory do it through ``ldap_edit``, which puts every
change back afterwards. Without slapd the fixtures fail: they never skip.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import string
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import ldap3
import pytest
from ldap3 import MODIFY_ADD, MODIFY_DELETE, MODIFY_REPLACE

HERE = Path(__file__).resolve().parent / "ldap"

BASE_DN = "dc=city,dc=example,dc=jp"
ROOT_DN = f"cn=admin,{BASE_DN}"
SERVICE_DN = f"cn=workhub,ou=services,{BASE_DN}"
PEOPLE_BASE = f"ou=people,{BASE_DN}"
GROUP_BASE = f"ou=groups,{BASE_DN}"
# Every person in the test directory has this password.
LDAP_PASSWORD = "Sakura-Dir-2026"
SERVICE_PASSWORD = "Service-Read-2026"
ROOT_PASSWORD = "Root-Only-For-Tests-2026"
ROLE_GROUPS = {
    "manager": f"cn=managers,{GROUP_BASE}",
    "hr": f"cn=hr,{GROUP_BASE}",
    "it_admin": f"cn=it-admins,{GROUP_BASE}",
    "admin": f"cn=admins,{GROUP_BASE}",
    "secretary": f"cn=secretaries,{GROUP_BASE}",  # a posixGroup (memberUid)
}
TOOLS = ("slapd", "slapadd", "slaptest", "slappasswd", "ldapwhoami", "openssl")


def person_dn(uid: str, branch: str = PEOPLE_BASE) -> str:
    return f"uid={uid},{branch}"


def _tool(name: str) -> str | None:
    # slapd and friends live in /usr/sbin, which is not on every user's PATH.
    found = shutil.which(name)
    if found:
        return found
    for folder in ("/usr/sbin", "/sbin", "/usr/bin"):
        candidate = Path(folder, name)
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=60, **kwargs)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(args[:3])} … failed:\n{result.stdout}\n{result.stderr}",
                    pytrace=False)
    return result


def _ssha(slappasswd: str, secret: str) -> str:
    return _run([slappasswd, "-h", "{SSHA}", "-s", secret]).stdout.strip()


def _make_certificates(openssl: str, workdir: Path) -> tuple[Path, Path]:
    """Make a test CA, a server certificate for 127.0.0.1/localhost, and an unrelated CA."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _run([openssl, "req", "-x509", *ec, "-keyout", str(workdir / "ca.key"),
          "-out", str(workdir / "ca.crt"), "-days", "2", "-subj", "/CN=WorkHub test CA"])
    _run([openssl, "req", *ec, "-keyout", str(workdir / "server.key"),
          "-out", str(workdir / "server.csr"), "-subj", "/CN=127.0.0.1"])
    (workdir / "server.ext").write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid,issuer\n"
    )
    _run([openssl, "x509", "-req", "-in", str(workdir / "server.csr"),
          "-CA", str(workdir / "ca.crt"), "-CAkey", str(workdir / "ca.key"),
          "-CAcreateserial", "-out", str(workdir / "server.crt"), "-days", "2",
          "-extfile", str(workdir / "server.ext")])
    _run([openssl, "req", "-x509", *ec, "-keyout", str(workdir / "other-ca.key"),
          "-out", str(workdir / "other-ca.crt"), "-days", "2", "-subj", "/CN=Some other CA"])
    return workdir / "ca.crt", workdir / "other-ca.crt"


@dataclass
class Slapd:
    """A running test directory server."""

    workdir: Path
    port: int
    ldaps_port: int
    ca_file: Path
    wrong_ca_file: Path
    log_path: Path
    process: subprocess.Popen = field(repr=False)

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}/"

    @property
    def ldaps_url(self) -> str:
        return f"ldaps://127.0.0.1:{self.ldaps_port}/"

    def connect(self, user: str = ROOT_DN, password: str | None = None) -> ldap3.Connection:
        """Return a connection bound as ``user`` (the root DN by default)."""
        server = ldap3.Server("127.0.0.1", port=self.port, get_info=ldap3.NONE,
                              connect_timeout=5)
        return ldap3.Connection(server, user=user, password=password or ROOT_PASSWORD,
                                auto_bind=True, receive_timeout=10, raise_exceptions=True)

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def binds_since(self, offset: int) -> list[str]:
        """Return the DNs of every BIND slapd received since ``offset`` (see ``log_size``).

        slapd logs a BIND when it receives it, before it answers. So once a marker bind made
        now shows up in the log, every bind that was answered before it is there too.
        """
        marker = f"cn=marker-{secrets.token_hex(6)},{BASE_DN}"
        server = ldap3.Server("127.0.0.1", port=self.port, get_info=ldap3.NONE)
        conn = ldap3.Connection(server, user=marker, password="not-a-password")
        try:
            conn.bind()  # refused (no such entry): only the log line matters
        finally:
            conn.unbind()
        deadline = time.monotonic() + 10
        while True:
            text = self.log_path.read_bytes()[offset:].decode("utf-8", "replace")
            if marker in text:
                break
            if time.monotonic() > deadline:
                pytest.fail("slapd never logged the marker bind", pytrace=False)
            time.sleep(0.02)
        return [dn for dn in re.findall(r'BIND dn="([^"]*)" method=', text) if dn != marker]

    def log_since(self, offset: int) -> str:
        return self.log_path.read_bytes()[offset:].decode("utf-8", "replace")


def _start(slapd_bin: str, conf: Path, log_path: Path, ldapwhoami: str):
    """Start slapd on two free ports; return (process, port, ldaps_port) once it answers."""
    last_output = ""
    for _attempt in range(3):  # a free port can be taken between choosing and binding it
        port, ldaps_port = _free_port(), _free_port()
        urls = f"ldap://127.0.0.1:{port}/ ldaps://127.0.0.1:{ldaps_port}/"
        log = open(log_path, "ab")
        # "-d stats" keeps slapd in the foreground (the PID is the server's) and prints the
        # access log (connections, BINDs, searches) to stderr, which the tests read.
        process = subprocess.Popen([slapd_bin, "-d", "stats", "-f", str(conf), "-h", urls],
                                   stdout=subprocess.DEVNULL, stderr=log)
        log.close()
        env = dict(os.environ, LDAPNOINIT="1")  # ignore /etc/ldap/ldap.conf and ~/.ldaprc
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and process.poll() is None:
            # With "require authc" even a readiness check has to bind.
            check = subprocess.run(
                [ldapwhoami, "-x", "-H", f"ldap://127.0.0.1:{port}/", "-D", ROOT_DN,
                 "-w", ROOT_PASSWORD],
                capture_output=True, text=True, timeout=10, env=env,
            )
            if check.returncode == 0:
                return process, port, ldaps_port
            time.sleep(0.05)
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=10)
        last_output = log_path.read_text(errors="replace")[-3000:]
    pytest.fail(f"slapd did not start. Its output:\n{last_output}", pytrace=False)


@pytest.fixture(scope="session")
def slapd(tmp_path_factory):
    """Start a throwaway OpenLDAP server with the test directory; stop it at the end."""
    tools = {name: _tool(name) for name in TOOLS}
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        pytest.fail(
            f"The LDAP tests need a real OpenLDAP server, but {', '.join(missing)} "
            "is not installed. Install the Debian packages slapd and ldap-utils (and openssl): "
            "`.ci/system-deps` does it, or `make test`.",
            pytrace=False,
        )
    workdir = tmp_path_factory.mktemp("slapd")
    (workdir / "data").mkdir()
    ca_file, wrong_ca_file = _make_certificates(tools["openssl"], workdir)
    tls = "\n".join([
        f"TLSCACertificateFile {workdir / 'ca.crt'}",
        f"TLSCertificateFile {workdir / 'server.crt'}",
        f"TLSCertificateKeyFile {workdir / 'server.key'}",
    ])
    conf = workdir / "slapd.conf"
    conf.write_text(string.Template((HERE / "slapd.conf.in").read_text()).substitute(
        workdir=workdir, tls=tls, root_hash=_ssha(tools["slappasswd"], ROOT_PASSWORD),
    ))
    ldif = workdir / "directory.ldif"
    ldif.write_text(string.Template((HERE / "directory.ldif.in").read_text()).substitute(
        people_hash=_ssha(tools["slappasswd"], LDAP_PASSWORD),
        service_hash=_ssha(tools["slappasswd"], SERVICE_PASSWORD),
    ), encoding="utf-8")
    _run([tools["slaptest"], "-u", "-f", str(conf)])
    _run([tools["slapadd"], "-f", str(conf), "-l", str(ldif)])
    log_path = workdir / "slapd.log"
    process, port, ldaps_port = _start(tools["slapd"], conf, log_path, tools["ldapwhoami"])
    server = Slapd(workdir, port, ldaps_port, ca_file, wrong_ca_file, log_path, process)
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def ldap_config(slapd: Slapd, **overrides) -> dict:
    """The app config keys that point WorkHub at the test directory."""
    config = {
        "AUTH_PROVIDERS": ["ldap", "local"],
        "LDAP_URL": slapd.url,
        "LDAP_BIND_DN": SERVICE_DN,
        "LDAP_BIND_PASSWORD": SERVICE_PASSWORD,
        "LDAP_USER_BASE": PEOPLE_BASE,
        "LDAP_USER_ATTR": "uid",
        "LDAP_USER_FILTER": "(objectClass=inetOrgPerson)",
        "LDAP_GROUP_BASE": GROUP_BASE,
        "LDAP_ROLE_GROUPS": dict(ROLE_GROUPS),
        "LDAP_STARTTLS": False,
        "LDAP_CA_FILE": "",
        "LDAP_TIMEOUT": 5,
        "LDAP_ATTR_DISPLAY_NAME": "displayName",
        # This directory keeps the reading of a name (kana) in "description".
        "LDAP_ATTR_KANA": "description",
        "LDAP_ATTR_MAIL": "mail",
        "LDAP_ATTR_DEPARTMENT": "departmentNumber",
    }
    config.update(overrides)
    return config


@pytest.fixture
def ldap_app(app, slapd, monkeypatch):
    """The session ``app`` pointed at the test directory for one test (restored afterwards)."""
    for key, value in ldap_config(slapd).items():
        monkeypatch.setitem(app.config, key, value)
    return app


@pytest.fixture
def set_ldap(ldap_app, monkeypatch):
    """Return a function that changes single LDAP settings of ``ldap_app`` for one test."""

    def configure(**overrides):
        for key, value in overrides.items():
            monkeypatch.setitem(ldap_app.config, key, value)

    return configure


class DirectoryEditor:
    """Change the live test directory as its administrator; ``restore`` undoes it all."""

    def __init__(self, slapd: Slapd):
        self.slapd = slapd
        self._undo: list[tuple[str, str, object]] = []

    def _conn(self) -> ldap3.Connection:
        return self.slapd.connect()

    def _read(self, conn, dn: str, attributes) -> dict[str, list[bytes]]:
        conn.search(dn, "(objectClass=*)", ldap3.BASE, attributes=attributes)
        return {k: list(v) for k, v in conn.response[0]["raw_attributes"].items() if v}

    def replace(self, dn: str, **attributes: str | list[str]) -> None:
        """Replace attribute values of ``dn`` (a list for several values)."""
        conn = self._conn()
        try:
            old = self._read(conn, dn, list(attributes))
            conn.modify(dn, {name: [(MODIFY_REPLACE, value if isinstance(value, list)
                                     else [value])] for name, value in attributes.items()})
        finally:
            conn.unbind()
        restore = {name: [(MODIFY_REPLACE, old.get(name, []))] for name in attributes}
        self._undo.append(("modify", dn, restore))

    def add_value(self, dn: str, attribute: str, value: str) -> None:
        """Add one value (e.g. a group member)."""
        conn = self._conn()
        try:
            conn.modify(dn, {attribute: [(MODIFY_ADD, [value])]})
        finally:
            conn.unbind()
        self._undo.append(("modify", dn, {attribute: [(MODIFY_DELETE, [value])]}))

    def remove_value(self, dn: str, attribute: str, value: str) -> None:
        conn = self._conn()
        try:
            conn.modify(dn, {attribute: [(MODIFY_DELETE, [value])]})
        finally:
            conn.unbind()
        self._undo.append(("modify", dn, {attribute: [(MODIFY_ADD, [value])]}))

    def add_person(self, uid: str, display_name: str, department: str | None = None,
                   password: str = LDAP_PASSWORD) -> str:
        """Add a person to ou=people; returns the DN."""
        dn = person_dn(uid)
        attributes = {
            "uid": uid, "cn": display_name, "sn": display_name.split()[0],
            "displayName": display_name, "mail": f"{uid}@city.example.jp",
            "userPassword": password,
        }
        if department:
            attributes["departmentNumber"] = department
        conn = self._conn()
        try:
            conn.add(dn, ["inetOrgPerson"], attributes)
        finally:
            conn.unbind()
        self._undo.append(("delete", dn, None))
        return dn

    def delete(self, dn: str) -> None:
        """Delete an entry (it comes back, password hash included, at ``restore``)."""
        conn = self._conn()
        try:
            old = self._read(conn, dn, ["*"])
            conn.delete(dn)
        finally:
            conn.unbind()
        self._undo.append(("add", dn, old))

    def restore(self) -> None:
        conn = self._conn()
        try:
            while self._undo:
                action, dn, data = self._undo.pop()
                if action == "modify":
                    conn.modify(dn, data)
                elif action == "delete":
                    conn.delete(dn)
                else:
                    conn.add(dn, attributes=data)
        finally:
            conn.unbind()


@pytest.fixture
def ldap_edit(slapd):
    """A DirectoryEditor whose changes are undone after the test."""
    editor = DirectoryEditor(slapd)
    yield editor
    editor.restore()


def user_row(app, login: str) -> dict | None:
    """Return what the database holds about ``login`` (plain values), or None."""
    from sqlalchemy import select

    from workhub.extensions import db
    from workhub.org.models import User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == login))
        if user is None:
            return None
        return {
            "login": user.login,
            "display_name": user.display_name,
            "kana": user.kana,
            "email": user.email,
            "department": user.department.code if user.department else None,
            "roles": set(user.roles),
            "active": user.active,
            "auth_source": user.auth_source,
            "ldap_dn": user.ldap_dn,
        }


def audit_rows(app, event: str) -> list[dict]:
    """Return the audit events named ``event``, oldest first."""
    from sqlalchemy import select

    from workhub.auth.models import AuditEvent
    from workhub.extensions import db

    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.event == event).order_by(AuditEvent.id)
        )
        return [{"actor": r.actor_login, "target": r.target, "ip": r.ip, **(r.detail or {})}
                for r in rows]
