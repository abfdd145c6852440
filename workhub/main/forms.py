"""Profile forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length

from workhub.auth.scopes import DEFAULT_DAYS, FEATURES, MAX_DAYS

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
    days = SelectField(
        _l("Expires after"),
        choices=lambda: [(30, _l("30 days")), (DEFAULT_DAYS, _l("90 days")),
                         (180, _l("180 days")), (MAX_DAYS, _l("1 year"))],
        coerce=int,
        default=DEFAULT_DAYS,
        validate_choice=True,
    )

    def scope_fields(self):
        return [getattr(self, f"scope_{feature}") for feature in FEATURES]

    def scopes(self) -> dict[str, str]:
        return {feature: getattr(self, f"scope_{feature}").data for feature in FEATURES}


SCOPE_CHOICES = [("", _l("No access")), ("read", _l("Read")), ("write", _l("Read and write"))]
for _feature, _label in FEATURES.items():
    # Read by default: a script that only fetches should not be able to change anything.
    setattr(TokenForm, f"scope_{_feature}", RadioField(
        _label, choices=lambda: SCOPE_CHOICES, default="read",
        validate_choice=True))


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
