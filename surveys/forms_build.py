"""Forms of the survey builder pages. Field names are the services' (``title_ja``,
``min_group_size`` …) so that a refused value is shown next to its own control.

The forms only carry text; the services decide what is valid. The helpers below turn the
typed text into numbers and times, with a message naming the field when they cannot.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from surveys.layout import TYPE_LABELS
from surveys.rules import parse_moment
from workhub.admin.forms import MultiCheckboxField
from workhub.clock import office_zone
from workhub.errors import DomainError


def _strip(value):
    return value.strip() if isinstance(value, str) else value


STRIP = [_strip]


class SurveyForm(FlaskForm):
    """Titles, descriptions and settings of a survey."""

    title_ja = StringField(_l("Title (Japanese)"), filters=STRIP,
                           render_kw={"maxlength": 200})
    title_en = StringField(_l("Title (English, optional)"), filters=STRIP,
                           render_kw={"maxlength": 200})
    description_ja = TextAreaField(_l("Description (Japanese, optional)"),
                                   render_kw={"rows": 3, "maxlength": 5000})
    description_en = TextAreaField(_l("Description (English, optional)"),
                                   render_kw={"rows": 3, "maxlength": 5000})
    anonymous = BooleanField(
        _l("Anonymous"), description=_l(
            "Answers are stored without the person, department or time, and reach the results "
            "only in groups of at least k. This is fixed when the survey is published."))
    opens_at = StringField(
        _l("Opens (Japan time, optional)"), filters=STRIP,
        render_kw={"type": "datetime-local"},
        description=_l("Leave empty to open when published."))
    closes_at = StringField(
        _l("Closes (Japan time, optional)"), filters=STRIP,
        render_kw={"type": "datetime-local"},
        description=_l("Leave empty to keep it open until you close it."))
    min_group_size = StringField(
        _l("Minimum group size"), filters=STRIP,
        render_kw={"inputmode": "numeric", "maxlength": 4},
        description=_l("Results of groups with fewer respondents are hidden (at least 3). "
                       "Once published it may be raised, not lowered."))
    reminder_days = StringField(
        _l("Remind people who have not answered every … days (optional)"), filters=STRIP,
        render_kw={"inputmode": "numeric", "maxlength": 2})
    editable_until_close = BooleanField(
        _l("People may change their answers until closing (identified surveys)"))


class NewSurveyForm(FlaskForm):
    """Start from a blank survey or from a built-in template."""

    source = RadioField(_l("Start from"), default="blank")
    title_ja = StringField(_l("Title (Japanese)"), filters=STRIP,
                           render_kw={"maxlength": 200},
                           description=_l("For a blank survey; a template brings its own."))


class AudienceForm(FlaskForm):
    """Who is asked: everyone, or departments (with their sub-departments) and roles."""

    mode = RadioField(_l("Who is asked"), choices=[
        SelectChoice("all", _l("Everyone")),
        SelectChoice("some", _l("Chosen departments and roles"))], default="all")
    departments = MultiCheckboxField(_l("Departments"), validate_choice=False)
    include_subtree = BooleanField(_l("Include the departments below them"), default=True)
    roles = MultiCheckboxField(_l("Roles"), validate_choice=False)


class SectionForm(FlaskForm):
    title_ja = StringField(_l("Section title (Japanese)"), filters=STRIP,
                           render_kw={"maxlength": 200})
    title_en = StringField(_l("Section title (English, optional)"), filters=STRIP,
                           render_kw={"maxlength": 200})


class QuestionForm(FlaskForm):
    """A question; ``options_ja``/``options_en`` (one per line) only when adding one."""

    type = SelectField(_l("Type"), choices=[SelectChoice(k, v) for k, v in TYPE_LABELS.items()],
                       validate_choice=False)
    text_ja = TextAreaField(_l("Question (Japanese)"), render_kw={"rows": 2, "maxlength": 500})
    text_en = TextAreaField(_l("Question (English, optional)"),
                            render_kw={"rows": 2, "maxlength": 500})
    help_ja = StringField(_l("Help text (Japanese, optional)"), filters=STRIP,
                          render_kw={"maxlength": 500})
    help_en = StringField(_l("Help text (English, optional)"), filters=STRIP,
                          render_kw={"maxlength": 500})
    required = BooleanField(_l("An answer is required"))
    key = StringField(_l("Key (optional)"), filters=STRIP, render_kw={"maxlength": 40},
                      description=_l("Names the question in exports and the API: a–z, 0–9 "
                                     "and _. Generated when empty; fixed once published."))
    section_id = SelectField(_l("Section"), validate_choice=False)
    min_value = StringField(_l("Smallest value (numbers, optional)"), filters=STRIP,
                            render_kw={"inputmode": "decimal", "maxlength": 20})
    max_value = StringField(_l("Largest value (numbers, optional)"), filters=STRIP,
                            render_kw={"inputmode": "decimal", "maxlength": 20})
    max_length = StringField(_l("Length limit in characters (texts, optional)"), filters=STRIP,
                             render_kw={"inputmode": "numeric", "maxlength": 6})
    show_if = SelectField(_l("Show only when"), validate_choice=False,
                          description=_l("Ask this question only to people who chose this "
                                         "option in an earlier question."))
    options_ja = TextAreaField(
        _l("Options (Japanese, one per line)"), render_kw={"rows": 4},
        description=_l("For choices, and for the rows of an agreement grid."))
    options_en = TextAreaField(_l("Options (English, one per line, optional)"),
                               render_kw={"rows": 4})


class OptionForm(FlaskForm):
    label_ja = StringField(_l("Label (Japanese)"), filters=STRIP, render_kw={"maxlength": 300})
    label_en = StringField(_l("Label (English, optional)"), filters=STRIP,
                           render_kw={"maxlength": 300})
    key = StringField(_l("Key (optional)"), filters=STRIP, render_kw={"maxlength": 40})


class ActionForm(FlaskForm):
    """Only the CSRF token (publish, close, copy, delete, move)."""


# --- typed text ----------------------------------------------------------------------------

def whole(text: str | None, field: str) -> int | None:
    """A whole number typed in ``field`` (None when empty)."""
    if not text:
        return None
    if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > 9:
        raise DomainError(_("Enter a whole number."), field=field)
    return int(text)


def decimal(text: str | None, field: str) -> float | None:
    """A number typed in ``field`` (None when empty; commas as thousands separators)."""
    if not text:
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise DomainError(_("Enter a number."), field=field) from None
    return value


def moment(text: str | None, field: str, *, closing: bool) -> datetime | None:
    """An opening or closing time typed in ``field`` (Japan time; None when empty)."""
    if not text:
        return None
    try:
        return parse_moment(text, closing=closing)
    except ValueError:
        raise DomainError(_("Enter a date and time, e.g. 2026-12-01 17:00."),
                          field=field) from None


def local_input(value: datetime | None) -> str:
    """A stored time as a datetime-local control's value, in Japan time."""
    return value.astimezone(office_zone()).strftime("%Y-%m-%dT%H:%M") if value else ""


def lines(text: str | None) -> list[str]:
    """Non-empty lines of a text area, stripped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
