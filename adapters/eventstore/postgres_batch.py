"""One PostgreSQL transaction for a batch of writes, one savepoint per write.

What a lone ``insert_events`` does in its transaction is done here for each write of the batch,
through the recorder's own hooks and in the same order, so every row that must commit with the
events (idempotency keys, audit chain links, tracking rows) is written exactly as before:

    BEGIN; LOCK TABLE events IN EXCLUSIVE MODE
    for each write:  SAVEPOINT
                     _insert_events            (idempotency row, tracking row)
                     _insert_stored_events     (lock again: already held; NOTIFY; INSERT)
                     _fetch_ids_after_insert_events (notification ids; audit chain links)
                     RELEASE SAVEPOINT   -- or ROLLBACK TO SAVEPOINT on any error of this write
    COMMIT

The table lock is taken once, before the first savepoint, so that rolling back a failed write's
savepoint never releases it (a lock first taken inside a savepoint goes with it) and notification
ids keep committing in order. Writes run in queue order, so their ids ascend in that order and
each write's chain links continue from the previous write's; the ids a failed write drew from
the sequence are a gap, as after any failed insert.

A write's own failure (a version conflict, a repeated idempotency key, a deadlock victim) is
recorded on it with the exception the lone path would have raised (psycopg's error translated
to eventsourcing's, the original kept as ``__cause__``), and the others go on. A failure that
leaves the transaction unusable (connection lost, COMMIT failed) is raised: then nothing of the
batch committed and every write gets that error (``OperationalError``: the recorder retries).

Lock order differs from the lone path in one way: a lone insert writes its idempotency row
before waiting for the table lock, a batch writes its rows under the lock. A batch and a lone
insert of one key in another process could therefore deadlock; PostgreSQL then aborts one of
them (``DeadlockDetected``, an ``OperationalError``) and the recorder's retry resolves it.
Batches among themselves cannot deadlock: each takes the table lock before anything else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import psycopg
from eventsourcing.persistence import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    PersistenceError,
    ProgrammingError,
)
from psycopg.pq import TransactionStatus

from adapters.eventstore.audit_chain import CHAIN_HEAD_KWARG, KnownHead
from adapters.eventstore.group_commit import Write, metrics_hook
from adapters.eventstore.postgres_bulk import KeyAppearedMeanwhile, bulk_applies, write_bulk

if TYPE_CHECKING:
    import eventsourcing.postgres as es_pg

# In pipeline mode libpq reports ACTIVE while results are pending; both mean "still usable".
_USABLE = (TransactionStatus.INTRANS, TransactionStatus.ACTIVE)

# The same mapping as ``PostgresDatastore.get_connection``, most specific first.
_TRANSLATIONS: list[tuple[type[psycopg.Error], type[PersistenceError]]] = [
    (psycopg.InterfaceError, InterfaceError),
    (psycopg.OperationalError, OperationalError),
    (psycopg.DataError, DataError),
    (psycopg.IntegrityError, IntegrityError),
    (psycopg.InternalError, InternalError),
    (psycopg.ProgrammingError, ProgrammingError),
    (psycopg.NotSupportedError, NotSupportedError),
    (psycopg.DatabaseError, DatabaseError),
]


def translate(error: BaseException) -> BaseException:
    """eventsourcing's exception for a psycopg error, caused by it; anything else unchanged."""
    if not isinstance(error, psycopg.Error):
        return error
    kind: type[PersistenceError] = PersistenceError
    for psycopg_kind, ours in _TRANSLATIONS:
        if isinstance(error, psycopg_kind):
            kind = ours
            break
    translated = kind(str(error))
    translated.__cause__ = error
    return translated


def write_batch(recorder: es_pg.PostgresApplicationRecorder, batch: Sequence[Write]) -> None:
    """Write ``batch`` in one transaction (see the module docstring); set each write's ids or
    error; raise only when the transaction as a whole failed.

    Batches of plain saves go the three-round-trip way of ``postgres_bulk`` first; they come
    here only when a key appeared after that path checked it."""
    if not batch:
        return
    if bulk_applies(recorder, batch):
        try:
            write_bulk(recorder, batch)  # type: ignore[arg-type]
            count_path(recorder, "bulk")
            return
        except KeyAppearedMeanwhile:  # rolled back: decide again, one savepoint per write
            for write in batch:
                write.error, write.notification_ids = None, None
    failure: Exception | None = None
    head = KnownHead()
    with recorder.datastore.get_connection() as conn:
        # Pipeline mode, as the lone path: a write costs two round trips under the lock (the
        # insert's sync, which also brings the ids, and the sync after its chain links), not
        # one per statement.
        with conn.pipeline() as pipeline, conn.transaction():
            try:
                with conn.cursor() as curs:
                    recorder._lock_table(curs)
                for write in batch:
                    _write_one(recorder, conn, pipeline, write, head)
            except Exception as error:  # raised after the pipeline has exited (no warning)
                failure = error
        if failure is not None:
            raise failure
    count_path(recorder, "savepoint")


def count_path(recorder: Any, path: str) -> None:
    """Tally a committed batch by the way it was written, on the recorder (``batch_paths``) and,
    where the metrics module exists, in ``motcua_group_commit_batches_total``."""
    paths: Counter[str] | None = getattr(recorder, "batch_paths", None)
    if paths is not None:
        paths[path] += 1
    observe = _path_hook()
    if observe is not None:
        observe(path)


@cache
def _path_hook() -> Callable[[Any], None] | None:
    return metrics_hook("observe_batch_path")


def _write_one(recorder: es_pg.PostgresApplicationRecorder, conn: psycopg.Connection[Any],
               pipeline: psycopg.Pipeline, write: Write, head: KnownHead) -> None:
    events = write.stored_events
    kwargs = {**write.kwargs, CHAIN_HEAD_KWARG: head}
    head_before = head.hash
    try:
        with conn.transaction():  # a savepoint: an error rolls back this write alone
            with conn.cursor() as curs:
                recorder._insert_events(curs, events, **kwargs)
            with conn.cursor() as curs:
                recorder._insert_stored_events(curs, events, **kwargs)
                pipeline.sync()  # this write's conflicts surface here, inside its savepoint
                ids = recorder._fetch_ids_after_insert_events(curs, events, **kwargs)
            # Everything this write queued is checked before its savepoint is released, so a
            # late error can never be charged to the next write.
            pipeline.sync()
    except Exception as error:
        head.hash = head_before  # its links, if any, were rolled back with it
        if conn.closed or conn.info.transaction_status not in _USABLE:
            raise  # the transaction itself is gone: the whole batch fails
        write.error = translate(error)
    else:
        write.notification_ids = list(ids) if ids is not None else []
