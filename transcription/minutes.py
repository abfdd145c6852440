"""The minutes (議事録) of a meeting in the layout Japanese offices use.

会議名, 日時, 場所, 出席者 and 欠席者 (participants' attended flag), 議題 come from the meeting
itself, always current; 議事内容 (per agenda item), 決定事項, 今後の予定・宿題, 次回予定 and 記録者
are text sections of ``Minutes.body_json``. A draft is generated from the transcript at a
chosen text level, with decisions and action items suggested by rules (決定/了承/承認,
〜までに, お願いします; decided, agreed, by <date>) for the secretary to keep or delete; then
each section is edited on its own with the version lock of the segments (a stale save is
refused and keeps the text). Drafts are for the organiser and the secretaries; final minutes
for everyone who may see the meeting.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from transcription.editing import (
    StaleEdit,
    check_level,
    clean_input,
    current_transcript,
    level_text,
    parse_version,
    speaker_name,
)
from transcription.models import Minutes
from workhub.clock import office_zone
from workhub.errors import Conflict, DomainError, NotFound
from workhub.extensions import db
from workhub.meetings.models import Meeting
from workhub.meetings.permissions import can_manage_meeting, can_view_meeting
from workhub.org.models import User

MAX_SECTION = 20_000
HEADINGS = {
    "title": "会議名", "when": "日時", "place": "場所", "attendees": "出席者",
    "absentees": "欠席者", "agenda": "議題", "discussion": "議事内容", "decisions": "決定事項",
    "actions": "今後の予定・宿題", "next_meeting": "次回予定", "recorder": "記録者",
}
TEXT_SECTIONS = ("decisions", "actions", "next_meeting", "recorder")
TOOLS = {"teams": "Microsoft Teams", "zoom": "Zoom", "webex": "Webex", "other": "オンライン"}
WEEKDAYS = "月火水木金土日"
_DECISION = re.compile(r"決定|決まり|決めます|了承|承認|合意|\b(?:decided|agreed|approved)\b",
                       re.IGNORECASE)
_ACTION = re.compile(r"までに|お願いします|お願いいたします|お願いできますか|宿題|対応します|"
                     r"\bby (?:monday|tuesday|wednesday|thursday|friday|next|the end|\d)|"
                     r"\b(?:will|please)\b", re.IGNORECASE)
_DUE = re.compile(r"(\d{1,2}月\d{1,2}日|来週\S{0,3}曜日?|今週中|今月中|来月|月末|"
                  r"by [A-Z]?[a-z]+day|by \d{1,2}/\d{1,2})")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
# Whom a request is addressed to: 「田中さん、…」「広報課長、…」「Tanaka, please …」.
_ADDRESSEE = re.compile(r"^\s*([^\s、,。]{1,12}?(?:さん|様|課長|係長|部長|主任|局長|室長))[、,]|"
                        r"^\s*([A-Z][a-z]+), (?=please\b|could you\b|can you\b)")
_REQUEST = re.compile(r"お願い|ください|\bplease\b|\bcould you\b|\bcan you\b", re.IGNORECASE)


@dataclass
class MinutesDocument:
    """Everything a rendering (page, txt, md, docx) needs, headings in Japanese."""

    title: str
    when: str
    place: str
    attendees: list[str]
    absentees: list[str]
    agenda: list[str]
    items: list[dict] = field(default_factory=list)  # {"agenda", "discussion"}
    decisions: str = ""
    actions: str = ""
    next_meeting: str = ""
    recorder: str = ""
    status: str = "draft"


def japanese_datetime(start: datetime, end: datetime | None) -> str:
    """「2026年11月27日（金）10:00〜11:30」 in the office's time zone (Japan by default)."""
    zone = office_zone()
    local = start.astimezone(zone)
    text = f"{local.year}年{local.month}月{local.day}日（{WEEKDAYS[local.weekday()]}）" \
           f"{local:%H:%M}"
    return text + (f"〜{end.astimezone(zone):%H:%M}" if end else "")


