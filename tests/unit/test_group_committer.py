"""The group committer's queue on its own: batching, outcomes per write, leadership hand-over.

The batch writer here is an in-memory one that records the batches it was given (the real one,
on PostgreSQL, is tested in tests/integration/test_group_commit_*.py). Batches are made
deterministic with a long ``max_wait`` and a ``max_batch`` equal to the number of writers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError, OperationalError, PersistenceError, StoredEvent
from eventsourcing.utils import Environment

from adapters.eventstore.group_commit import GroupCommitConfig, GroupCommitter, Write

FOREVER = 30.0


class Log:
    """Gives ids in write order, as the table would; fails the writes it is told to."""

    def __init__(self, fail: Callable[[Write], BaseException | None] = lambda w: None) -> None:
        self.batches: list[list[str]] = []
        self.next_id = 1
        self.fail = fail

    def __call__(self, batch: Sequence[Write]) -> None:
        self.batches.append([w.kwargs["name"] for w in batch])
        for write in batch:
            error = self.fail(write)
            if error is not None:
                write.error = error
                continue
            write.notification_ids = list(range(self.next_id, self.next_id + len(write.stored_events)))
            self.next_id += len(write.stored_events)


def events(n: int = 1) -> list[StoredEvent]:
    return [StoredEvent(uuid4(), 1, "topic", b"{}") for _ in range(n)]


def insert_together(committer: GroupCommitter, names: list[str]) -> dict[str, Any]:
    outcomes: dict[str, Any] = {}

    def one(name: str) -> None:
        try:
            outcomes[name] = committer.insert(events(), {"name": name})
        except BaseException as exc:  # noqa: BLE001 - the outcome is what is checked
            outcomes[name] = exc

    threads = [threading.Thread(target=one, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_concurrent_writes_are_written_as_one_batch_and_each_gets_its_own_ids() -> None:
    log = Log()
    committer = GroupCommitter(log, max_wait=FOREVER, max_batch=4)

    outcomes = insert_together(committer, ["a", "b", "c", "d"])

    assert len(log.batches) == 1 and sorted(log.batches[0]) == ["a", "b", "c", "d"]
    assert sorted(i for ids in outcomes.values() for i in ids) == [1, 2, 3, 4]
    assert committer.stats() == {4: 1}


def test_a_write_that_fails_alone_raises_its_own_error_and_the_others_succeed() -> None:
    log = Log(fail=lambda w: IntegrityError("conflict") if w.kwargs["name"] == "b" else None)
    committer = GroupCommitter(log, max_wait=FOREVER, max_batch=3)

    outcomes = insert_together(committer, ["a", "b", "c"])

    assert isinstance(outcomes["b"], IntegrityError)
    assert all(isinstance(outcomes[n], list) for n in "ac")


def test_a_failed_transaction_gives_every_writer_its_own_copy_of_the_error() -> None:
    cause = RuntimeError("connection lost")

    def broken(batch: Sequence[Write]) -> None:
        error = OperationalError("server closed the connection")
        error.__cause__ = cause
        raise error

    committer = GroupCommitter(broken, max_wait=FOREVER, max_batch=3)

    outcomes = insert_together(committer, ["a", "b", "c"])

    assert all(isinstance(o, OperationalError) for o in outcomes.values())
    assert len({id(o) for o in outcomes.values()}) == 3
    assert all(o.__cause__ is cause for o in outcomes.values())
    assert committer.stats() == {}


def test_batches_never_exceed_the_maximum_and_later_writers_lead_the_next_batch() -> None:
    log = Log()
    committer = GroupCommitter(log, max_wait=0.05, max_batch=2)

    outcomes = insert_together(committer, [str(i) for i in range(7)])

    assert all(isinstance(o, list) for o in outcomes.values())
    assert all(len(batch) <= 2 for batch in log.batches)
    assert sorted(n for batch in log.batches for n in batch) == [str(i) for i in range(7)]


def test_an_interrupted_leader_answers_its_batch_and_the_committer_keeps_working() -> None:
    """The leader's thread is interrupted while writing: its followers get an error instead of
    waiting for ever, and the next writer becomes leader."""
    interrupt = threading.Event()
    interrupt.set()
    log = Log()

    def writer(batch: Sequence[Write]) -> None:
        if interrupt.is_set():
            interrupt.clear()
            raise KeyboardInterrupt
        log(batch)

    committer = GroupCommitter(writer, max_wait=FOREVER, max_batch=3)

    first = insert_together(committer, ["a", "b", "c"])
    committer.max_batch = 1
    after = insert_together(committer, ["d"])

    assert sum(isinstance(o, KeyboardInterrupt) for o in first.values()) == 1
    assert sum(isinstance(o, PersistenceError) for o in first.values()) == 2
    assert after == {"d": [1]}


def test_group_commit_settings_are_read_from_the_store_environment_and_checked() -> None:
    config = GroupCommitConfig.from_env(Environment("Dossiers", {
        "GROUP_COMMIT": "y", "GROUP_COMMIT_MAX_WAIT": "0.002", "GROUP_COMMIT_MAX_BATCH": "16"}))
    assert config == GroupCommitConfig(enabled=True, max_wait=0.002, max_batch=16)
    assert GroupCommitConfig.from_env(Environment("Dossiers", {})).enabled is False
    with pytest.raises(ValueError, match="GROUP_COMMIT"):
        GroupCommitConfig.from_env(Environment("Dossiers", {"GROUP_COMMIT_MAX_BATCH": "0"}))
    with pytest.raises(ValueError, match="GROUP_COMMIT"):
        GroupCommitConfig.from_env(Environment("Dossiers", {"GROUP_COMMIT": "perhaps"}))


def test_after_a_batch_of_one_a_lone_writer_commits_without_waiting_for_company() -> None:
    """A sequential writer (an import, the simulator) must not pay ``max_wait`` on every save.

    The first write is made with no wait, giving a batch of one; the wait is then set far beyond
    the join below, so the second write only finishes if it does not wait at all."""
    log = Log()
    committer = GroupCommitter(log, max_wait=0, max_batch=8)
    assert insert_together(committer, ["first"]) == {"first": [1]}
    committer.max_wait = FOREVER * 10
    second: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: second.update(insert_together(committer, ["second"])), daemon=True)

    thread.start()
    thread.join(FOREVER)

    assert second == {"second": [2]}
    assert committer.stats() == {1: 2}
