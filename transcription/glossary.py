"""The glossary: terms (place names, departments, people) the engine is told to expect.

Secretaries keep the terms of their own department and the terms everyone shares (no
department); administrators keep all. The transcription job passes ``hotwords_for`` to the
engine, which by default corrects near-misses of them after decoding (``spelling``; giving
them to Whisper as hotwords or a prompt made the benchmark worse, see engine.py).
"""

from __future__ import annotations

import unicodedata

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select

from transcription.editing import clean_input
from transcription.models import GlossaryTerm
from workhub.errors import Conflict, DomainError, Forbidden, NotFound
from workhub.extensions import db
from workhub.org.models import Department, User

MAX_TERM = 100
MAX_NOTE = 200
MAX_HOTWORDS = 200  # the prompt has a limited length; the newest terms win


def hotwords_for(department_id: int | None) -> list[str]:
    """The terms for a meeting of ``department_id``: its own and everyone's."""
    stmt = select(GlossaryTerm.term).order_by(GlossaryTerm.created_at.desc(),
                                              GlossaryTerm.id.desc()).limit(MAX_HOTWORDS)
    scope = GlossaryTerm.department_id.is_(None)
    if department_id is not None:
        scope = or_(scope, GlossaryTerm.department_id == department_id)
    return list(db.session.scalars(stmt.where(scope)))


def can_edit_glossary(user: User | None, department_id: int | None) -> bool:
    """Whether ``user`` may add or remove terms of ``department_id`` (None: everyone's)."""
    if user is None or not user.active:
        return False
    if user.has_role("admin"):
        return True
    return user.has_role("secretary") and (department_id is None
                                           or department_id == user.department_id)


def department_choice(value: str | None) -> int | None:
    """The department id picked in the glossary form (None: everyone's); a DomainError for
    anything but an existing department."""
    if value in (None, "", "global"):
        return None
    # ASCII digits of a sane length: "²" is a digit to isdigit() but not to int(), and a huge
    # number overflows PostgreSQL's integer.
    if (not (value.isascii() and value.isdigit() and len(value) <= 9)
            or db.session.get(Department, int(value)) is None):
        raise DomainError(_("Choose one of the departments offered."), field="department")
    return int(value)


def department_options(user: User) -> list[Department]:
    """The departments the glossary form offers ``user`` besides everyone's: all of them for an
    administrator (by code), a secretary's own."""
    if user.has_role("admin"):
        return list(db.session.scalars(select(Department).order_by(Department.code)))
    return [user.department] if user.department is not None else []


def _visible_terms(user: User) -> Select:
    """Everyone's terms and those of the departments ``user`` may edit."""
    stmt = select(GlossaryTerm)
    if not user.has_role("admin"):
        stmt = stmt.where(or_(GlossaryTerm.department_id.is_(None),
                              GlossaryTerm.department_id == user.department_id))
    return stmt


def terms_visible_to(user: User) -> list[GlossaryTerm]:
    """Everyone's terms and those of the departments ``user`` may edit, by department."""
    return list(db.session.scalars(_visible_terms(user).order_by(
        GlossaryTerm.department_id.is_not(None), GlossaryTerm.department_id,
        GlossaryTerm.term)))


def add_term(user: User, term: str | None, *, department_id: int | None,
             note: str | None = None) -> GlossaryTerm:
    """Add ``term`` for ``department_id`` (None: everyone's)."""
    if not can_edit_glossary(user, department_id):
        raise Forbidden(_("You may add terms for your own department only."),
                        field="department")
    clean = unicodedata.normalize(
        "NFKC", clean_input(term, limit=MAX_TERM, field="term", multiline=False))
    if not clean:
        raise DomainError(_("Enter the term."), field="term", code="required")
    exists = db.session.scalar(select(GlossaryTerm.id).where(
        GlossaryTerm.term == clean,
        GlossaryTerm.department_id.is_(None) if department_id is None
        else GlossaryTerm.department_id == department_id))
    if exists:
        raise Conflict(_("“%(term)s” is already in the glossary.", term=clean), field="term")
    row = GlossaryTerm(term=clean, department_id=department_id, created_by_id=user.id,
                       note=clean_input(note, limit=MAX_NOTE, field="note",
                                        multiline=False) or None)
    db.session.add(row)
    db.session.flush()
    return row


def delete_term(user: User, term_id: int) -> None:
    """Remove a term ``user`` may edit (404 for one they may not see)."""
    row = db.session.scalar(_visible_terms(user).where(GlossaryTerm.id == term_id))
    if row is None:
        raise NotFound(_("No such term."))
    if not can_edit_glossary(user, row.department_id):
        raise Forbidden(_("You may remove terms of your own department only."))
    db.session.delete(row)
    db.session.flush()
