"""A batch of saves in three round trips: check under the lock, insert everything, commit.

``postgres_batch.write_batch`` gives each save a savepoint and runs the recorder's hooks once per
save: about five round trips per save, all while the events table's EXCLUSIVE lock is held.
Only one batch of an application writes at a time, so under load that lock-holding time is
the write rate; and in a busy server every round trip also means giving up the GIL and waiting
to get it back. This path decides every save's fate before writing anything:

    BEGIN; LOCK TABLE events IN EXCLUSIVE MODE
    SELECT the (originator, version) pairs of the batch that already exist      -+ one round
    SELECT the batch's idempotency keys that already exist                       | trip
    SELECT the audit chain head                                                 -+
    -- in Python: a save is refused if its key or one of its versions is taken, by the store
    -- or by an earlier save of the batch (the same outcome, and the same exception, as the
    -- lone path; the key is checked first, as the lone path inserts it first)
    INSERT the accepted saves' idempotency rows (one statement)                  -+ one round
    the recorder's _insert_stored_events (lock again: held; NOTIFY; INSERT)      | trip
    the recorder's _fetch_ids_after_insert_events (ids; audit chain links)      -+
    COMMIT                                                                      -- the third

Under the EXCLUSIVE lock no other writer of events can add a version, so the version check is
exact. Idempotency keys are different: a lone writer in another process (group commit off)
inserts its key *before* it takes the table lock, so a key can appear between the check and
the insert. Then the insert fails, the transaction rolls back and the caller falls back to
the savepoint path, which charges the clash to that save alone. Any other failure is the
batch's, exactly as on the savepoint path.

Only plain application recorders whose saves carry nothing but an idempotency record (and the
None ``tracking`` every ``Application.save`` passes) take this path; a process recorder's
tracking rows, or any other keyword, go the savepoint way, through every hook. Which way each
batch went is counted (``write_batch``), so a fallback that became the rule shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import eventsourcing.postgres as es_pg
import psycopg
from eventsourcing.persistence import IntegrityError

from adapters.eventstore.audit_chain import CHAIN_HEAD_KWARG, KnownHead
from adapters.eventstore.group_commit import Write
from adapters.eventstore.idempotency import IDEMPOTENCY_KWARG, as_utc, idempotency_from_kwargs
from application.audit_chain import GENESIS
from application.idempotency import DuplicateIdempotencyKey, IdempotencyRecord

if TYPE_CHECKING:
    from adapters.eventstore.postgres import MotcuaPostgresApplicationRecorder


TRACKING_KWARG = "tracking"


class KeyAppearedMeanwhile(Exception):
    """An idempotency key was inserted by another transaction after the check: use savepoints."""


def bulk_applies(recorder: Any, batch: Sequence[Write]) -> bool:
    """True when every hook this path skips would have done nothing but what it does itself.

    ``Application.save`` always passes ``tracking`` (None outside a process application): a
    None tracking is nothing to write."""
    if isinstance(recorder, es_pg.PostgresProcessRecorder):
        return False
    return all(name == IDEMPOTENCY_KWARG or (name == TRACKING_KWARG and value is None)
               for write in batch for name, value in write.kwargs.items())


def write_bulk(recorder: MotcuaPostgresApplicationRecorder, batch: Sequence[Write]) -> None:
    """Write ``batch`` (see the module docstring); set each write's ids or error; raise when the
    transaction as a whole failed, or :class:`KeyAppearedMeanwhile`."""
    failure: Exception | None = None
    with recorder.datastore.get_connection() as conn:
        with conn.pipeline() as pipeline, conn.transaction():
            try:
                accepted, head = _check(recorder, conn, pipeline, batch)
                if accepted:
                    _insert(recorder, conn, pipeline, accepted, head)
            except Exception as error:  # raised after the pipeline has exited (no warning)
                failure = error
        if isinstance(failure, psycopg.errors.UniqueViolation):
            raise KeyAppearedMeanwhile(str(failure)) from failure
        if failure is not None:
            raise failure


def _check(recorder: MotcuaPostgresApplicationRecorder, conn: psycopg.Connection[Any],
           pipeline: psycopg.Pipeline, batch: Sequence[Write]) -> tuple[list[Write], KnownHead]:
    """Lock, read what is taken, refuse the saves that would clash; the accepted ones, in order,
    and the chain head they continue from."""
    records = [idempotency_from_kwargs(write.kwargs) for write in batch]
    pairs = [(e.originator_id, e.originator_version) for write in batch for e in write.stored_events]
    keys = [(r.scope, r.key) for r in records if r is not None]
    with conn.cursor() as lock, conn.cursor() as versions, conn.cursor() as taken_keys, \
            conn.cursor() as head:
        recorder._lock_table(lock)
        versions.execute(recorder.select_taken_versions_statement,
                         ([p[0] for p in pairs], [p[1] for p in pairs]), prepare=True)
        if keys:
            taken_keys.execute(recorder.select_taken_keys_statement,
                               ([k[0] for k in keys], [k[1] for k in keys]), prepare=True)
        if recorder.audit_chain_key is not None:
            head.execute(recorder.select_chain_head_statement, prepare=True)
        pipeline.sync()
        taken_versions = {(str(r["originator_id"]), r["originator_version"]) for r in versions.fetchall()}
        taken = {(r["scope"], r["key"]) for r in taken_keys.fetchall()} if keys else set()
        row = head.fetchone() if recorder.audit_chain_key is not None else None
    accepted: list[Write] = []
    for write, record in zip(batch, records, strict=True):
        if record is not None and (record.scope, record.key) in taken:
            write.error = DuplicateIdempotencyKey(
                f"idempotency key {record.key!r} of {record.scope!r} is already used")
            continue
        mine = {(str(e.originator_id), e.originator_version) for e in write.stored_events}
        clash = mine & taken_versions
        if clash or len(mine) < len(write.stored_events):
            originator, version = min(clash) if clash else next(iter(mine))
            write.error = IntegrityError(
                f"version conflict: ({originator}, {version}) already exists in {recorder.events_table_name}")
            continue
        accepted.append(write)
        taken_versions |= mine
        if record is not None:
            taken.add((record.scope, record.key))
    return accepted, KnownHead(GENESIS if row is None else bytes(row["hash"]))


def _insert(recorder: MotcuaPostgresApplicationRecorder, conn: psycopg.Connection[Any],
            pipeline: psycopg.Pipeline, accepted: Sequence[Write], head: KnownHead) -> None:
    records = [r for r in (idempotency_from_kwargs(w.kwargs) for w in accepted) if r is not None]
    events = [e for write in accepted for e in write.stored_events]
    kwargs = {CHAIN_HEAD_KWARG: head}
    with conn.cursor() as curs:
        if records:
            curs.execute(recorder.insert_idempotency_rows_statement, _columns(records), prepare=True)
    with conn.cursor() as curs:
        recorder._insert_stored_events(curs, events, **kwargs)
        pipeline.sync()  # a key taken meanwhile fails here, before anything is read back
        ids = recorder._fetch_ids_after_insert_events(curs, events, **kwargs)  # queues the links
    if ids is None or len(ids) != len(events):
        msg = f"{0 if ids is None else len(ids)} notification ids for {len(events)} events"
        raise RuntimeError(msg)
    start = 0
    for write in accepted:
        write.notification_ids = list(ids[start:start + len(write.stored_events)])
        start += len(write.stored_events)


def _columns(records: Sequence[IdempotencyRecord]) -> tuple[list[Any], ...]:
    return ([r.scope for r in records], [r.key for r in records], [r.body_hash for r in records],
            [r.status_code for r in records], [r.response for r in records],
            [as_utc(r.created_at) for r in records])