def _person(participant) -> str:
    name = participant.user.display_name if participant.user else (participant.name or "")
    return f"{name}（{participant.affiliation}）" if participant.affiliation else name


def body(minutes: Minutes | None) -> dict:
    """The stored sections (empty ones when there are no minutes)."""
    try:
        data = json.loads(minutes.body_json) if minutes else {}
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


def document(meeting: Meeting, minutes: Minutes | None) -> MinutesDocument:
    """The minutes of ``meeting`` as shown and exported."""
    data = body(minutes)
    stored = data.get("items") or []
    items = [{"agenda": a.title, "discussion": (stored[i].get("discussion", "")
                                                if i < len(stored) else "")}
             for i, a in enumerate(meeting.agenda)]
    if not items:  # no agenda: one unnamed item holds the discussion
        items = [{"agenda": "", "discussion": stored[0].get("discussion", "") if stored
                  else ""}]
    return MinutesDocument(
        title=meeting.title, when=japanese_datetime(meeting.starts_at, meeting.ends_at),
        place="、".join(p for p in (meeting.place, TOOLS.get(meeting.online_tool)) if p),
        attendees=[_person(p) for p in meeting.participants if p.attended],
        absentees=[_person(p) for p in meeting.participants if not p.attended],
        agenda=[a.title for a in meeting.agenda], items=items,
        **{key: str(data.get(key) or "") for key in TEXT_SECTIONS},
        status=minutes.status if minutes else "draft")


def get_minutes(meeting: Meeting) -> Minutes | None:
    return db.session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))


def can_view_minutes(user: User | None, meeting: Meeting, minutes: Minutes | None) -> bool:
    """Final minutes: whoever sees the meeting; a draft: the organiser and secretaries."""
    if minutes is not None and minutes.status == "final":
        return can_view_meeting(user, meeting)
    return can_manage_meeting(user, meeting)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def _split_by_agenda(meeting: Meeting, lines: list[tuple[str | None, str]]) -> list[str]:
    """Lines per agenda item: an item starts at the first line (after the previous item's
    start) naming its title; an item never named gets no lines, the first starts at 0."""
    titles = [a.title for a in meeting.agenda] or [""]
    starts: list[int | None] = [0]
    cursor = 0
    for title in titles[1:]:
        found = next((i for i in range(cursor, len(lines)) if title and title in lines[i][1]),
                     None)
        starts.append(found)
        cursor = found if found is not None else cursor
    parts = []
    for i, start in enumerate(starts):
        later = [s for s in starts[i + 1:] if s is not None]
        chunk = [] if start is None else lines[start:later[0] if later else len(lines)]
        parts.append("\n".join(f"{who}：{text}" if who else text for who, text in chunk))
    return parts


def _owner(speaker: str | None, sentence: str) -> str | None:
    """Who an action item falls to: the person a request is addressed to by name; nobody
    named for a request to no one in particular; otherwise the speaker (「対応します」)."""
    addressed = _ADDRESSEE.search(sentence)
    if addressed:
        return addressed.group(1) or addressed.group(2)
    return None if _REQUEST.search(sentence) else speaker


def suggestions(lines: list[tuple[str | None, str]]) -> tuple[str, str]:
    """Decisions and action items found by rules, one 「・」 line each, for a person to keep
    or delete."""
    decisions, actions = [], []
    for who, text in lines:
        for sentence in _sentences(text):
            if _DECISION.search(sentence):
                decisions.append(f"・{sentence}")
            elif _ACTION.search(sentence):
                due = _DUE.search(sentence)
                owner = _owner(who, sentence)
                extra = "、".join(x for x in (f"担当: {owner}" if owner else "",
                                              f"期限: {due.group(1)}" if due else "") if x)
                actions.append(f"・{sentence}" + (f"（{extra}）" if extra else ""))
    return "\n".join(decisions), "\n".join(actions)


