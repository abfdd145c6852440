"""Forms of the licence inventory and of booking a licence for a meeting."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from workhub.fields import DayField, WholeNumberField
from workhub.online_meetings.models import LICENCE_KINDS, LICENCE_TOOLS, MAX_CAPACITY, USE_MODES

KIND_LABELS = {"host": _l("Host account of an online tool"),
               "room": _l("Meeting-room kit (camera, speakerphone)")}
TOOL_LABELS = {"teams": "Microsoft Teams", "zoom": "Zoom", "webex": "Webex",
               "other": _l("Other")}
MODE_LABELS = {"pooled": _l("Pooled: booked per meeting"),
               "assigned": _l("Assigned to a person or department")}


class LicenceForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)],
                       description=_l("How people will recognise it, e.g. Zoom 会議用 3."))
    kind = SelectField(_l("Kind"), validate_choice=False,
                       choices=[SelectChoice(k, KIND_LABELS[k]) for k in LICENCE_KINDS])
    tool = SelectField(_l("Online tool"), validate_choice=False,
                       choices=[SelectChoice(t, TOOL_LABELS[t]) for t in LICENCE_TOOLS],
                       description=_l("A room kit works with any tool: choose Other."))
    capacity = WholeNumberField(_l("Capacity (participants)"),
                                validators=[InputRequired()],
                                render_kw={"inputmode": "numeric", "min": 1,
                                           "max": MAX_CAPACITY})
    account = StringField(_l("Account"), validators=[Length(max=200)],
                          description=_l("The host's sign-in, or the room for a kit."))
    contract_ref = StringField(_l("Contract number"), validators=[Length(max=100)])
    contract_start = DayField(_l("Contract start"), validators=[Optional()])
    contract_end = DayField(_l("Contract end"), validators=[Optional()])
    monthly_cost_yen = WholeNumberField(_l("Monthly cost (yen)"), validators=[Optional()],
                                        render_kw={"inputmode": "numeric", "min": 0})
    paying_department = SelectField(_l("Department that pays"), validate_choice=False)
    mode = SelectField(_l("Use"), validate_choice=False,
                       choices=[SelectChoice(m, MODE_LABELS[m]) for m in USE_MODES])
    assigned_user = StringField(_l("Assigned to (login ID)"), validators=[Length(max=64)])
    assigned_department = SelectField(_l("Assigned to (department)"), validate_choice=False)
    active = BooleanField(_l("In use"), default=True)
    notes = TextAreaField(_l("Notes"), validators=[Length(max=2000)],
                          render_kw={"rows": 3, "maxlength": 2000})


class BookForm(FlaskForm):
    licence_id = HiddenField(validators=[InputRequired()])


class ActionForm(FlaskForm):
    """A button that posts (release, delete): the CSRF token only."""


SCORE_LABELS = {1: _l("1 (bad)"), 2: "2", 3: "3", 4: "4", 5: _l("5 (good)")}


def _scores() -> list[SelectChoice]:
    return [SelectChoice(str(score), label) for score, label in SCORE_LABELS.items()]


class RatingForm(FlaskForm):
    """Ten seconds after an online meeting: how it went."""

    sound = RadioField(_l("Sound"), choices=_scores(), validate_choice=False,
                       validators=[InputRequired(_l("Choose a score."))])
    picture = RadioField(_l("Picture"), choices=_scores(), validate_choice=False,
                         validators=[InputRequired(_l("Choose a score."))])
    trouble = BooleanField(_l("The connection gave trouble (dropped, froze, could not join)"))
    comment = StringField(_l("Comment (optional)"), validators=[Length(max=500)])
