"""Profile forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

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
