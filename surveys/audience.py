"""Who is asked to answer a survey.

A survey asks everyone (``audience_all``) or the people matched by any of its
``SurveyAudience`` rows: a department (its members only, or with every department below it
when ``include_subtree``) or a role. Only active accounts are ever in an audience.

``in_audience`` answers for one person (answering pages and the API), ``audience_query``
gives the select of every active user id in the audience (reminders, response rates), and
``set_audience`` replaces the rows from what a form or the API sent.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, false, func, or_, select

from surveys.models import Survey, SurveyAudience
from workhub.config import ROLES
from workhub.errors import Conflict, DomainError
from workhub.extensions import db
from workhub.org.models import Department, User, UserRole, subtree_ids

MAX_AUDIENCE_ROWS = 200


def audience_department_ids(survey: Survey) -> set[int]:
    """Ids of every department whose members are asked (subtrees expanded)."""
    exact = {row.department_id for row in survey.audience
             if row.department_id is not None and not row.include_subtree}
    roots = [row.department_id for row in survey.audience
             if row.department_id is not None and row.include_subtree]
    return exact | subtree_ids(roots)


def audience_roles(survey: Survey) -> set[str]:
    return {row.role for row in survey.audience if row.role}


def in_audience(user: User | None, survey: Survey) -> bool:
    """Whether ``user`` (an active account) is asked to answer ``survey``."""
    if user is None or not getattr(user, "active", False):
        return False
    if survey.audience_all:
        return True
    if audience_roles(survey) & user.roles:
        return True
    return user.department_id is not None and user.department_id in audience_department_ids(
        survey)


def audience_query(survey: Survey) -> Select:
    """A select of the ids of every active user in the audience of ``survey``."""
    query = select(User.id).where(User.active.is_(True))
    if survey.audience_all:
        return query
    conditions = []
    departments = audience_department_ids(survey)
    if departments:
        conditions.append(User.department_id.in_(departments))
    roles = audience_roles(survey)
    if roles:
        conditions.append(User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(roles))))
    if not conditions:
        return query.where(false())  # a survey asking nobody
    return query.where(or_(*conditions))


def audience_size(survey: Survey) -> int:
    """How many active people are asked."""
    return db.session.scalar(select(func.count()).select_from(audience_query(survey).subquery()))


def _clean_codes(codes) -> list[str]:
    if codes is None:
        return []
    if isinstance(codes, str):
        codes = codes.replace(",", " ").split()
    if not isinstance(codes, (list, tuple)) or not all(isinstance(c, str) for c in codes):
        raise DomainError(_("Departments must be a list of department codes."),
                          field="departments")
    cleaned = []
    for code in codes:
        code = code.strip()
        if code and code not in cleaned:
            cleaned.append(code)
    if len(cleaned) > MAX_AUDIENCE_ROWS:
        raise DomainError(_("Choose at most %(n)d departments.", n=MAX_AUDIENCE_ROWS),
                          field="departments")
    return cleaned


def _clean_roles(roles) -> list[str]:
    if roles is None:
        return []
    if isinstance(roles, str):
        roles = [roles]
    if not isinstance(roles, (list, tuple)) or not all(isinstance(r, str) for r in roles):
        raise DomainError(_("Roles must be a list of role names."), field="roles")
    unknown = sorted({r for r in roles if r not in ROLES})
    if unknown:
        raise DomainError(_("Unknown roles: %(roles)s.", roles=", ".join(unknown)[:200]),
                          field="roles")
    return sorted(set(roles))


def set_audience(survey: Survey, *, everyone: bool, department_codes=None,
                 include_subtree: bool = True, roles=None) -> None:
    """Replace who is asked: everyone, or these departments (with their subtrees when
    ``include_subtree``) and roles. Refused for a closed survey or when nobody is chosen."""
    if survey.status == "closed":
        raise Conflict(_("This survey is closed: its audience can no longer change."))
    codes = _clean_codes(department_codes)
    role_names = _clean_roles(roles)
    if everyone:
        survey.audience_all = True
        survey.audience = []
        db.session.flush()
        return
    if not codes and not role_names:
        raise DomainError(_("Choose everyone, or at least one department or role."),
                          field="departments")
    departments = {d.code: d for d in db.session.scalars(
        select(Department).where(Department.code.in_(codes)))} if codes else {}
    unknown = [c for c in codes if c not in departments]
    if unknown:
        raise DomainError(_("Unknown department codes: %(codes)s.",
                            codes=", ".join(unknown)[:200]), field="departments")
    survey.audience_all = False
    survey.audience = [
        SurveyAudience(department_id=departments[c].id, include_subtree=bool(include_subtree))
        for c in codes
    ] + [SurveyAudience(role=r) for r in role_names]
    db.session.flush()


def describe_audience(survey: Survey) -> dict:
    """The audience as plain data (forms, the API, the copy): codes, subtree flag, roles."""
    ids = [row.department_id for row in survey.audience if row.department_id is not None]
    codes = dict(db.session.execute(
        select(Department.id, Department.code).where(Department.id.in_(ids))).all()) if ids \
        else {}
    subtree = all(row.include_subtree for row in survey.audience if row.department_id)
    return {
        "everyone": bool(survey.audience_all),
        "departments": [codes[i] for i in ids if i in codes],
        "include_subtree": subtree,
        "roles": sorted(audience_roles(survey)),
    }
