"""Reading and checking the values of devices and lines, wherever they come from (a form, the
JSON API, a CSV row). Pure functions, no database: each returns the clean value or raises
``Invalid`` naming the field, so a form, an API answer and an import report all say the same.

Identifiers (asset tags, serials, phone numbers, ICCIDs) are NFKC-normalised first, so the
full-width digits and letters a Japanese keyboard produces are accepted.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from workhub.auth.passwords import has_hidden_characters
from workhub.devices.models import DEVICE_KINDS, SIM_TYPES
from workhub.errors import DomainError

MAX_NOTES = 2000
MAX_COST = 10_000_000  # yen a month: far above any real plan, below any overflow
MAX_DATA_CAP_GB = 100_000
MAX_RENEWAL_DAYS = 366
FIRST_YEAR, LAST_YEAR = 1990, 2100

_TAG = re.compile(r"^[A-Z0-9][A-Z0-9._/-]*$")
_DATE_PARTS = re.compile(r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?$")
_NUMBER_JUNK = re.compile(r"[\s\-‐－ー()（）.]")

KIND_LABELS = {
    "laptop": _l("Laptop"),
    "tablet": _l("Tablet"),
    "smartphone": _l("Smartphone"),
    "router": _l("Mobile router"),
}
SIM_LABELS = {"sim": _l("SIM card"), "esim": _l("eSIM")}
# What people write in a spreadsheet for each kind (compared after NFKC and lower-casing).
KIND_ALIASES = {
    **{k: k for k in DEVICE_KINDS},
    "pc": "laptop", "notebook": "laptop", "ノートpc": "laptop", "ノートパソコン": "laptop",
    "パソコン": "laptop", "ノート": "laptop", "タブレット": "tablet", "ipad": "tablet",
    "スマートフォン": "smartphone", "スマホ": "smartphone", "携帯電話": "smartphone",
    "phone": "smartphone", "iphone": "smartphone", "ルーター": "router", "ルータ": "router",
    "モバイルルーター": "router", "モバイルルータ": "router", "wi-fiルーター": "router",
    "wifiルーター": "router", "mobile router": "router", "wifi": "router", "wi-fi": "router",
    "pocket wifi": "router", "ポケットwi-fi": "router", "ポケットwifi": "router",
}
SIM_ALIASES = {"sim": "sim", "simカード": "sim", "sim card": "sim", "物理sim": "sim",
               "esim": "esim", "e-sim": "esim"}


class Invalid(DomainError):
    """One or more values are wrong: ``problems`` lists (field, message), the first is the
    exception's own field and message."""

    status = 422
    code = "invalid"

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(problems[0][1], field=problems[0][0])
        self.problems = problems


class Checker:
    """Collects the problems of one record, so a person sees them all at once."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def run(self, parse, *args, **kwargs):
        """``parse(*args, **kwargs)``, or None with its problems noted."""
        try:
            return parse(*args, **kwargs)
        except Invalid as exc:
            self.problems.extend(exc.problems)
            return None

    def add(self, name: str, message) -> None:
        """Note a problem found by comparing values."""
        self.problems.append((name, str(message)))

    def done(self) -> None:
        """Raise ``Invalid`` with every problem noted, if any."""
        if self.problems:
            raise Invalid(self.problems)


def _fail(name: str, message) -> Invalid:
    return Invalid([(name, str(message))])


def _string(value: object, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise _fail(name, _l("Enter text."))
    return value.strip() or None


def text(value: object, name: str, *, max_length: int, required: bool = False,
         multiline: bool = False, nfkc: bool = False) -> str | None:
    """Trimmed text; empty is None. Control and other hidden characters are refused (the
    same check as ``workhub.validation.clean_text``; line breaks and tabs only in
    ``multiline`` text such as notes). ``nfkc`` folds full-width letters and digits (names
    that are compared, such as makers and models)."""
    value = _string(value, name)
    if value is None:
        if required:
            raise _fail(name, _l("This field is required."))
        return None
    if nfkc:
        value = " ".join(unicodedata.normalize("NFKC", value).split())
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if has_hidden_characters(value.replace("\n", "").replace("\t", "") if multiline else value):
        raise _fail(name, _l("Remove the control characters (such as line breaks)."))
    if len(value) > max_length:
        raise _fail(name, _l("At most %(max)d characters.", max=max_length))
    return value


def identifier(value: object, name: str, *, max_length: int,
               required: bool = False) -> str | None:
    """Text compared exactly (serials, data-line ids): NFKC, trimmed, no spaces inside."""
    value = _string(value, name)
    if value is None:
        if required:
            raise _fail(name, _l("This field is required."))
        return None
    value = unicodedata.normalize("NFKC", value).strip()
    if not value.isprintable() or any(c.isspace() for c in value):
        raise _fail(name, _l("Use letters, digits and signs only, without spaces."))
    if len(value) > max_length:
        raise _fail(name, _l("At most %(max)d characters.", max=max_length))
    return value


def asset_tag(value: object, name: str = "asset_tag") -> str:
    """An asset tag in capitals: letters, digits and . _ / - (e.g. ``PC-2026-0001``)."""
    value = identifier(value, name, max_length=40, required=True).upper()
    if not _TAG.match(value):
        raise _fail(name, _l("An asset tag has letters, digits and . _ / - only, e.g. "
                             "PC-2026-0001."))
    return value


def kind(value: object, name: str = "kind") -> str:
    """A device kind from its code or a usual name (ノートPC, スマホ, ルーター …)."""
    raw = _string(value, name)
    if raw is None:
        raise _fail(name, _l("Choose the kind of device."))
    found = KIND_ALIASES.get(unicodedata.normalize("NFKC", raw).lower().replace(" ", "")) \
        or KIND_ALIASES.get(unicodedata.normalize("NFKC", raw).lower())
    if found is None:
        raise _fail(name, _l("Unknown kind: use laptop, tablet, smartphone or router."))
    return found


def sim_type(value: object, name: str = "sim_type") -> str:
    raw = _string(value, name)
    if raw is None:
        return "sim"
    found = SIM_ALIASES.get(unicodedata.normalize("NFKC", raw).lower())
    if found is None or found not in SIM_TYPES:
        raise _fail(name, _l("Use sim or esim."))
    return found


def day(value: object, name: str) -> date | None:
    """A date from ``YYYY-MM-DD`` (also ``YYYY/M/D`` and ``2026年4月1日``); empty is None."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        parsed = value
    else:
        raw = _string(value, name)
        if raw is None:
            return None
        match = _DATE_PARTS.match(unicodedata.normalize("NFKC", raw))
        if not match:
            raise _fail(name, _l("Write the date as YYYY-MM-DD, e.g. 2026-04-01."))
        try:
            parsed = date(*(int(p) for p in match.groups()))
        except ValueError:
            raise _fail(name, _l("This date does not exist.")) from None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise _fail(name, _l("Enter a year from %(first)d to %(last)d.", first=FIRST_YEAR,
                             last=LAST_YEAR))
    return parsed


