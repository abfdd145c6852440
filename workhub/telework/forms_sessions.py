"""Forms of the session log, month close, targets and policy pages.

The forms check only the shape of the input (something was entered, a number looks like a
number); the rules (times, overlaps, closed months, ranges) are the services' and come back
as their messages.
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from workhub.telework.bookings import PLACE_LABELS
from workhub.telework.models import PLACES
from workhub.telework.months import MAX_REASON_LENGTH
from workhub.telework.sessions import MAX_REPORT_LENGTH

_CLOCK = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def place_choices() -> list[SelectChoice]:
    return [SelectChoice(place, PLACE_LABELS[place]) for place in PLACES]


def whole_number(text: str | None) -> int | None | str:
    """``text`` as an int (full-width digits too), None when empty, else the text itself
    (so the service refuses it with its own message)."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= 12:
        return int(text)
    return text


def clock_minutes(text: str | None) -> int | None:
    """Minutes after midnight of "HH:MM", or None when it is not a time of day."""
    match = _CLOCK.match(unicodedata.normalize("NFKC", text or "").strip())
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    return int(match.group(1)) * 60 + int(match.group(2))


class WholeNumber:
    """Empty, or a whole number of 0 and more (the range is the service's to check)."""

    def __call__(self, form, field):
        value = whole_number(field.data)
        if isinstance(value, str):
            raise ValidationError(_l("Enter a whole number, or leave it empty."))


def _report_field(field_id: str | None = None):
    return TextAreaField(
        _l("Work report"),
        # The length and character rules are the service's (clean_report); this limit only
        # keeps absurd posts out of the page that comes back.
        validators=[Length(max=MAX_REPORT_LENGTH * 4,
                           message=_l("At most %(max)d characters."))],
        description=_l("Optional. A few lines on what you worked on."),
        render_kw={"rows": 3, "maxlength": MAX_REPORT_LENGTH}, id=field_id,
    )


def _place_field(field_id: str | None = None):
    # A post without the field is refused, not silently taken as "home".
    return SelectField(_l("Place"), choices=place_choices, validate_choice=False,
                       default="home", id=field_id, validators=[InputRequired(
                           message=_l("Choose a place: home, satellite office or other."))])


def _clock_field(label, *, required: bool = True):
    validators = [DataRequired(message=_l("Enter the time (HH:MM)."))] if required else []
    return StringField(label, filters=[_strip], validators=validators,
                       render_kw={"type": "time", "inputmode": "numeric"})


# --- sessions --------------------------------------------------------------------------------


class StartForm(FlaskForm):
    """The big Start button, with where the work happens. (Its ids differ from the entry
    form's, which is on the same page.)"""

    place = _place_field("start-place")


class StopForm(FlaskForm):
    """The big Stop button, with the short report."""

    report = _report_field("stop-report")


class EntryForm(FlaskForm):
    """A session entered after the fact."""

    day = StringField(_l("Date"), name="date", filters=[_strip],
                      validators=[DataRequired(message=_l("Enter the date."))],
                      render_kw={"type": "date"})
    start = _clock_field(_l("Start"))
    end = _clock_field(_l("End"))
    place = _place_field()
    booking = SelectField(
        _l("Booking"), choices=[], validate_choice=False, default="",
        description=_l("Leave it on automatic: the approved booking of that day is used."),
    )
    report = _report_field()

    def validate_booking(self, field):
        value = field.data or ""
        if value and not (value.isascii() and value.isdigit() and len(value) <= 12):
            raise ValidationError(_l("Choose one of your approved bookings."))


class SessionEditForm(FlaskForm):
    """A change to a session (its owner, or HR/admin as a correction)."""

    day = StringField(_l("Date"), name="date", filters=[_strip],
                      validators=[DataRequired(message=_l("Enter the date."))],
                      render_kw={"type": "date"})
    start = _clock_field(_l("Start"))
    end = _clock_field(_l("End"), required=False)
    place = _place_field()
    report = _report_field()


class EmptyForm(FlaskForm):
    """Only the CSRF token: for delete and clear buttons."""


# --- month close -----------------------------------------------------------------------------


class CloseMonthForm(FlaskForm):
    month = StringField(_l("Month"), filters=[_strip],
                        validators=[DataRequired(message=_l("Enter the month (YYYY-MM)."))],
                        render_kw={"type": "month", "placeholder": "YYYY-MM"})


