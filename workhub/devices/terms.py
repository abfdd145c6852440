"""Loan terms: the text (Japanese and English) a holder accepts when confirming receipt of a
device of a kind, or of a line. Each change of the text raises the version, so a
confirmation records which version was accepted."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workhub.auth.services import audit
from workhub.devices import fields as f
from workhub.devices.fields import KIND_LABELS
from workhub.devices.models import TERMS_KINDS, LoanTerms
from workhub.errors import Conflict, DomainError
from workhub.extensions import db
from workhub.org.models import User

MAX_TERMS = 20_000
TERMS_LABELS = {**KIND_LABELS, "line": _l("Communication line")}


@dataclass
class TermsView:
    """The terms of one kind (``row`` None: never written)."""

    kind: str
    row: LoanTerms | None

    @property
    def label(self) -> str:
        return str(TERMS_LABELS[self.kind])

    @property
    def version(self) -> int | None:
        return self.row.version if self.row else None

    def text(self, language: str) -> str:
        """The text in ``language`` (``ja`` or ``en``), the other one when that is empty."""
        if self.row is None:
            return ""
        first, second = ((self.row.text_en, self.row.text_ja) if language == "en"
                         else (self.row.text_ja, self.row.text_en))
        return first or second


def _kind(kind: object) -> str:
    if kind not in TERMS_KINDS:
        raise DomainError(str(_l("Unknown kind of loan terms.")), field="kind")
    return kind


def current_terms(kind: str) -> TermsView:
    """The loan terms of ``kind`` (a device kind or ``line``)."""
    return TermsView(_kind(kind), db.session.get(LoanTerms, kind))


def all_terms() -> list[TermsView]:
    rows = {row.kind: row for row in db.session.scalars(select(LoanTerms))}
    return [TermsView(kind, rows.get(kind)) for kind in TERMS_KINDS]


def set_terms(kind: str, text_ja: object, text_en: object, actor: User, *,
              ip: str | None = None) -> TermsView:
    """Store the terms of ``kind``; the version goes up by one when a text changes."""
    kind = _kind(kind)
    c = f.Checker()
    ja = c.run(f.text, text_ja, "text_ja", max_length=MAX_TERMS, required=True,
               multiline=True)
    en = c.run(f.text, text_en, "text_en", max_length=MAX_TERMS, required=True,
               multiline=True)
    c.done()
    row = db.session.get(LoanTerms, kind, with_for_update=True)
    if row is None:
        row = LoanTerms(kind=kind, text_ja=ja, text_en=en, version=1)
        try:
            with db.session.begin_nested():
                db.session.add(row)
                db.session.flush()
        except IntegrityError as exc:
            raise Conflict(str(_l("The terms were saved by someone else meanwhile. Reload and "
                                  "try again.")), code="stale") from exc
    elif (row.text_ja, row.text_en) != (ja, en):
        row.text_ja, row.text_en = ja, en
        row.version += 1
        db.session.flush()
    else:
        return TermsView(kind, row)
    audit("devices.terms_changed", actor=actor, target=f"terms:{kind}", ip=ip,
          version=row.version)
    return TermsView(kind, row)
