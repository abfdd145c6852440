"""Forms of the inventory pages. They only carry the values: the rules (required fields,
formats, uniqueness) are checked by the services, whose messages are shown beside the fields,
so a form, the API and a CSV import say the same thing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, Form, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from workhub.devices import inventory, lines
from workhub.devices.fields import KIND_LABELS, MAX_NOTES, SIM_LABELS
from workhub.devices.import_columns import COLUMNS
from workhub.devices.models import DEVICE_KINDS, SIM_TYPES
from workhub.devices.terms import MAX_TERMS


class Required:
    """Marks a field required (asterisk and ``required`` attribute); the service checks it."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


def options(pairs) -> list[SelectChoice]:
    """Select choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _kinds(empty=None):
    first = [("", empty)] if empty else []
    return options(first + [(k, KIND_LABELS[k]) for k in DEVICE_KINDS])


def _date_field(label, **kwargs) -> StringField:
    return StringField(label, render_kw={"type": "date"}, **kwargs)


class DeviceFilterForm(Form):
    """The device list's filters (a GET form, no CSRF)."""

    q = StringField(_l("Search"), validators=[Length(max=100)],
                    description=_l("Part of the asset tag, serial number or installed line "
                                   "number."))
    kind = SelectField(_l("Kind"), choices=_kinds(_l("All kinds")), default="")
    status = SelectField(_l("Status"), default="", choices=options(
        [("", _l("All statuses")), *inventory.STATUS_LABELS.items()]))
    model = SelectField(_l("Model"), default="", choices=[], validate_choice=False)


class LineFilterForm(Form):
    q = StringField(_l("Search"), validators=[Length(max=100)],
                    description=_l("Part of the phone number, data-line id or ICCID."))
    status = SelectField(_l("Status"), default="", choices=options(
        [("", _l("All statuses")), *lines.STATUS_LABELS.items()]))
    carrier = SelectField(_l("Carrier"), default="", choices=[], validate_choice=False)


class DeviceForm(FlaskForm):
    asset_tag = StringField(_l("Asset tag"), validators=[Required()],
                            description=_l("Letters, digits and . _ / -, e.g. PC-2026-0001."))
    kind = SelectField(_l("Kind"), choices=_kinds(_l("Choose…")), validators=[Required()],
                       validate_choice=False)
    maker = StringField(_l("Maker"), validators=[Required()])
    model = StringField(_l("Model"), validators=[Required()],
                        description=_l("Devices with the same kind, maker and model are counted "
                                       "together."))
    serial = StringField(_l("Serial number"))
    os = StringField(_l("OS"))
    purchase_date = _date_field(_l("Purchase date"))
    warranty_end = _date_field(_l("Warranty end"))
    location = StringField(_l("Location"))
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 3, "maxlength": MAX_NOTES})


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), choices=[], validate_choice=False)
    note = StringField(_l("Note (optional)"), render_kw={"maxlength": 500})


class LineForm(FlaskForm):
    number = StringField(_l("Phone number"), render_kw={"inputmode": "tel"},
                         description=_l("Digits; hyphens and spaces are ignored. A phone number "
                                        "or a data-line id is required."))
    data_line_id = StringField(_l("Data-line id"))
    iccid = StringField(_l("ICCID"), render_kw={"inputmode": "numeric"},
                        description=_l("19 or 20 digits printed on the SIM card."))
    sim_type = SelectField(_l("SIM type"), choices=options((s, SIM_LABELS[s]) for s in SIM_TYPES),
                           validate_choice=False)
    carrier = StringField(_l("Carrier"), validators=[Required()])
    plan = StringField(_l("Plan"))
    data_cap_gb = StringField(_l("Data cap (GB/month)"), render_kw={"inputmode": "numeric"})
    monthly_cost = StringField(_l("Monthly cost (yen)"), render_kw={"inputmode": "numeric"},
                               description=_l("Tax included."))
    contract_start = _date_field(_l("Contract start"))
    contract_end = _date_field(_l("Contract end"))
    renewal_window_days = StringField(_l("Renewal notice (days)"),
                                      render_kw={"inputmode": "numeric"},
                                      description=_l("How many days before the contract end "
                                                     "it must be renewed or cancelled."))
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 3, "maxlength": MAX_NOTES})
    pin = PasswordField(_l("SIM PIN"), render_kw={"autocomplete": "off", "inputmode": "numeric"},
                        description=_l("4 to 8 digits. Stored encrypted; leave empty to keep "
                                       "the stored one."))
    puk = PasswordField(_l("SIM PUK"), render_kw={"autocomplete": "off", "inputmode": "numeric"},
                        description=_l("8 digits. Stored encrypted; leave empty to keep the "
                                       "stored one."))
    clear_secrets = BooleanField(_l("Remove the stored PIN and PUK"))


class InstallForm(FlaskForm):
    """On a line's page: the device to put it in."""

    asset_tag = StringField(_l("Asset tag of the device"), validators=[Required()])


class DeviceInstallForm(FlaskForm):
    """On a device's page: the line to put in it."""

    line = StringField(_l("Phone number, ICCID or data-line id"), validators=[Required()])


class ActionForm(FlaskForm):
    """Only the CSRF token (remove, reveal, revoke)."""


class ImportUploadForm(FlaskForm):
    kind = SelectField(_l("What the file lists"), choices=options([("devices", _l("Devices")),
                                                                   ("lines", _l("Lines"))]),
                       validate_choice=False)
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file."))],
                     description=_l("UTF-8 or Shift_JIS, with a header line."),
                     render_kw={"accept": ".csv,text/csv"})


class ImportConfirmForm(FlaskForm):
    """The mapping selects (``map_<column>``) are read from the request by the view."""

    valid_only = BooleanField(_l("Import only the valid rows (skip the rows with problems)"))


def mapping_choices(kind: str) -> list[tuple[str, str]]:
    """(value, label) of the field selects of the import preview (plain HTML selects)."""
    return [("", str(_l("(ignore this column)")))] + [(k, str(v))
                                                      for k, v in COLUMNS[kind].items()]


class TermsForm(FlaskForm):
    text_ja = TextAreaField(_l("Terms in Japanese"), validators=[Required()],
                            render_kw={"rows": 10, "maxlength": MAX_TERMS})
    text_en = TextAreaField(_l("Terms in English"), validators=[Required()],
                            render_kw={"rows": 10, "maxlength": MAX_TERMS})


class GrantForm(FlaskForm):
    login = StringField(_l("Login ID"), validators=[Required()],
                        description=_l("IT staff or an administrator."))
