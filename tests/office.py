"""Helpers the tests of several packages share: office time and signing in with a language.

Import them from here (``from tests.office import at, sign_in``); the ``office_clock``
fixture that moves the frozen clock is in ``tests/conftest.py``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

OFFICE_ZONE = ZoneInfo("Asia/Tokyo")
TEST_PASSWORD = "Kasumigaseki-2026"


@dataclass
class UserInfo:
    """What a test needs to know about a user it created (no live ORM object)."""

    id: int
    login: str
    password: str
    roles: set[str] = field(default_factory=set)
    department_code: str | None = None


def csrf_token(client, path: str = "/login") -> str:
    """Fetch ``path`` and return the CSRF token of its first form."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, user: UserInfo | str, password: str = TEST_PASSWORD):
    """Sign ``client`` in through the real login form; returns the response."""
    name = user if isinstance(user, str) else user.login
    pw = password if isinstance(user, str) else user.password
    return client.post(
        "/login",
        data={"login": name, "password": pw, "csrf_token": csrf_token(client)},
    )




def at(text: str) -> datetime:
    """A moment in office (Japan) time: ``at("2026-04-14 09:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=OFFICE_ZONE)


def sign_in(client, info, language: str = "en") -> None:
    """Sign ``client`` in as ``info`` through the real login form and choose the pages'
    language (English by default, so the tests can read the messages)."""
    assert login(client, info).status_code == 302
    client.post("/language", data={"language": language, "csrf_token": csrf_token(client, "/")})
