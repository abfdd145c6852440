"""Shared pieces of the online-meeting tests: the frozen moment, people and licences by name,
meetings made through the core service. The office itself is the ``office`` fixture in
``conftest.py``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from workhub.auth.services import create_token
from workhub.extensions import db
from workhub.meetings import services as meetings
from workhub.meetings.models import Meeting
from workhub.online_meetings.models import Licence
from workhub.org.models import User

# Every test runs at this moment (a Monday morning in Tokyo), so "still to come" is fixed.
NOW = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
TOMORROW_10 = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo


def user(login: str) -> User:
    return db.session.scalar(db.select(User).where(User.login == login))


def licence(name: str) -> Licence:
    return db.session.scalar(db.select(Licence).where(Licence.name == name))


def meeting(organiser: str = "boss", *, starts_at: datetime = TOMORROW_10,
            hours: float | None = 1, tool: str = "zoom", logins=("emp",),
            title: str = "定例会議") -> Meeting:
    made = meetings.create_meeting(user(organiser), meetings.MeetingData(
        title=title, starts_at=starts_at,
        ends_at=None if hours is None else starts_at + timedelta(hours=hours),
        online_tool=tool, logins=list(logins)))
    db.session.commit()
    return made


def bearer(client, login: str, scopes=None) -> dict:
    """A token's header, used once (its last use is written then, not in the tests' diff)."""
    with client.application.app_context():
        _row, secret = create_token(user(login), "test", scopes=scopes or {"meetings": "write"})
        db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    return headers
