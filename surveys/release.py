"""Released batches: how an anonymous survey's results move in steps of at least k.

A submitted anonymous response first waits in the pool (``SurveyPoolEntry``: a random id
and the answers, no person, no time). ``release`` moves the pool of one survey into
``SurveyResponse`` rows, but only once at least k (the survey's minimum group size) are
waiting, or when the survey closes:

* **One transaction per batch.** The responses and their answers are inserted in shuffled
  order, the pool entries deleted and every waiting participation of the survey marked
  ``released``, all in one transaction. On PostgreSQL the batch's rows, responses and
  participations alike, therefore share one transaction id (``xmin``), and their physical
  order within the batch is random; the participations' old row versions (which carried the
  submission's transaction id) become dead tuples with the pool's.
* **Vacuumed after.** Once the batch is committed the pool is rewritten and participation
  vacuumed (PostgreSQL ``VACUUM FULL survey_pool`` and ``VACUUM``; SQLite deletes with
  ``secure_delete`` and its WAL is checkpointed and truncated), so the dead row versions
  that paired a person's participation with their pooled answers do not wait for
  autovacuum, nor linger in the pool's pages.
* **Every view reads the snapshot.** Results, charts, exports, the API and response rates
  read only released responses and released participations, so two views taken at any two
  moments differ by whole batches of at least k people (or by the last batch at closing).
* **Locking.** A release locks the survey's row (``FOR UPDATE``; on SQLite the database's
  write lock) and submissions take a share lock on it, so a batch never half-includes a
  submission that commits at the same moment.

The periodic job ``surveys.release`` runs every ten minutes; closing a survey releases what
is left.
"""

from __future__ import annotations

import json
import logging
import secrets
import uuid

from sqlalchemy import delete, event, func, select, update
from sqlalchemy.orm import Session

from surveys.answering import answer_rows
from surveys.models import Survey, SurveyParticipation, SurveyPoolEntry, SurveyResponse
from workhub.extensions import db
from workhub.locking import lock_row

log = logging.getLogger(__name__)

VACUUM_FLAG = "surveys_vacuum_pool"
VACUUM_LOCK_WAIT = "3s"


def pending_count(survey: Survey) -> int:
    """How many submitted responses of ``survey`` wait for their batch."""
    return db.session.scalar(select(func.count()).select_from(SurveyPoolEntry)
                             .where(SurveyPoolEntry.survey_id == survey.id)) or 0


def released_count(survey: Survey) -> int:
    """How many responses of ``survey`` the results hold."""
    return db.session.scalar(select(func.count()).select_from(SurveyResponse)
                             .where(SurveyResponse.survey_id == survey.id)) or 0


def _shuffled(items: list) -> list:
    items = list(items)
    for i in range(len(items) - 1, 0, -1):  # Fisher–Yates with the system's randomness
        j = secrets.randbelow(i + 1)
        items[i], items[j] = items[j], items[i]
    return items


def release(survey: Survey, *, closing: bool = False) -> int:
    """Release ``survey``'s pool as one batch when it holds at least k responses (any number
    when ``closing``); return how many were released (0: nothing moved). Flushes; the
    caller commits, and the pool is vacuumed after that commit."""
    if not survey.anonymous:
        return 0
    lock_row(Survey, survey.id)
    entries = list(db.session.scalars(select(SurveyPoolEntry)
                                      .where(SurveyPoolEntry.survey_id == survey.id)))
    if not entries or (len(entries) < survey.min_group_size and not closing):
        return 0
    for entry in _shuffled(entries):
        try:
            clean = json.loads(entry.answers_json)
        except ValueError:
            clean = {}
        response = SurveyResponse(id=str(uuid.uuid4()), survey_id=survey.id)
        response.answers = answer_rows(survey, clean if isinstance(clean, dict) else {})
        db.session.add(response)
        db.session.flush()  # inserted in the shuffled order, one after the other
    db.session.execute(delete(SurveyPoolEntry).where(
        SurveyPoolEntry.id.in_([e.id for e in entries])), execution_options={
            "synchronize_session": False})
    for entry in entries:
        db.session.expunge(entry)
    db.session.execute(update(SurveyParticipation).where(
        SurveyParticipation.survey_id == survey.id,
        SurveyParticipation.released.is_(False)).values(released=True),
        execution_options={"synchronize_session": False})
    db.session.flush()
    db.session.info[VACUUM_FLAG] = True
    log.info("released a batch of %d responses of survey %d", len(entries), survey.id)
    return len(entries)


def vacuum(engine=None) -> None:
    """Remove the dead row versions of the pool and of participation now.

    PostgreSQL: ``VACUUM FULL survey_pool`` rewrites the (small) pool into a new file, so
    the deleted entries are gone from the table's pages, not only marked free as a plain
    VACUUM leaves them; participation and drafts get a plain VACUUM. It waits at most a few
    seconds for its lock (a later release tries again). SQLite: the deleted rows were
    zeroed (``secure_delete``); the write-ahead log that still holds the old pages is
    checkpointed and truncated. Failures are logged, not raised: the batch is committed."""
    engine = engine or db.engine
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SET lock_timeout = '{VACUUM_LOCK_WAIT}'")
                try:
                    conn.exec_driver_sql("VACUUM FULL survey_pool")
                    conn.exec_driver_sql("VACUUM survey_participation, survey_drafts")
                finally:
                    conn.exec_driver_sql("RESET lock_timeout")
            elif engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA busy_timeout=1000")
                try:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                finally:
                    conn.exec_driver_sql("PRAGMA busy_timeout=30000")
    except Exception:  # noqa: BLE001 - maintenance after the fact; the batch stands
        log.warning("could not vacuum the survey pool", exc_info=True)


@event.listens_for(Session, "after_commit")
def _vacuum_after_release(session: Session) -> None:
    if session.info.pop(VACUUM_FLAG, False):
        bind = session.get_bind()
        vacuum(getattr(bind, "engine", bind))


@event.listens_for(Session, "after_rollback")
def _forget_vacuum(session: Session) -> None:
    session.info.pop(VACUUM_FLAG, None)
