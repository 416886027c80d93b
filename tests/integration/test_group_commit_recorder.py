"""Group commit at the recorder, on the real PostgreSQL: a batch keeps every write's own fate.

Writes are forced into one batch deterministically: the committer is given a long ``max_wait``
and a ``max_batch`` equal to the number of threads, so the batch closes exactly when all of them
have queued. ``stats()`` then shows that one batch of that size was written.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent
from psycopg.sql import SQL, Identifier

from adapters.eventstore.group_commit import GroupCommitter, Write
from adapters.eventstore.postgres import MotcuaPostgresApplicationRecorder, MotcuaPostgresFactory
from adapters.eventstore.postgres_batch import write_batch
from application.audit_chain import AUDIT_CHAIN_KEY_ENV, parse_chain_key, verify_chain
from application.idempotency import DuplicateIdempotencyKey, IdempotencyRecord
from tests.integration.conftest import PG_CONNINFO

KEY_TEXT = "a test key for the audit chain, long enough"
KEY = parse_chain_key(KEY_TEXT)
FOREVER = 30.0
"""A ``max_wait`` no test reaches: batches close because they are full."""


@pytest.fixture
def recorder(pg_env: dict[str, str]) -> Iterator[MotcuaPostgresApplicationRecorder]:
    """Our recorder with the audit chain on and group commit off (tests switch it on)."""
    factory = MotcuaPostgresFactory({**pg_env, AUDIT_CHAIN_KEY_ENV: KEY_TEXT, "POSTGRES_LOCK_TIMEOUT": "1"})
    recorder = factory.application_recorder()
    assert isinstance(recorder, MotcuaPostgresApplicationRecorder)
    assert recorder.group_committer is None
    recorder.create_table()
    try:
        yield recorder
    finally:
        factory.close()


def event(originator_id: UUID, version: int = 1, body: bytes = b"{}") -> StoredEvent:
    return StoredEvent(originator_id, version, "topic", body)


def key(name: str) -> IdempotencyRecord:
    return IdempotencyRecord(scope="citizen-1:submit", key=name, body_hash="h", status_code=201,
                             response=name.encode(), created_at=datetime(2026, 3, 2, tzinfo=UTC))


def wait_until_someone_waits_for(conn: psycopg.Connection[Any], seconds: float = 30.0) -> bool:
    """True once another session waits for ``conn``'s open transaction (a row it wrote)."""
    for _ in range(int(seconds / 0.05)):
        waiting = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted "
            "AND transactionid = pg_current_xact_id()::xid").fetchone()
        if waiting and waiting[0]:
            return True
        threading.Event().wait(0.05)
    return False


