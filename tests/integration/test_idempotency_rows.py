"""Idempotency rows commit with the events of the same ``save()``, on both stores.

Each test runs on a real SQLite file and on PostgreSQL (a schema of its own), through an
Application configured only by its ``env`` dict, as the composition root will build it.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from threading import Barrier
from uuid import UUID

import pytest
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError, StoredEvent, Tracking

from adapters.eventstore.postgres import MotcuaPostgresApplicationRecorder
from adapters.eventstore.sqlite import MotcuaSQLiteApplicationRecorder
from adapters.eventstore.transcoder import MotcuaTranscoder
from application.idempotency import DuplicateIdempotencyKey, IdempotencyRecord, IdempotencyStore

TRANSCODER_TOPIC = "adapters.eventstore.transcoder:MotcuaTranscoder"
HANOI = timezone(timedelta(hours=7))
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Note(Aggregate):
    @event("Written")
    def __init__(self, text: str, due: date, wait: timedelta, fee: Decimal) -> None:
        self.text = text
        self.due = due
        self.wait = wait
        self.fee = fee

    @event("Edited")
    def edit(self, text: str) -> None:
        self.text = text


class Notes(Application[UUID]):
    """On PostgreSQL its tables are ``notes_events`` and ``notes_idempotency_keys``."""


def _note(text: str = "hello") -> Note:
    return Note(text, date(2026, 3, 9), timedelta(hours=3, microseconds=5), Decimal("10000.50"))


def _record(key: str = "k1", scope: str = "citizen-1", **changes: object) -> IdempotencyRecord:
    fields: dict[str, object] = {
        "scope": scope,
        "key": key,
        "body_hash": "sha256:abc",
        "status_code": 201,
        "response": b'{"id":"1"}',
        "created_at": NOW,
    }
    fields.update(changes)
    return IdempotencyRecord(**fields)  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite", "postgres"])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    if request.param == "sqlite":
        return {
            "PERSISTENCE_MODULE": "adapters.eventstore.sqlite",
            "SQLITE_DBNAME": str(tmp_path / "notes.sqlite"),
            "TRANSCODER_TOPIC": TRANSCODER_TOPIC,
        }
    return {**request.getfixturevalue("pg_env"), "TRANSCODER_TOPIC": TRANSCODER_TOPIC}


@pytest.fixture
def app(env: dict[str, str]) -> Iterator[Notes]:
    notes = Notes(env=env)
    yield notes
    notes.close()


def _store(app: Notes) -> IdempotencyStore:
    assert isinstance(app.recorder, IdempotencyStore)
    return app.recorder


def test_an_application_on_each_store_uses_our_recorder_and_transcoder(app: Notes) -> None:
    assert isinstance(
        app.recorder, (MotcuaSQLiteApplicationRecorder, MotcuaPostgresApplicationRecorder)
    )
    assert isinstance(app.mapper.transcoder, MotcuaTranscoder)
    note = _note()
    app.save(note)
    copy: Note = app.repository.get(note.id)
    assert (copy.due, copy.wait, copy.fee) == (note.due, note.wait, note.fee)


def test_the_idempotency_row_commits_with_the_events_of_the_save(app: Notes) -> None:
    note = _note()
    app.save(note, idempotency=_record(created_at=NOW.astimezone(HANOI)))
    assert app.repository.get(note.id).text == "hello"
    assert _store(app).find_idempotency("citizen-1", "k1") == _record()


def test_a_repeated_key_fails_the_whole_save_and_stores_none_of_its_events(app: Notes) -> None:
    app.save(_note("first"), idempotency=_record(status_code=201, response=b"first"))
    position = app.recorder.max_notification_id()
    second = _note("second")
    with pytest.raises(DuplicateIdempotencyKey):
        app.save(second, idempotency=_record(status_code=200, response=b"second"))
    with pytest.raises(AggregateNotFoundError):
        app.repository.get(second.id)
    assert app.recorder.max_notification_id() == position
    found = _store(app).find_idempotency("citizen-1", "k1")
    assert found is not None and (found.status_code, found.response) == (201, b"first")


def test_a_retry_that_also_conflicts_on_a_version_reports_the_key(app: Notes) -> None:
    note = _note()
    app.save(note)
    first: Note = app.repository.get(note.id)
    retry: Note = app.repository.get(note.id)
    rival: Note = app.repository.get(note.id)
    first.edit("first")
    app.save(first, idempotency=_record("edit-1"))
    retry.edit("retry")
    with pytest.raises(DuplicateIdempotencyKey):
        app.save(retry, idempotency=_record("edit-1"))
    rival.edit("rival")
    with pytest.raises(IntegrityError) as conflict:
        app.save(rival, idempotency=_record("edit-2"))
    assert not isinstance(conflict.value, DuplicateIdempotencyKey)
    assert _store(app).find_idempotency("citizen-1", "edit-2") is None


def test_the_same_key_from_another_caller_is_another_row(app: Notes) -> None:
    app.save(_note(), idempotency=_record(scope="citizen-1"))
    app.save(_note(), idempotency=_record(scope="citizen-2", response=b"two"))
    found = _store(app).find_idempotency("citizen-2", "k1")
    assert found is not None and found.response == b"two"


def test_an_unknown_key_finds_nothing_and_a_save_without_a_key_writes_no_row(app: Notes) -> None:
    app.save(_note())
    assert _store(app).find_idempotency("citizen-1", "k1") is None
    assert _store(app).purge_idempotency(NOW + timedelta(days=365)) == 0


def test_purge_deletes_only_rows_created_before_the_cutoff_in_any_time_zone(app: Notes) -> None:
    app.save(
        _note(), idempotency=_record("old", created_at=(NOW - timedelta(days=2)).astimezone(HANOI))
    )
    app.save(_note(), idempotency=_record("recent", created_at=NOW - timedelta(hours=1)))
    app.save(_note(), idempotency=_record("now", created_at=NOW.astimezone(HANOI)))
    store = _store(app)
    assert store.purge_idempotency((NOW - timedelta(days=1)).astimezone(HANOI)) == 1
    assert store.find_idempotency("citizen-1", "old") is None
    assert store.purge_idempotency(NOW) == 1
    assert store.find_idempotency("citizen-1", "recent") is None
    assert store.find_idempotency("citizen-1", "now") is not None


def test_a_naive_created_at_or_a_wrong_argument_type_is_refused_and_nothing_is_saved(
    app: Notes,
) -> None:
    note = _note()
    with pytest.raises(ValueError, match="timezone-aware"):
        app.save(note, idempotency=_record(created_at=datetime(2026, 3, 2, 9, 0)))
    with pytest.raises(TypeError, match="IdempotencyRecord"):
        app.save(note, idempotency={"scope": "citizen-1", "key": "k1"})
    with pytest.raises(AggregateNotFoundError):
        app.repository.get(note.id)
    assert app.recorder.max_notification_id() in (None, 0)


def test_concurrent_saves_with_one_key_file_exactly_one_of_them(app: Notes) -> None:
    writers = 6
    barrier = Barrier(writers)

    def submit(i: int) -> bool:
        note = _note(f"attempt {i}")
        barrier.wait()
        try:
            app.save(note, idempotency=_record(response=f"{i}".encode()))
        except DuplicateIdempotencyKey:
            return False
        return True

    with ThreadPoolExecutor(max_workers=writers) as pool:
        outcomes = list(pool.map(submit, range(writers)))
    assert outcomes.count(True) == 1
    assert len(app.recorder.select_notifications(start=None, limit=100)) == 1


def test_the_process_recorder_commits_tracking_and_the_row_with_the_events(
    env: dict[str, str],
) -> None:
    app = Notes(env=env)
    try:
        recorder = app.factory.process_recorder()
        assert isinstance(recorder, IdempotencyStore)
        note = _note()
        stored = [app.mapper.to_stored_event(e) for e in note.collect_events()]
        recorder.insert_events(stored, tracking=Tracking("Up", 1), idempotency=_record())
        again = [
            StoredEvent(e.originator_id, e.originator_version + 1, e.topic, e.state) for e in stored
        ]
        with pytest.raises(DuplicateIdempotencyKey):
            recorder.insert_events(again, tracking=Tracking("Up", 2), idempotency=_record())
        with pytest.raises(DuplicateIdempotencyKey):  # a keyed save may have no events at all
            recorder.insert_events([], tracking=Tracking("Up", 2), idempotency=_record())
        assert recorder.max_tracking_id("Up") == 1
        assert recorder.find_idempotency("citizen-1", "k1") == _record()
    finally:
        app.close()


def test_two_applications_in_one_postgres_schema_keep_their_keys_apart(
    pg_env: dict[str, str],
) -> None:
    class OtherNotes(Notes):
        pass

    env = {**pg_env, "TRANSCODER_TOPIC": TRANSCODER_TOPIC}
    notes, others = Notes(env=env), OtherNotes(env=env)
    try:
        notes.save(_note(), idempotency=_record())
        others.save(_note(), idempotency=_record(response=b"other"))
        assert _store(notes).find_idempotency("citizen-1", "k1") == _record()
        assert isinstance(others.recorder, MotcuaPostgresApplicationRecorder)
        assert others.recorder.idempotency_table_name == "othernotes_idempotency_keys"
    finally:
        notes.close()
        others.close()
