"""Form fields every feature uses, with WorkHub's own messages (translated) for bad input."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField


class DayField(DateField):
    """A date written YYYY-MM-DD (what a date input sends), with our own message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a date written YYYY-MM-DD, for example 2026-04-01.")
                             ) from None


class WholeNumberField(IntegerField):
    """A whole number, with our own message for anything else."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a whole number.")) from None
