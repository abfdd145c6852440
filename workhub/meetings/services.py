"""Meetings: create and edit them with participants (staff by login ID, external names) and
agenda items; look them up for a person and list the ones they may see.

Services: the acting user is passed in; they flush, never commit, and raise DomainError
(``field`` names the form field) with a message a person can act on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from workhub.auth.passwords import has_hidden_characters
from workhub.errors import Conflict, DomainError, Forbidden, NotFound
from workhub.extensions import db
from workhub.meetings.models import LANGUAGES, ONLINE_TOOLS, AgendaItem, Meeting, MeetingParticipant
from workhub.meetings.permissions import (
    can_create_meeting,
    can_manage_meeting,
    can_view_meeting,
    visible_meetings,
)
from workhub.org.models import User
from workhub.validation import clean_text, fits_id

MAX_TITLE, MAX_PLACE, MAX_NAME, MAX_AFFILIATION, MAX_AGENDA_TITLE = 200, 200, 120, 200, 300
MAX_PARTICIPANTS, MAX_AGENDA = 200, 100
MAX_LOGIN = 64
MAX_JOIN_URL, MAX_NOTES = 500, 4000

# Rules other parts of WorkHub add to a meeting's change (a feature registers its own with
# ``change_rule`` when it is imported: core never imports a feature). Each is called with the
# meeting as it is and the checked data it is about to take (nothing changed yet), raises
# DomainError to refuse the change, and may bring its own rows in step (a licence booking
# following the meeting's new time).
ChangeRule = Callable[[Meeting, "MeetingData", int], None]
CHANGE_RULES: list[ChangeRule] = []


def change_rule(rule: ChangeRule) -> ChangeRule:
    """Register ``rule`` to run on every change of a meeting (once, however often the
    registering module is imported)."""
    if rule not in CHANGE_RULES:
        CHANGE_RULES.append(rule)
    return rule


@dataclass
class MeetingData:
    """What a form or the API gives for a meeting (times are aware datetimes)."""

    title: str
    starts_at: datetime
    ends_at: datetime | None = None
    place: str | None = None
    online_tool: str = "none"
    language: str = "ja"
    join_url: str | None = None  # https:// link of the online meeting
    notes: str | None = None  # for the participants; goes into the invitation
    logins: Sequence[str] = ()  # staff participants
    externals: Sequence[str] = ()  # "Name" or "Name / Affiliation"
    agenda: Sequence[str] = ()


def _text(value, name: str, limit: int, *, required: bool = False) -> str | None:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(str(_l("This value must be text.")), field=name)
    value = value.strip()
    if not value:
        if required:
            raise DomainError(str(_l("This field is required.")), field=name)
        return None
    if len(value) > limit:
        raise DomainError(str(_l("At most %(n)d characters.", n=limit)), field=name)
    if has_hidden_characters(value):
        raise DomainError(str(_l("Remove the control characters from this text.")), field=name)
    return value


def _lines(values: Iterable[str] | str, name: str, limit: int, count: int) -> list[str]:
    if isinstance(values, str):
        values = values.splitlines()
    out = [v for v in (_text(v, name, limit) for v in values) if v]
    if len(out) > count:
        raise DomainError(str(_l("At most %(n)d entries.", n=count)), field=name)
    return out


def _users(logins: Iterable[str] | str) -> list[User]:
    names = _lines(logins, "participants", MAX_LOGIN, MAX_PARTICIPANTS)
    wanted = list(dict.fromkeys(n.lower() for n in names))
    found = {u.login.lower(): u for u in db.session.scalars(
        select(User).where(User.login.in_(wanted)))} if wanted else {}
    missing = [n for n in wanted if n not in found]
    if missing:
        raise DomainError(str(_l("No user with the login ID %(login)s.",
                                 login=", ".join(missing)[:200])), field="participants")
    return [found[n] for n in wanted]


def _externals(values: Iterable[str] | str) -> list[tuple[str, str | None]]:
    out = []
    for line in _lines(values, "externals", MAX_NAME + MAX_AFFILIATION + 3, MAX_PARTICIPANTS):
        name, _sep, affiliation = line.partition("/")
        name = _text(name, "externals", MAX_NAME)
        if not name:
            raise DomainError(str(_l("Write the name before the '/'.")), field="externals")
        out.append((name, _text(affiliation, "externals", MAX_AFFILIATION)))
    return out


def _check(data: MeetingData) -> None:
    if not isinstance(data.starts_at, datetime) or data.starts_at.tzinfo is None:
        raise DomainError(str(_l("Enter the date and time the meeting starts.")),
                          field="starts_at")
    if data.ends_at is not None and data.ends_at <= data.starts_at:
        raise DomainError(str(_l("The end must be after the start.")), field="ends_at")
    if data.online_tool not in ONLINE_TOOLS:
        raise DomainError(str(_l("Choose an online tool from the list.")), field="online_tool")
    if data.language not in LANGUAGES:
        raise DomainError(str(_l("Choose a language from the list.")), field="language")


def _join_url(value) -> str | None:
    """An https:// link with a host, nothing else (it is shown as a link and put into
    invitations: no javascript:, no plain http on a city network)."""
    url = _text(value, "join_url", MAX_JOIN_URL)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() != "https" or not parts.hostname or " " in url \
            or parts.username or parts.password:
        raise DomainError(str(_l("Give the meeting's link as an https:// address.")),
                          field="join_url")
    return url


def _apply(meeting: Meeting, data: MeetingData) -> None:
    title = _text(data.title, "title", MAX_TITLE, required=True)
    place = _text(data.place, "place", MAX_PLACE)
    join_url = _join_url(data.join_url)
    notes = clean_text(data.notes, str(_l("Notes")), MAX_NOTES, multiline=True, name="notes")
    _check(data)
    users = _users(data.logins)
    externals = _externals(data.externals)
    agenda = _lines(data.agenda, "agenda", MAX_AGENDA_TITLE, MAX_AGENDA)
    if len(users) + len(externals) > MAX_PARTICIPANTS:
        raise DomainError(str(_l("At most %(n)d entries.", n=MAX_PARTICIPANTS)),
                          field="participants")
    for rule in CHANGE_RULES:
        rule(meeting, data, len(users) + len(externals))
    meeting.title, meeting.place = title, place
    meeting.join_url, meeting.notes = join_url, notes
    meeting.starts_at, meeting.ends_at = data.starts_at, data.ends_at
    meeting.online_tool, meeting.language = data.online_tool, data.language
    # The rows of people who stay are kept (with who attended, for the minutes' 出席者/欠席者).
    old = {(p.user_id, None if p.user_id else p.name): p for p in meeting.participants}
    rows = [old.get((u.id, None)) or MeetingParticipant(user_id=u.id) for u in users]
    for name, affiliation in externals:
        row = old.get((None, name)) or MeetingParticipant(name=name)
        row.affiliation = affiliation
        rows.append(row)
    for position, row in enumerate(rows):
        row.position = position
    meeting.participants = rows
    old_agenda = {a.title: a for a in meeting.agenda}
    items = []
    for position, text in enumerate(agenda):
        item = old_agenda.pop(text, None) or AgendaItem(title=text)
        item.position = position
        items.append(item)
    meeting.agenda = items


def create_meeting(actor: User, data: MeetingData) -> Meeting:
    """Create a meeting organised by ``actor`` in their department."""
    if not can_create_meeting(actor):
        raise Forbidden(str(_l("Only secretaries, managers and administrators create "
                               "meetings.")))
    meeting = Meeting(organiser_id=actor.id, department_id=actor.department_id)
    _apply(meeting, data)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def update_meeting(meeting: Meeting, actor: User, data: MeetingData) -> Meeting:
    if not can_manage_meeting(actor, meeting):
        raise Forbidden(str(_l("Only the organiser, the department's secretaries and "
                               "administrators change this meeting.")))
    _apply(meeting, data)
    _flush_or_conflict()
    return meeting


def _flush_or_conflict() -> None:
    """Flush in a savepoint: when the database refuses the change because of a row another
    request saved in the meantime (a licence booked at the same moment), this change alone is
    undone and the person gets a message instead of an error page."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise Conflict(str(_l("Another change was saved at the same moment and this one "
                              "conflicts with it. Reload the page and try again."))) from exc