def generate_draft(meeting: Meeting, user: User, *, level: str | None = "edited",
                   version=None) -> Minutes:
    """Write a draft from the transcript at ``level``, replacing the sections of an
    existing draft loaded at ``version`` (a stale one is refused; final minutes too)."""
    level = check_level(level)
    transcript = current_transcript(meeting)
    if transcript is None:
        raise DomainError(_("There is no transcript yet to draft the minutes from."),
                          code="no_transcript")
    minutes = get_minutes(meeting)
    if minutes is not None:
        _check_version(minutes, version, kept=None)
        if minutes.status == "final":
            raise Conflict(_("The minutes are final; reopen them to draft again."))
    lines = [(speaker_name(s.speaker), level_text(s, level).strip())
             for s in transcript.segments]
    lines = [(who, text) for who, text in lines if text]
    decisions, actions = suggestions(lines)
    old = body(minutes)
    data = {"items": [{"agenda": a, "discussion": d} for a, d in zip(
        [a.title for a in meeting.agenda] or [""], _split_by_agenda(meeting, lines),
        strict=True)],
        "decisions": decisions, "actions": actions,
        "next_meeting": old.get("next_meeting", ""),
        "recorder": old.get("recorder") or user.display_name}
    if minutes is None:
        minutes = Minutes(meeting_id=meeting.id, status="draft")
        db.session.add(minutes)
    minutes.body_json = json.dumps(data, ensure_ascii=False)
    minutes.level, minutes.updated_by_id = level, user.id
    return _flush(minutes, kept=None)


def _check_version(minutes: Minutes, version, *, kept: str | None) -> None:
    if minutes.version != parse_version(version):
        raise _stale(minutes, kept)


def _stale(minutes: Minutes, kept: str | None) -> StaleEdit:
    return StaleEdit(_("Someone else changed the minutes after you opened them. Your text is "
                       "kept here: compare it with the current one and save again."),
                     kept=kept, current={"version": minutes.version, "status": minutes.status})


def _flush(minutes: Minutes, *, kept: str | None) -> Minutes:
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        fresh = db.session.get(Minutes, minutes.id)
        raise _stale(fresh or minutes, kept) from None
    return minutes


def section_names(meeting: Meeting) -> list[str]:
    """The editable sections: ``discussion:<n>`` per agenda item, then the text sections."""
    return [f"discussion:{i}" for i in range(max(1, len(meeting.agenda)))] + list(TEXT_SECTIONS)


def edit_section(meeting: Meeting, minutes: Minutes, user: User, *, section: str,
                 text: str | None, version) -> Minutes:
    """Save one section of draft minutes loaded at ``version``."""
    if section not in section_names(meeting):
        raise NotFound(_("No such section of the minutes."))
    clean = clean_input(text, limit=MAX_SECTION, field="text")
    _check_version(minutes, version, kept=text)
    if minutes.status == "final":
        raise Conflict(_("The minutes are final; reopen them to edit."))
    data = body(minutes)
    if section.startswith("discussion:"):
        index = int(section.split(":", 1)[1])
        items = list(data.get("items") or [])
        while len(items) <= index:
            items.append({"agenda": "", "discussion": ""})
        items[index] = dict(items[index]) | {"discussion": clean}
        data["items"] = items
    else:
        data[section] = clean
    minutes.body_json = json.dumps(data, ensure_ascii=False)
    minutes.updated_by_id = user.id
    return _flush(minutes, kept=text)


def set_status(minutes: Minutes, user: User, *, status: str, version) -> Minutes:
    """Make the minutes final, or reopen final minutes as a draft."""
    if status not in ("draft", "final"):
        raise DomainError(_("Unknown status."), field="status")
    _check_version(minutes, version, kept=None)
    minutes.status, minutes.updated_by_id = status, user.id
    return _flush(minutes, kept=None)
