"""The three-round-trip batch path (``postgres_bulk``) keeps each save's fate, on the real PostgreSQL.

Clashes inside one batch, and a key that another transaction inserts between the batch's check
and its insert (the batch then falls back to one savepoint per save).
"""

from __future__ import annotations

import threading
from typing import Any
from uuid import uuid4

import psycopg
from eventsourcing.persistence import IntegrityError
from psycopg.sql import SQL, Identifier

from adapters.eventstore.postgres import MotcuaPostgresApplicationRecorder
from application.audit_chain import verify_chain
from application.idempotency import DuplicateIdempotencyKey
from tests.integration.conftest import PG_CONNINFO
from tests.integration.test_group_commit_recorder import (  # noqa: F401 - the fixture is used by name
    FOREVER,
    KEY,
    event,
    insert_together,
    key,
    recorder,
    wait_until_someone_waits_for,
)


def test_two_saves_of_one_batch_on_the_same_version_commit_the_first_and_refuse_the_second(
    recorder: MotcuaPostgresApplicationRecorder,
) -> None:
    committer = recorder.enable_group_commit(max_wait=FOREVER, max_batch=4)
    shared, other = uuid4(), uuid4()
    writes = [([event(shared)], {}), ([event(other)], {}), ([event(shared)], {}), ([event(other, 2)], {})]

    outcomes = insert_together(recorder, writes)

    assert committer.stats() == {4: 1}
    refused = [o for o in outcomes if isinstance(o, IntegrityError)]
    assert len(refused) == 1 and not isinstance(refused[0], DuplicateIdempotencyKey)
    stored = recorder.select_notifications(start=None, limit=10)
    assert sorted((n.originator_id == shared, n.originator_version) for n in stored) == [(False, 1), (False, 2), (True, 1)]
    assert KEY is not None and verify_chain(recorder, KEY).ok


def test_two_saves_of_one_batch_with_one_idempotency_key_commit_the_first_and_refuse_the_second(
    recorder: MotcuaPostgresApplicationRecorder,
) -> None:
    recorder.enable_group_commit(max_wait=FOREVER, max_batch=3)
    writes = [([event(uuid4())], {"idempotency": key("same")}) for _ in range(2)] + [([event(uuid4())], {})]

    outcomes = insert_together(recorder, writes)

    assert sum(isinstance(o, DuplicateIdempotencyKey) for o in outcomes) == 1
    assert sum(isinstance(o, list) for o in outcomes) == 2
    assert len(recorder.select_notifications(start=None, limit=10)) == 2
    assert recorder.find_idempotency("citizen-1:submit", "same") is not None


def test_a_key_inserted_by_another_transaction_after_the_check_fails_that_save_alone(
    recorder: MotcuaPostgresApplicationRecorder, pg_schema: str,
) -> None:
    """The other transaction holds the key uncommitted (invisible to the check); the batch's insert
    waits for it; once it commits, the batch's insert fails and the batch is written again with a
    savepoint per save: the key's save is refused as a repeated key, the others commit."""
    committer = recorder.enable_group_commit(max_wait=FOREVER, max_batch=3)
    idem = key("late")
    outcome: list[Any] = []
    with psycopg.connect(PG_CONNINFO) as other:
        other.execute(SQL("INSERT INTO {}.{} VALUES (%s, %s, 'h', 201, 'other', now())").format(
            Identifier(pg_schema), Identifier(recorder.idempotency_table_name)), (idem.scope, idem.key))
        writes = [([event(uuid4())], {}), ([event(uuid4())], {"idempotency": idem}), ([event(uuid4())], {})]
        batch = threading.Thread(target=lambda: outcome.extend(insert_together(recorder, writes)))
        batch.start()
        assert wait_until_someone_waits_for(other), "the batch never waited for the other transaction's key"
        other.commit()
        batch.join(60)

    assert isinstance(outcome[1], DuplicateIdempotencyKey), outcome
    assert isinstance(outcome[0], list) and isinstance(outcome[2], list), outcome
    assert committer.stats() == {3: 1}
    stored = recorder.select_notifications(start=None, limit=10)
    assert [n.originator_id for n in stored] == [writes[0][0][0].originator_id, writes[2][0][0].originator_id]
    assert recorder.find_idempotency(idem.scope, idem.key).response == b"other"  # type: ignore[union-attr]
    assert KEY is not None and verify_chain(recorder, KEY).ok