def insert_together(recorder: MotcuaPostgresApplicationRecorder,
                    writes: Sequence[tuple[list[StoredEvent], dict[str, Any]]]) -> list[Any]:
    """Each write from a thread of its own; each thread's ids or exception, in write order."""
    outcomes: list[Any] = [None] * len(writes)

    def one(i: int) -> None:
        events, kwargs = writes[i]
        try:
            outcomes[i] = recorder.insert_events(events, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the outcome is what is checked
            outcomes[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(writes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_a_batch_with_one_conflicting_write_commits_the_others_and_fails_that_one_alone(
    recorder: MotcuaPostgresApplicationRecorder,
) -> None:
    taken, taken_key = uuid4(), key("taken")
    recorder.insert_events([event(taken)], idempotency=taken_key)
    committer = recorder.enable_group_commit(max_wait=FOREVER, max_batch=5)
    fresh = [uuid4() for _ in range(3)]
    writes = [
        ([event(fresh[0]), event(fresh[0], 2)], {"idempotency": key("k0")}),
        ([event(taken)], {}),  # version 1 exists: a version conflict
        ([event(fresh[1])], {"idempotency": key("k1")}),
        ([event(fresh[2])], {"idempotency": taken_key}),  # a repeated key
        ([event(uuid4())], {}),
    ]

    outcomes = insert_together(recorder, writes)

    assert committer.stats() == {5: 1}
    conflict, duplicate = outcomes[1], outcomes[3]
    assert isinstance(conflict, IntegrityError) and not isinstance(conflict, DuplicateIdempotencyKey)
    assert isinstance(duplicate, DuplicateIdempotencyKey)
    committed = [outcomes[0], outcomes[2], outcomes[4]]
    assert all(isinstance(ids, list) for ids in committed), outcomes
    assert [len(ids) for ids in committed] == [2, 1, 1]
    stored = recorder.select_notifications(start=None, limit=100)
    assert [(n.originator_id, n.originator_version) for n in stored] == [
        (taken, 1), (fresh[0], 1), (fresh[0], 2), (fresh[1], 1), (writes[4][0][0].originator_id, 1),
    ]
    assert [n.id for n in stored[1:]] == [i for ids in committed for i in ids]
    assert recorder.select_events(fresh[2]) == []  # its key was refused, so none of its events
    assert recorder.find_idempotency("citizen-1:submit", "k0") is not None
    assert recorder.find_idempotency("citizen-1:submit", "k1") is not None
    assert recorder.find_idempotency("citizen-1:submit", "taken").response == b"taken"  # type: ignore[union-attr]
    assert KEY is not None and verify_chain(recorder, KEY).ok


def test_writes_of_one_batch_get_ascending_ids_in_queue_order_and_a_chain_that_verifies(
    recorder: MotcuaPostgresApplicationRecorder,
) -> None:
    """Called directly, the batch writer shows the order it writes in: the queue's."""
    originators = [uuid4() for _ in range(4)]

    batch = [Write([event(o)], {}) for o in originators]
    write_batch(recorder, batch)

    ids = [w.notification_ids for w in batch]
    assert all(w.error is None for w in batch)
    flat = [i for one in ids for i in one]  # type: ignore[union-attr]
    assert flat == sorted(flat) and len(set(flat)) == 4
    head = recorder.chain_head()
    assert head is not None and head.notification_id == flat[-1]
    assert KEY is not None and verify_chain(recorder, KEY).ok


def test_when_the_batch_transaction_fails_every_write_gets_its_own_error_and_nothing_commits(
    recorder: MotcuaPostgresApplicationRecorder, pg_schema: str,
) -> None:
    """Another session holds the table lock past ``lock_timeout`` (1 s): the batch's LOCK fails.

    The committer is called without the recorder's retry, to see the raw outcome.
    """
    committer = GroupCommitter(lambda batch: write_batch(recorder, batch), max_wait=FOREVER, max_batch=3)
    outcomes: list[Any] = [None] * 3
    with psycopg.connect(PG_CONNINFO) as blocker:
        blocker.execute(SQL("LOCK TABLE {}.{} IN EXCLUSIVE MODE").format(
            Identifier(pg_schema), Identifier(recorder.events_table_name)))

        def one(i: int) -> None:
            try:
                outcomes[i] = committer.insert([event(uuid4())], {})
            except Exception as exc:  # noqa: BLE001
                outcomes[i] = exc

        threads = [threading.Thread(target=one, args=(i,)) for i in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        blocker.rollback()

    assert all(isinstance(o, OperationalError) for o in outcomes), outcomes
    assert len({id(o) for o in outcomes}) == 3  # one object per waiting thread
    assert committer.stats() == {}  # no batch was written
    assert recorder.select_notifications(start=None, limit=10) == []


def test_the_recorder_retries_a_batch_that_failed_on_the_lock_and_loses_nothing(
    recorder: MotcuaPostgresApplicationRecorder, pg_schema: str,
) -> None:
    recorder.enable_group_commit(max_wait=FOREVER, max_batch=3)
    originators = [uuid4() for _ in range(3)]
    release = threading.Timer(1.5, lambda: None)
    with psycopg.connect(PG_CONNINFO) as blocker:
        blocker.execute(SQL("LOCK TABLE {}.{} IN EXCLUSIVE MODE").format(
            Identifier(pg_schema), Identifier(recorder.events_table_name)))
        result: list[Any] = []
        runner = threading.Thread(target=lambda: result.extend(
            insert_together(recorder, [([event(o)], {}) for o in originators])))
        runner.start()
        release.start()
        release.join()  # the first attempt times out on the lock (1 s); the retry waits
        blocker.rollback()
        runner.join(60)

    assert all(isinstance(ids, list) and len(ids) == 1 for ids in result), result
    stored = recorder.select_notifications(start=None, limit=10)
    assert sorted(n.originator_id for n in stored) == sorted(originators)


def test_a_batch_and_a_lone_writer_of_one_idempotency_key_never_hang_and_one_of_them_owns_it(
    recorder: MotcuaPostgresApplicationRecorder, pg_schema: str,
) -> None:
    """The lone path (another process, group commit off) writes its key before it takes the table
    lock; a batch takes the lock first. Forced here into the deadlock that order allows:
    PostgreSQL aborts one of the two, and either the batch's write owns the key or it is
    refused as a repeated key once the lone writer committed; never both, never neither."""
    recorder.enable_group_commit(max_wait=0, max_batch=1)
    idem = key("contested")
    table = recorder.idempotency_table_name
    outcome: list[Any] = []
    with psycopg.connect(PG_CONNINFO) as lone:
        lone.execute(SQL("INSERT INTO {}.{} VALUES (%s, %s, 'h', 201, 'lone', now())").format(
            Identifier(pg_schema), Identifier(table)), (idem.scope, idem.key))
        batch = threading.Thread(target=lambda: outcome.extend(
            insert_together(recorder, [([event(uuid4())], {"idempotency": idem})])))
        batch.start()
        # Wait until the batch holds the table lock and waits for the lone writer's key.
        wait_until_someone_waits_for(lone)
        lone_won = True
        try:
            lone.execute(SQL("LOCK TABLE {}.{} IN EXCLUSIVE MODE").format(
                Identifier(pg_schema), Identifier(recorder.events_table_name)))
            lone.commit()
        except psycopg.errors.DeadlockDetected:
            lone.rollback()
            lone_won = False
        batch.join(60)

    row = recorder.find_idempotency(idem.scope, idem.key)
    assert row is not None
    if lone_won:
        assert isinstance(outcome[0], DuplicateIdempotencyKey), outcome
        assert row.response == b"lone"
    else:
        assert isinstance(outcome[0], list) and len(outcome[0]) == 1, outcome
        assert row.response == idem.response