def whole(value: object, name: str, *, maximum: int, yen: bool = False) -> int | None:
    """A whole number from 0 to ``maximum``; empty is None. With ``yen``, ``¥3,000`` and
    ``3,000円`` are read as 3000."""
    if isinstance(value, bool):
        raise _fail(name, _l("Enter a whole number."))
    if isinstance(value, int):
        number = value
    else:
        raw = _string(value, name)
        if raw is None:
            return None
        raw = unicodedata.normalize("NFKC", raw).replace(",", "").replace(" ", "")
        if yen:
            raw = raw.removeprefix("¥").removeprefix("\\").removesuffix("円")
        if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 12:
            raise _fail(name, _l("Enter a whole number."))
        number = int(raw)
    if number < 0:
        raise _fail(name, _l("Cannot be negative."))
    if number > maximum:
        raise _fail(name, _l("At most %(max)d.", max=maximum))
    return number


def phone_number(value: object, name: str = "number") -> str | None:
    """A phone number as digits only: ``090-1234-5678`` and ``+81 90 1234 5678`` are both
    ``09012345678``. 10 to 15 digits (020 data numbers have 11 or 14)."""
    raw = _string(value, name)
    if raw is None:
        return None
    digits = _NUMBER_JUNK.sub("", unicodedata.normalize("NFKC", raw))
    if digits.startswith("+81"):
        digits = "0" + digits[3:].lstrip("0")
    if not digits.isascii() or not digits.isdigit():
        raise _fail(name, _l("A phone number has digits only (hyphens and spaces are "
                             "ignored)."))
    if not 10 <= len(digits) <= 15:
        raise _fail(name, _l("A phone number has 10 to 15 digits."))
    return digits


def luhn_ok(digits: str) -> bool:
    """The Luhn check (ISO/IEC 7812) that ICCIDs end with."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def iccid(value: object, name: str = "iccid") -> str | None:
    """The SIM's ICCID: 19 or 20 digits (spaces and hyphens ignored) with a valid check digit."""
    raw = _string(value, name)
    if raw is None:
        return None
    digits = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", raw))
    if not digits.isascii() or not digits.isdigit() or not 19 <= len(digits) <= 20:
        raise _fail(name, _l("An ICCID has 19 or 20 digits."))
    if not luhn_ok(digits):
        raise _fail(name, _l("This ICCID's check digit is wrong: check for a typing error."))
    return digits


def pin(value: object, name: str, *, length: tuple[int, int]) -> str | None:
    """A PIN or PUK: digits only (NFKC), ``length`` = (fewest, most)."""
    raw = _string(value, name)
    if raw is None:
        return None
    digits = unicodedata.normalize("NFKC", raw)
    low, high = length
    if not digits.isascii() or not digits.isdigit() or not low <= len(digits) <= high:
        if low == high:
            raise _fail(name, _l("Enter exactly %(n)d digits.", n=low))
        raise _fail(name, _l("Enter %(low)d to %(high)d digits.", low=low, high=high))
    return digits


def normalise_search(value: str) -> str:
    """Search text as identifiers are stored: NFKC, trimmed, at most 100 characters."""
    return unicodedata.normalize("NFKC", value).strip()[:100]


def search_digits(value: str) -> str | None:
    """The digits of a search that looks like a number (digits, hyphens, spaces, ``+``,
    brackets), else None: "090-1234" searches numbers, "abc-1" does not."""
    raw = _NUMBER_JUNK.sub("", unicodedata.normalize("NFKC", value)).lstrip("+")
    return raw if raw.isascii() and raw.isdigit() else None
