"""The audit log as a hash chain: an edited, deleted or inserted entry is detected.

Each entry, once **sealed**, has a sequence number ``seq`` and ``hash = SHA-256(prev_hash ‖
the entry's fields)``, where ``prev_hash`` is the hash of entry ``seq - 1``; the one-row
table ``audit_chain`` keeps the last ``seq`` and hash, so removing the newest entries is seen
too. ``verify`` walks the chain and names every break.

Sealing is the last step of the transaction that wrote entries (a ``before_commit`` hook):
it locks the chain's head, chains the new entries and commits, so concurrent writers are
serialised only for the moment of their commit, and the head is the last lock they take
(no deadlock can form around it). Entries written outside the ORM session stay unsealed
until the next seal; ``verify`` counts them (``workhub audit verify`` seals them first
unless ``--no-seal``).

What it does not do: someone who can write to the database *and* knows the scheme can
rebuild the whole chain. Against that, keep the printed head (``seq`` and hash, shown by
``workhub audit verify``) somewhere they cannot write, e.g. the operations log, and compare.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field

from sqlalchemy import Integer, String, event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from workhub.auth.models import AuditEvent
from workhub.extensions import db

log = logging.getLogger(__name__)

FLAG = "audit_unsealed"
BATCH = 1000


class AuditChain(db.Model):
    """The head of the chain: the last sealed ``seq`` and its hash (one row, id 1)."""

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="")


def entry_hash(prev_hash: str, seq: int, row) -> str:
    """The hash of one entry after ``prev_hash`` (``row``: an AuditEvent or a row of it)."""
    fields = {
        "seq": seq, "at": row.at.isoformat() if row.at else None, "event": row.event,
        "actor_id": row.actor_id, "actor_login": row.actor_login, "target": row.target,
        "ip": row.ip, "detail": row.detail or {},
    }
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)
    return hashlib.sha256(f"{prev_hash}\n{text}".encode()).hexdigest()


def _head(conn) -> tuple[int, str]:
    """Lock the chain's head and return (seq, last hash); create it when missing."""
    lock = update(AuditChain).where(AuditChain.id == 1).values(seq=AuditChain.seq)
    if not conn.execute(lock).rowcount:  # only on an emptied table: migrations create it
        try:
            with conn.begin_nested():
                conn.execute(AuditChain.__table__.insert().values(id=1, seq=0, last_hash=""))
        except IntegrityError:
            pass  # another writer created it at the same moment
        conn.execute(lock)
    row = conn.execute(select(AuditChain.seq, AuditChain.last_hash)
                       .where(AuditChain.id == 1)).one()
    return row.seq, row.last_hash


def seal_with(conn) -> int:
    """Chain every unsealed entry on ``conn`` (inside its transaction); return how many."""
    seq, last = _head(conn)
    table = AuditEvent.__table__
    sealed = 0
    while True:
        rows = conn.execute(select(table).where(table.c.seq.is_(None))
                            .order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            break
        for row in rows:
            seq += 1
            digest = entry_hash(last, seq, row)
            conn.execute(update(table).where(table.c.id == row.id)
                         .values(seq=seq, prev_hash=last, hash=digest))
            last = digest
        sealed += len(rows)
    conn.execute(update(AuditChain).where(AuditChain.id == 1).values(seq=seq, last_hash=last))
    return sealed


def seal(engine=None) -> int:
    """Seal what is unsealed, in a transaction of its own."""
    engine = engine or db.engine
    with engine.begin() as conn:
        return seal_with(conn)


@dataclass
class Verdict:
    """What ``verify`` found: ``problems`` is empty when the chain holds."""

    sealed: int = 0
    unsealed: int = 0
    head_seq: int = 0
    head_hash: str = ""
    problems: list[str] = field(default_factory=list)


def verify() -> Verdict:
    """Walk the chain from the first entry; name every entry changed, missing or added."""
    table = AuditEvent.__table__
    verdict = Verdict()
    head = db.session.execute(select(AuditChain.seq, AuditChain.last_hash)
                              .where(AuditChain.id == 1)).one_or_none()
    verdict.head_seq, verdict.head_hash = (head.seq, head.last_hash) if head else (0, "")
    verdict.unsealed = db.session.scalar(select(db.func.count()).select_from(table)
                                         .where(table.c.seq.is_(None))) or 0
    expected, last, after = 1, "", 0
    while True:
        rows = db.session.execute(select(table).where(table.c.seq > after)
                                  .order_by(table.c.seq).limit(BATCH)).all()
        if not rows:
            break
        for row in rows:
            if row.seq != expected:
                verdict.problems.append(
                    f"entries {expected}–{row.seq - 1} are missing (deleted)"
                    if row.seq > expected else f"entry {row.seq} appears twice")
                last = row.prev_hash or ""
            if row.prev_hash != last:
                verdict.problems.append(f"entry {row.seq} (id {row.id}) does not follow the "
                                        "entry before it")
            if entry_hash(row.prev_hash or "", row.seq, row) != row.hash:
                verdict.problems.append(f"entry {row.seq} (id {row.id}, {row.event}) was "
                                        "changed after it was written")
            last, expected, after = row.hash, row.seq + 1, row.seq
            verdict.sealed += 1
    if verdict.head_seq != expected - 1 or verdict.head_hash != last:
        verdict.problems.append(
            f"the newest entries {expected}–{verdict.head_seq} are missing (deleted)"
            if verdict.head_seq >= expected else
            "the chain's head does not match its last entry")
    return verdict


@event.listens_for(Session, "after_flush")
def _note_new_entries(session: Session, _context) -> None:
    if any(isinstance(obj, AuditEvent) for obj in session.new):
        session.info[FLAG] = True


@event.listens_for(Session, "before_commit")
def _seal_before_commit(session: Session) -> None:
    """Seal the transaction's new entries as its last step: the chain's head is the last
    lock an audited transaction takes, held only while it commits, so it cannot be part of
    a deadlock."""
    if any(isinstance(obj, AuditEvent) for obj in session.new):
        session.flush()
    if session.info.pop(FLAG, False):
        seal_with(session.connection())


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(FLAG, None)
