"""Forms of the booking, approval and calendar pages.

The forms check the shape of the input (dates, numbers, choices, lengths, plain text); the
booking rules themselves live in ``workhub.telework.bookings``.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from workhub.admin.forms import DateRange, MultiCheckboxField, PlainText
from workhub.fields import DayField, WholeNumberField
from workhub.telework.bookings import MAX_WEEKS, PLACE_LABELS, SLOT_LABELS

MODES = ("single", "range", "weekly")
WEEKDAY_LABELS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"),
                  _l("Friday"))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class WeekdaysField(MultiCheckboxField):
    """Checkboxes for Monday to Friday (0–4); anything else is refused with our message."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The forms macro draws a fieldset of checkboxes for this type name.
        self.type = "MultiCheckboxField"

    def process_formdata(self, valuelist):
        try:
            self.data = [int(v) for v in valuelist]
        except ValueError:
            self.data = None
            raise ValueError(_l("Choose days of the week from the list.")) from None

    def pre_validate(self, form):
        known = {value for value, _label in self.choices}
        if self.data and not set(self.data) <= known:
            raise ValidationError(_l("Choose days of the week from the list."))


class BookingForm(FlaskForm):
    """Book one day, a range of days or a weekly pattern."""

    mode = SelectField(
        _l("Which days"),
        choices=lambda: [("single", _l("One day")), ("range", _l("A range of days")),
                         ("weekly", _l("Every week, for some weeks"))],
        default="single",
        validate_choice=False,
    )
    start = DayField(
        _l("Day, or first day"),
        validators=[InputRequired(message=_l("Enter the day.")), DateRange()],
        render_kw={"type": "date"},
    )
    end = DayField(
        _l("Last day (for a range)"),
        validators=[Optional(), DateRange()],
        render_kw={"type": "date"},
        description=_l("Weekends and public holidays in the range are skipped."),
    )
    weeks = WholeNumberField(
        _l("Number of weeks (for every week)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_WEEKS,
                                            message=_l("Between %(min)d and %(max)d."))],
        render_kw={"inputmode": "numeric", "min": 1, "max": MAX_WEEKS},
    )
    weekdays = WeekdaysField(
        _l("Days of the week (for every week)"),
        choices=lambda: list(enumerate(WEEKDAY_LABELS)),
        coerce=int,
    )
    slot = SelectField(_l("Slot"), choices=lambda: list(SLOT_LABELS.items()), default="full",
                       validate_choice=False)
    place = SelectField(_l("Place"), choices=lambda: list(PLACE_LABELS.items()),
                        default="home", validate_choice=False)
    place_note = StringField(
        _l("Place note"),
        filters=[_strip],
        validators=[Length(max=200, message=_l("At most %(max)d characters.")), PlainText()],
        description=_l("Required for another place: where you will work."),
    )
    purpose = TextAreaField(
        _l("Purpose"),
        filters=[_strip],
        validators=[Length(max=500, message=_l("At most %(max)d characters."))],
        render_kw={"rows": 2},
    )
    # HR and administrators only (the view removes these for everyone else).
    for_login = StringField(
        _l("For someone else (login ID)"),
        filters=[_strip],
        validators=[Length(max=64, message=_l("At most %(max)d characters.")), PlainText()],
        description=_l("Leave empty to book for yourself."),
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    override_reason = TextAreaField(
        _l("Reason to override the rules"),
        filters=[_strip],
        validators=[Length(max=500, message=_l("At most %(max)d characters."))],
        description=_l("Only when booking for someone else: lets the booking through the "
                       "deadline, weekend, holiday and maximum-days rules. Recorded in the "
                       "audit log."),
        render_kw={"rows": 2},
    )

    def validate_mode(self, field):
        if field.data not in MODES:
            raise ValidationError(_l("Choose one day, a range or every week."))

    def validate_slot(self, field):
        if field.data not in SLOT_LABELS:
            raise ValidationError(_l("Choose a full day, morning or afternoon."))

    def validate_place(self, field):
        if field.data not in PLACE_LABELS:
            raise ValidationError(_l("Choose home, a satellite office or another place."))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        # What each way of booking needs (Optional() ends a field's own checks when empty).
        needs = {"range": [(self.end, _l("Enter the last day of the range."))],
                 "weekly": [(self.weeks, _l("Enter the number of weeks.")),
                            (self.weekdays, _l("Choose at least one day of the week."))]}
        for field, message in needs.get(self.mode.data, []):
            if not field.data and not field.errors:
                field.errors = [*field.errors, message]
                ok = False
        return ok

    def validate_place_note(self, field):
        if self.place.data == "other" and not field.data:
            raise ValidationError(_l("Say where you will work."))

    def validate_override_reason(self, field):
        for_login = getattr(self, "for_login", None)
        if field.data and (for_login is None or not for_login.data):
            raise ValidationError(_l("Rules can only be overridden when booking for someone "
                                     "else."))

    def request(self) -> dict:
        """The service arguments for the chosen way of booking."""
        start: date = self.start.data
        args = {"start": start, "end": None, "weeks": None, "weekdays": None}
        if self.mode.data == "range":
            args["end"] = self.end.data
        elif self.mode.data == "weekly":
            args["end"] = date.fromordinal(start.toordinal() + 6)
            args["weeks"] = self.weeks.data
            args["weekdays"] = self.weekdays.data
        return args


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        filters=[_strip],
        validators=[Length(max=500, message=_l("At most %(max)d characters."))],
        description=_l("Required when you cancel someone else's booking; they are told."),
        render_kw={"rows": 2},
    )


class DecisionForm(FlaskForm):
    """Approve or reject one booking; a rejection needs a comment (the service says so)."""

    comment = TextAreaField(
        _l("Comment"),
        filters=[_strip],
        validators=[Length(max=500, message=_l("At most %(max)d characters."))],
        render_kw={"rows": 1},
    )
    # Which page to show again when the decision cannot be made: "approvals" or "booking".
    back = HiddenField(default="approvals")


class BulkApproveForm(FlaskForm):
    comment = StringField(
        _l("Comment for the approved bookings (optional)"),
        filters=[_strip],
        validators=[Length(max=500, message=_l("At most %(max)d characters.")), PlainText()],
    )


class FeedForm(FlaskForm):
    """Ask for a calendar feed URL: your own, or (managers) a department's."""

    scope = HiddenField(default="person")
    department = SelectField(_l("Department"), choices=[], validate_choice=False)


class EmptyForm(FlaskForm):
    """Only the CSRF token: for POST buttons."""
