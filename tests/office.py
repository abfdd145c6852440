"""Helpers the tests of several packages share: office time and signing in with a language.

Import them by name (``from office import at, sign_in``); the ``office_clock`` fixture
that moves the frozen clock is in ``conftest.py``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from conftest import csrf_token, login

OFFICE_ZONE = ZoneInfo("Asia/Tokyo")


def at(text: str) -> datetime:
    """A moment in office (Japan) time: ``at("2026-04-14 09:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=OFFICE_ZONE)


def sign_in(client, info, language: str = "en") -> None:
    """Sign ``client`` in as ``info`` through the real login form and choose the pages'
    language (English by default, so the tests can read the messages)."""
    assert login(client, info).status_code == 302
    client.post("/language", data={"language": language, "csrf_token": csrf_token(client, "/")})