def meeting_data(meeting: Meeting) -> MeetingData:
    """The meeting as form data (for the edit form)."""
    return MeetingData(
        title=meeting.title, starts_at=meeting.starts_at, ends_at=meeting.ends_at,
        place=meeting.place, online_tool=meeting.online_tool, language=meeting.language,
        join_url=meeting.join_url, notes=meeting.notes,
        logins=[p.user.login for p in meeting.participants if p.user is not None],
        externals=[p.name + (f" / {p.affiliation}" if p.affiliation else "")
                   for p in meeting.participants if p.user_id is None and p.name],
        agenda=[a.title for a in meeting.agenda])


def get_meeting(meeting_id: int, user: User, *, manage: bool = False,
                refusal: str | None = None) -> Meeting:
    """The meeting if ``user`` may see (or, with ``manage``, manage) it: 404 / 403 otherwise.

    ``refusal`` replaces the message of the 403 for managing, to name what is being changed.
    """
    meeting = db.session.get(Meeting, meeting_id) if fits_id(meeting_id) else None
    if meeting is None:
        raise NotFound(str(_l("No such meeting.")))
    if not can_view_meeting(user, meeting):
        raise Forbidden(str(_l("You may not see this meeting.")))
    if manage and not can_manage_meeting(user, meeting):
        raise Forbidden(refusal or str(_l("Only the organiser, the department's secretaries "
                                          "and administrators change this meeting.")))
    return meeting


SCOPES = ("mine", "department")


def meetings_query(user: User, scope: str = "mine") -> Select:
    """Meetings ``user`` may see, newest first: ``mine`` (organised or attended) or
    ``department`` (everything they may see, e.g. a secretary's department)."""
    stmt = select(Meeting).where(visible_meetings(user))
    if scope == "mine":
        mine = select(MeetingParticipant.meeting_id).where(MeetingParticipant.user_id == user.id)
        stmt = stmt.where((Meeting.organiser_id == user.id) | Meeting.id.in_(mine))
    return stmt.order_by(Meeting.starts_at.desc(), Meeting.id.desc())