class ReopenMonthForm(FlaskForm):
    month = SelectField(_l("Closed month"), choices=[], validate_choice=False,
                        id="reopen-month")
    reason = TextAreaField(
        _l("Reason for reopening"), filters=[_strip],
        validators=[DataRequired(message=_l("Give a reason.")),
                    Length(max=MAX_REASON_LENGTH, message=_l("At most %(max)d characters."))],
        description=_l("Kept in the audit log."),
        render_kw={"rows": 2, "maxlength": MAX_REASON_LENGTH},
    )


# --- targets ---------------------------------------------------------------------------------


class MonthPickForm(FlaskForm):
    """Which month to show (a GET form: nothing changes, no CSRF token)."""

    class Meta:
        csrf = False

    month = StringField(_l("Month"), filters=[_strip],
                        render_kw={"type": "month", "placeholder": "YYYY-MM"})


def _target_field(label):
    return StringField(label, filters=[_strip], validators=[WholeNumber()],
                       render_kw={"type": "number", "min": 0, "step": 1,
                                  "inputmode": "numeric"})


class TargetsForm(FlaskForm):
    """The organisation target; one field per department is added by ``targets_form``."""

    # Not called "month": the service's month errors are shown above the form, not beside
    # a hidden field.
    for_month = HiddenField(name="month", id="targets-month")
    org_target = _target_field(_l("Organisation target (sessions)"))


def targets_form(departments, **kwargs) -> TargetsForm:
    """A TargetsForm with a field ``dept_<id>`` for each of ``departments``, labelled with
    (id, label) pairs given in tree order."""

    class Form(TargetsForm):
        pass

    for dept_id, label in departments:
        setattr(Form, f"dept_{dept_id}", _target_field(label))
    return Form(**kwargs)


class TargetsImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(message=_l("Choose a CSV file."))],
        description=_l("Columns month,department,target; an empty department is the whole "
                       "organisation. UTF-8 or Shift_JIS."),
        render_kw={"accept": ".csv,text/csv"},
    )


# --- policies --------------------------------------------------------------------------------


def _limit_field(label, description=None):
    return StringField(label, filters=[_strip], validators=[WholeNumber()],
                       description=description,
                       render_kw={"type": "number", "min": 0, "step": 1,
                                  "inputmode": "numeric"})


class PolicyForm(FlaskForm):
    max_days_per_week = _limit_field(_l("Maximum remote days per week"),
                                     _l("Empty: no limit."))
    max_days_per_month = _limit_field(_l("Maximum remote days per month"),
                                      _l("Empty: no limit."))
    deadline_business_days = _limit_field(
        _l("Business days before the day"),
        _l("Bookings close this many business days before the remote day (0: the day "
           "itself)."))
    deadline_time = StringField(
        _l("Deadline time"), filters=[_strip],
        validators=[DataRequired(message=_l("Enter the time (HH:MM)."))],
        description=_l("Japan time, on that business day."),
        render_kw={"type": "time", "inputmode": "numeric"},
    )
    approval_required = BooleanField(_l("Approval required"))
    warn_share_percent = _limit_field(
        _l("Warning share of the department (%)"),
        _l("Warn when more of the department would be remote on one day. Empty: no warning."))
    allow_unplanned_sessions = BooleanField(
        _l("Sessions without a booking allowed"),
        description=_l("They are counted and marked as unplanned."))

    def validate_deadline_time(self, field):
        if clock_minutes(field.data) is None:
            raise ValidationError(_l("Give the time as HH:MM between 00:00 and 23:59."))

    def values(self) -> dict:
        """The values for ``policy.set_policy``."""
        return {
            "max_days_per_week": whole_number(self.max_days_per_week.data),
            "max_days_per_month": whole_number(self.max_days_per_month.data),
            "deadline_business_days": whole_number(self.deadline_business_days.data),
            "deadline_minutes": clock_minutes(self.deadline_time.data),
            "approval_required": bool(self.approval_required.data),
            "warn_share_percent": whole_number(self.warn_share_percent.data),
            "allow_unplanned_sessions": bool(self.allow_unplanned_sessions.data),
        }
