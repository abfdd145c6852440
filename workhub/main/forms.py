"""Profile forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length

LANGUAGE_CHOICES = [("ja", "日本語"), ("en", "English")]


class LanguageForm(FlaskForm):
    language = SelectField(
        _l("Language"),
        # A callable: WTForms 3.3 deprecates literal tuple choices, not tuples from a callable.
        choices=lambda: LANGUAGE_CHOICES,
        validators=[AnyOf(["ja", "en"], message=_l("Choose Japanese or English."))],
    )
    next = HiddenField()


class MailPreferenceForm(FlaskForm):
    summary_mail = BooleanField(
        _l("Send me summary and reminder mails"),
        description=_l("Mails about your own requests and approvals are always sent; the "
                       "notifications in WorkHub are kept either way."),
    )


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[
            DataRequired(message=_l("Give the token a name.")),
            Length(max=80, message=_l("The name is too long (80 characters at most).")),
        ],
        description=_l("For example the name of the script or tool that will use it."),
    )


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons."""


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Enter your current password.")),
                    Length(max=1024, message=_l("At most %(max)d characters."))],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(message=_l("Enter the new password.")),
                    Length(max=1024, message=_l("At most %(max)d characters."))],
        description=_l("At least 10 characters. Your other sign-ins end; this one stays."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(message=_l("Repeat the password.")),
                    EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
