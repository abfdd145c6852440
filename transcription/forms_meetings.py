"""Forms of the meeting pages: the meeting itself (times in the office's time zone) and the
small CSRF-only forms of the upload, cancel and retry buttons."""

from __future__ import annotations

from datetime import datetime, time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from workhub.clock import office_zone
from workhub.meetings.services import (
    MAX_AGENDA_TITLE,
    MAX_JOIN_URL,
    MAX_NOTES,
    MAX_PLACE,
    MAX_TITLE,
    MeetingData,
)

ONLINE_TOOL_LABELS = {
    "none": _l("None (in person)"), "teams": _l("Microsoft Teams"), "zoom": _l("Zoom"),
    "webex": _l("Webex"), "other": _l("Other"),
}
LANGUAGE_LABELS = {"ja": _l("Japanese"), "en": _l("English"), "auto": _l("Detect automatically")}


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in labels.items()]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class MeetingForm(FlaskForm):
    title = StringField(_l("Title"), filters=[_strip], validators=[
        DataRequired(_l("Enter the meeting's title.")),
        Length(max=MAX_TITLE, message=_l("At most %(max)d characters."))])
    day = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date, e.g. 2026-04-30."))])
    start = TimeField(_l("Starts at"),
                      validators=[DataRequired(_l("Enter the time it starts, e.g. 10:00."))])
    end = TimeField(_l("Ends at (optional)"), validators=[Optional()])
    place = StringField(_l("Place (optional)"), filters=[_strip], validators=[
        Length(max=MAX_PLACE, message=_l("At most %(max)d characters."))])
    online_tool = SelectField(_l("Online tool"), choices=_choices(ONLINE_TOOL_LABELS),
                              default="none")
    join_url = StringField(_l("Link to join (optional)"), filters=[_strip],
                           render_kw={"inputmode": "url", "placeholder": "https://"},
                           validators=[Length(max=MAX_JOIN_URL,
                                              message=_l("At most %(max)d characters."))],
                           description=_l("The online meeting's https:// address; it goes into "
                                          "the invitation."))
    notes = TextAreaField(_l("Notes for the participants (optional)"), render_kw={"rows": 3},
                          validators=[Length(max=MAX_NOTES,
                                             message=_l("At most %(max)d characters."))])
    language = SelectField(_l("Language of the recording"), choices=_choices(LANGUAGE_LABELS),
                           default="ja")
    participants = TextAreaField(
        _l("Participants from the staff (login IDs)"), render_kw={"rows": 3},
        description=_l("One login ID per line."))
    externals = TextAreaField(
        _l("Other participants"), render_kw={"rows": 3},
        description=_l("One per line: a name, optionally followed by ' / ' and the "
                       "organisation."))
    agenda = TextAreaField(_l("Agenda"), render_kw={"rows": 4},
                           description=_l("One item per line (at most %(n)d characters each).",
                                          n=MAX_AGENDA_TITLE))

    def data_for_service(self) -> MeetingData:
        zone = office_zone()
        starts = datetime.combine(self.day.data, self.start.data, tzinfo=zone)
        ends = (datetime.combine(self.day.data, self.end.data, tzinfo=zone)
                if isinstance(self.end.data, time) else None)
        return MeetingData(
            title=self.title.data or "", starts_at=starts, ends_at=ends, place=self.place.data,
            online_tool=self.online_tool.data, language=self.language.data,
            join_url=self.join_url.data or None, notes=self.notes.data or None,
            logins=(self.participants.data or "").splitlines(),
            externals=(self.externals.data or "").splitlines(),
            agenda=(self.agenda.data or "").splitlines())

    def fill(self, data: MeetingData) -> None:
        zone = office_zone()
        starts = data.starts_at.astimezone(zone)
        self.title.data, self.day.data, self.start.data = data.title, starts.date(), starts.time()
        self.end.data = data.ends_at.astimezone(zone).time() if data.ends_at else None
        self.place.data, self.online_tool.data = data.place, data.online_tool
        self.language.data = data.language
        self.join_url.data, self.notes.data = data.join_url, data.notes
        self.participants.data = "\n".join(data.logins)
        self.externals.data = "\n".join(data.externals)
        self.agenda.data = "\n".join(data.agenda)


class ActionForm(FlaskForm):
    """Only the CSRF token (upload, cancel, retry)."""
