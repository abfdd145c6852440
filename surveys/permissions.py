"""Who may build, answer and read the results of surveys: the one place for these rules.

* **Managing** (build, publish, close, copy, delete, see results) is for HR and
  administrators (``can_manage``).
* **Answering** (``can_answer``): an active person in the survey's audience, while the
  survey is published and open now (``opens_at`` reached, ``closes_at`` not yet).
* **Results** (``can_see_results``): HR and administrators; the minimum group size rule
  applies to them too (surveys/suppression.py).
* ``get_survey`` loads a survey for a page or an endpoint: NotFound when it does not exist
  (or is a draft the caller may not manage), Forbidden when the caller may not see it.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from surveys.audience import in_audience
from surveys.models import Survey
from workhub.database import utcnow
from workhub.errors import Forbidden, NotFound
from workhub.extensions import db
from workhub.org.models import User

MANAGER_ROLES = ("hr", "admin")


def _active(user: User | None) -> bool:
    return user is not None and bool(getattr(user, "active", False))


def can_manage(user: User | None) -> bool:
    """HR or an administrator: builds, publishes, closes surveys and sees results."""
    return _active(user) and user.has_role(*MANAGER_ROLES)


def is_open(survey: Survey, now: datetime | None = None) -> bool:
    """Published, and ``now`` is between its opening and closing times."""
    now = now or utcnow()
    if survey.status != "published":
        return False
    if survey.opens_at is not None and now < survey.opens_at:
        return False
    return survey.closes_at is None or now < survey.closes_at


def can_answer(user: User | None, survey: Survey, now: datetime | None = None) -> bool:
    """An active person of the audience, while the survey is published and open."""
    return _active(user) and is_open(survey, now) and in_audience(user, survey)


def can_see_results(user: User | None, survey: Survey) -> bool:
    """HR and administrators (drafts have no results)."""
    return can_manage(user) and survey.status in ("published", "closed")


def can_view(user: User | None, survey: Survey) -> bool:
    """Managers see every survey; others a published or closed survey they are asked."""
    if can_manage(user):
        return True
    return survey.status != "draft" and in_audience(user, survey)


def get_survey(survey_id, user: User | None, *, for_manage: bool = False) -> Survey:
    """Load survey ``survey_id`` for ``user``.

    ``for_manage``: only HR/administrators (Forbidden otherwise). Without it, anyone who
    may view it (``can_view``). A draft is NotFound for those who may not manage it, so its
    existence is not revealed."""
    try:
        sid = int(survey_id)
    except (TypeError, ValueError):
        sid = None
    survey = db.session.get(Survey, sid) if sid is not None and 0 < sid < 2**31 else None
    if survey is None:
        raise NotFound(_("No such survey."))
    if can_manage(user):
        return survey
    if for_manage:
        raise Forbidden(_("Only HR and administrators may manage surveys."))
    if survey.status == "draft":
        raise NotFound(_("No such survey."))
    if not in_audience(user, survey):
        raise Forbidden(_("This survey is not addressed to you."))
    return survey
