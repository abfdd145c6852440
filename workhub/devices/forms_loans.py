"""Forms of the loan and request pages. They check the shape of the input (dates, lengths,
choices, plain text); the lending rules live in ``allocations`` and ``device_requests``."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from workhub.admin.forms import DateRange, PlainText
from workhub.devices.allocations import MAX_KIT_ITEMS, MAX_NOTES
from workhub.devices.device_requests import MAX_COMMENT, MAX_PURPOSE
from workhub.devices.loan_labels import CONDITION_LABELS, KIND_LABELS
from workhub.devices.models import REQUEST_KINDS
from workhub.fields import DayField

# Asset tags and line numbers are separated by spaces, commas (also Japanese ones) or lines.
_SEPARATORS = re.compile(r"[\s,、，;；]+")
MAX_TOKEN = 64


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def split_items(text: str | None) -> list[str]:
    """The asset tags or line numbers typed in one box, in order, without repeats."""
    return list(dict.fromkeys(t for t in _SEPARATORS.split(text or "") if t))


class ItemList:
    """At most MAX_KIT_ITEMS names, each of a sensible length, no control characters."""

    def __call__(self, form, field):
        items = split_items(field.data)
        if len(items) > MAX_KIT_ITEMS:
            raise ValidationError(_l("A kit holds at most %(n)d items.", n=MAX_KIT_ITEMS))
        if any(len(t) > MAX_TOKEN for t in items):
            raise ValidationError(_l("An asset tag or line number is at most %(n)d "
                                     "characters.", n=MAX_TOKEN))


def _notes(label, max_length: int, description=None):
    return TextAreaField(label, filters=[_strip], description=description,
                         validators=[Length(max=max_length,
                                            message=_l("At most %(max)d characters."))],
                         render_kw={"rows": 3, "maxlength": max_length})


class AllocateForm(FlaskForm):
    """Lend one device, one line or a kit to one person."""

    login = StringField(_l("Person (login ID)"), filters=[_strip],
                        validators=[DataRequired(_l("Enter the login ID of the person.")),
                                    Length(max=64, message=_l("No account has this login ID.")),
                                    PlainText()],
                        render_kw={"autocomplete": "off"})
    devices = StringField(
        _l("Devices (asset tags)"), filters=[_strip],
        validators=[Length(max=1000, message=_l("At most %(max)d characters.")), ItemList()],
        description=_l("One or more asset tags, separated by spaces or commas. Several items "
                       "make a kit: all are lent together or none."))
    lines = StringField(
        _l("Lines (phone numbers, data-line IDs or ICCIDs)"), filters=[_strip],
        validators=[Length(max=1000, message=_l("At most %(max)d characters.")), ItemList()])
    include_installed = BooleanField(_l("Also lend the lines installed in these devices"),
                                     default=True)
    due_date = DayField(_l("Expected return date"),
                        validators=[InputRequired(_l("Enter the expected return date.")),
                                    DateRange()],
                        render_kw={"type": "date"})
    handover_notes = _notes(_l("Handover notes"), MAX_NOTES,
                            _l("Accessories, state of the item, anything agreed."))
    request_id = HiddenField()


class ReturnForm(FlaskForm):
    """Record a return: the condition, notes, and whether the whole kit comes back."""

    condition = SelectField(_l("Condition"), choices=lambda: list(CONDITION_LABELS.items()),
                            default="good",
                            validators=[DataRequired(_l("Choose the condition."))])
    notes = _notes(_l("Return notes"), MAX_NOTES,
                   _l("Required when the item is damaged, faulty or lost."))
    whole_kit = BooleanField(_l("Return the whole kit (every item lent with it)"))


class ConfirmForm(FlaskForm):
    """Confirm receipt and accept the loan terms shown (in this version)."""

    terms_version = HiddenField()
    accept = BooleanField(
        _l("I have received the item and accept the loan terms above."),
        validators=[DataRequired(_l("Tick the box to confirm receipt and accept the terms."))])


class RequestForm(FlaskForm):
    """Ask for a device or a line for telework."""

    kind = SelectField(_l("What you need"),
                       choices=lambda: [(k, KIND_LABELS[k]) for k in REQUEST_KINDS],
                       validators=[DataRequired(_l("Choose what you need."))])
    start_date = DayField(_l("From"), validators=[InputRequired(_l("Enter the first day.")),
                                                 DateRange()],
                          render_kw={"type": "date"})
    end_date = DayField(_l("Until (optional)"), validators=[Optional(), DateRange()],
                        render_kw={"type": "date"},
                        description=_l("Leave empty if you need it for an open period."))
    purpose = TextAreaField(
        _l("Purpose"), filters=[_strip],
        validators=[DataRequired(_l("Say what you need it for.")),
                    Length(max=MAX_PURPOSE, message=_l("At most %(max)d characters."))],
        render_kw={"rows": 3, "maxlength": MAX_PURPOSE})


class CommentForm(FlaskForm):
    """A decision, waitlisting or cancellation, with an optional (or required) comment."""

    comment = _notes(_l("Comment"), MAX_COMMENT)


class FulfilForm(FlaskForm):
    """IT lends an item from stock for a request."""

    # Choices (the items of the requested kind in stock) are set by the view; an item taken
    # meanwhile is refused by the service, so the list is not a rule.
    item = SelectField(_l("Item from stock"), validate_choice=False,
                       validators=[DataRequired(_l("Choose an item from stock."))])
    include_installed = BooleanField(_l("Also lend the lines installed in this device"),
                                     default=True)
    due_date = DayField(_l("Expected return date"),
                        validators=[InputRequired(_l("Enter the expected return date.")),
                                    DateRange()],
                        render_kw={"type": "date"})
    handover_notes = _notes(_l("Handover notes"), MAX_NOTES)
