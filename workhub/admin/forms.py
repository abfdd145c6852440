"""Forms of the admin pages: users, roles, passwords, departments and the list filters.

The forms check the shape of the input (lengths, choices, plain text); the rules themselves
(unique login, no self-lockout, tree shape) live in ``workhub.org.services``.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Form,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from workhub.auth.roles import ROLE_LABELS
from workhub.config import ROLES

# Characters that reorder how text is displayed ("a\u202egpj.exe" shows as "aexe.jpg"):
# a name containing them can pass for another name in lists.
_BIDI_CONTROLS = frozenset(
    ["\u061c", "\u200e", "\u200f"]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)


class PlainText:
    """Refuse control characters (NUL, line breaks, ...) and text-direction overrides."""

    def __call__(self, form, field):
        value = field.data
        if not isinstance(value, str) or not value:
            return
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ValidationError(_l("Remove the control characters (such as line breaks)."))
        if any(c in _BIDI_CONTROLS for c in value):
            raise ValidationError(_l("Remove the invisible text-direction characters."))


class DateRange:
    """Keep dates within years a city office can mean (and date arithmetic can handle)."""

    def __call__(self, form, field):
        if isinstance(field.data, date) and not 1900 <= field.data.year <= 2999:
            raise ValidationError(_l("Enter a date between the years 1900 and 2999."))


class MultiCheckboxField(SelectMultipleField):
    """A set of checkboxes (rendered by the forms macro as a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def role_choices():
    return [(role, ROLE_LABELS.get(role, role)) for role in ROLES]


def _display_name_field():
    return StringField(
        _l("Display name"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the display name.")),
            Length(max=120, message=_l("At most %(max)d characters.")),
            PlainText(),
        ],
    )


def _kana_field():
    return StringField(
        _l("Kana"),
        filters=[_strip],
        validators=[Length(max=120, message=_l("At most %(max)d characters.")), PlainText()],
        description=_l("The reading of the name, used for sorting."),
    )


def _email_field():
    return StringField(
        _l("E-mail"),
        filters=[_strip],
        validators=[Length(max=254, message=_l("At most %(max)d characters.")), PlainText()],
        render_kw={"autocomplete": "off", "inputmode": "email"},
    )


class UserActiveForm(FlaskForm):
    """What an admin may change on a directory account: whether it may sign in."""

    active = BooleanField(
        _l("Active (may sign in)"),
        description=_l("A deactivated account cannot sign in and loses its sessions."),
    )


class UserEditForm(UserActiveForm):
    """An admin's edit of a local account."""

    display_name = _display_name_field()
    kana = _kana_field()
    email = _email_field()
    department = SelectField(_l("Department"), choices=[], default="")


class UserCreateForm(FlaskForm):
    """A new local account."""

    login = StringField(
        _l("Login ID"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter a login ID.")),
            Length(max=64, message=_l("At most %(max)d characters.")),
            PlainText(),
        ],
        description=_l("Lower-case letters, digits, '.', '-' or '_'."),
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    display_name = _display_name_field()
    kana = _kana_field()
    email = _email_field()
    department = SelectField(_l("Department"), choices=[], default="")
    roles = MultiCheckboxField(_l("Roles"), choices=role_choices, default=["employee"])
    password = PasswordField(
        _l("Initial password"),
        validators=[
            DataRequired(message=_l("Enter an initial password.")),
            Length(max=1024, message=_l("At most %(max)d characters.")),
        ],
        description=_l("At least 10 characters. Tell it to the person in a safe way."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(message=_l("Repeat the password.")),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class RolesForm(FlaskForm):
    roles = MultiCheckboxField(_l("Roles"), choices=role_choices)


class PasswordResetForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(message=_l("Enter the new password.")),
            Length(max=1024, message=_l("At most %(max)d characters.")),
        ],
        description=_l("At least 10 characters."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(message=_l("Repeat the password.")),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class DepartmentEditForm(FlaskForm):
    name_ja = StringField(
        _l("Japanese name"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the Japanese name.")),
            Length(max=120, message=_l("At most %(max)d characters.")),
            PlainText(),
        ],
    )
    name_en = StringField(
        _l("English name"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=120, message=_l("At most %(max)d characters.")),
            PlainText(),
        ],
    )
    parent = SelectField(_l("Parent department"), choices=[], default="")


class DepartmentCreateForm(DepartmentEditForm):
    code = StringField(
        _l("Code"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter a code.")),
            Length(max=32, message=_l("At most %(max)d characters.")),
            PlainText(),
        ],
        description=_l("1–32 letters, digits, '-' or '_'. It cannot be changed later."),
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )


class DeleteForm(FlaskForm):
    """Only the CSRF token: for delete buttons."""


# --- List filters (GET forms: nothing changes, so no CSRF token) ------------------------


def filter_text(label, max_length: int, description="") -> StringField:
    """A free-text filter of a list page: trimmed, plain text, at most ``max_length``."""
    return StringField(
        label,
        filters=[_strip],
        validators=[Length(max=max_length, message=_l("At most %(max)d characters.")),
                    PlainText()],
        description=description,
    )


class UserFilterForm(Form):
    q = filter_text(_l("Search"), 100, _l("Part of the login ID, name, kana or e-mail."))
    department = SelectField(_l("Department"), choices=[], default="")
    role = SelectField(
        _l("Role"), choices=lambda: [("", _l("All")), *role_choices()], default=""
    )
    active = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("", _l("All")),
            SelectChoice("yes", _l("Active")),
            SelectChoice("no", _l("Deactivated")),
        ],
        default="",
    )
    source = SelectField(
        _l("Sign-in"),
        choices=[
            SelectChoice("", _l("All")),
            SelectChoice("local", _l("Local account")),
            SelectChoice("ldap", _l("Directory")),
        ],
        default="",
    )
    sort = SelectField(
        _l("Sort by"),
        choices=[
            SelectChoice("login", _l("Login ID")),
            SelectChoice("name", _l("Name (kana)")),
            SelectChoice("department", _l("Department")),
            SelectChoice("last_login", _l("Last sign-in, newest first")),
        ],
        default="login",
    )


class AuditFilterForm(Form):
    event = SelectField(_l("Event"), choices=[], default="")
    actor = filter_text(_l("Actor login ID"), 64)
    target = filter_text(_l("Target"), 200)
    date_from = DateField(
        _l("From"), validators=[Optional(), DateRange()], description=_l("Japan time")
    )
    date_to = DateField(
        _l("To"), validators=[Optional(), DateRange()], description=_l("Japan time, inclusive")
    )

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


class TokenFilterForm(Form):
    q = filter_text(_l("Search"), 100,
                    _l("Part of the owner's login ID or name, or of the token's name."))
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("active", _l("Active")),
            SelectChoice("", _l("All")),
            SelectChoice("expired", _l("Expired")),
            SelectChoice("revoked", _l("Revoked")),
        ],
        default="active",
    )
