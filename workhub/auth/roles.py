"""The roles and how they are called on screen."""

from flask_babel import lazy_gettext as _l

from workhub.config import ROLES

ROLE_LABELS = {
    "employee": _l("Employee"),
    "manager": _l("Manager"),
    "hr": _l("Human resources"),
    "it_admin": _l("IT administrator"),
    "secretary": _l("Secretary"),
    "admin": _l("Administrator"),
}

assert set(ROLE_LABELS) == set(ROLES), "every role needs a label"
