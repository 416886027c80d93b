"""The audit hash chain: written with the events on both stores, verified, tamper found.

Each test runs on a real SQLite file and on PostgreSQL (a schema of its own), through an
Application configured only by its ``env`` dict, as the composition root builds it. Tampering
is done the way an intruder with database access would: plain SQL on the tables.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError, StoredEvent
from psycopg.sql import SQL, Identifier

import tests.integration.test_eventstore_library_cases as library
from adapters.audit.digests import JsonlDigestStore
from adapters.eventstore.postgres import MotcuaPostgresApplicationRecorder
from adapters.eventstore.sqlite import MotcuaSQLiteApplicationRecorder
from application.audit_chain import (
    GENESIS,
    AuditChainStore,
    BreakReason,
    chain_hash,
    parse_chain_key,
    take_digest,
    verify_chain,
)
from application.base import IsolatedApplication
from tests.integration.conftest import PG_CONNINFO

KEY_TEXT = "a test key for the audit chain, long enough"
KEY = parse_chain_key(KEY_TEXT)
assert KEY is not None
TRANSCODER_TOPIC = "adapters.eventstore.transcoder:MotcuaTranscoder"
HANOI = timezone(timedelta(hours=7))


class Note(Aggregate):
    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text

    @event("Edited")
    def edit(self, text: str) -> None:
        self.text = text


class Notes(IsolatedApplication):
    """On PostgreSQL its tables are ``notes_events``, ``notes_audit_chain``, ``notes_snapshots``."""

    snapshotting_intervals = {Note: 3}  # noqa: RUF012


class Store:
    """The application's env and raw SQL access to its tables, on one kind of store."""

    def __init__(self, kind: str, env: dict[str, str], schema: str = "", path: Path | None = None):
        self.kind, self.env, self.schema, self.path = kind, env, schema, path
        self.events = "stored_events" if kind == "sqlite" else "notes_events"
        self.chain = "audit_chain" if kind == "sqlite" else "notes_audit_chain"
        self.snapshots = "stored_snapshots" if kind == "sqlite" else "notes_snapshots"
        self.id_column = "rowid" if kind == "sqlite" else "notification_id"

    def sql(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement; ``{events}``, ``{chain}``, ``{snapshots}``, ``{id}`` are filled in."""
        text = statement.format(
            events=self.events, chain=self.chain, snapshots=self.snapshots, id=self.id_column
        )
        if self.kind == "sqlite":
            with closing(sqlite3.connect(str(self.path))) as conn, conn:
                return conn.execute(text, params).fetchall()
        with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
            conn.execute(SQL("SET search_path TO {}").format(Identifier(self.schema)))
            cur = conn.execute(text.replace("?", "%s"), params)  # type: ignore[arg-type]
            return cur.fetchall() if cur.description else []

    def ids(self) -> list[int]:
        return [row[0] for row in self.sql("SELECT {id} FROM {events} ORDER BY {id}")]


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "sqlite":
        path = tmp_path / "notes.sqlite"
        env = {
            "PERSISTENCE_MODULE": "adapters.eventstore.sqlite",
            "SQLITE_DBNAME": str(path),
            "SQLITE_LOCK_TIMEOUT": "30",
        }
        return Store(
            "sqlite", {**env, "TRANSCODER_TOPIC": TRANSCODER_TOPIC, "AUDIT_CHAIN_KEY": KEY_TEXT},
            path=path,
        )
    pg_env = request.getfixturevalue("pg_env")
    env = {**pg_env, "TRANSCODER_TOPIC": TRANSCODER_TOPIC, "AUDIT_CHAIN_KEY": KEY_TEXT}
    return Store("postgres", env, schema=pg_env["POSTGRES_SCHEMA"])


@contextmanager
def opened(store: Store, **extra: str) -> Iterator[Notes]:
    app = Notes(env={**store.env, **extra})
    try:
        yield app
    finally:
        app.close()


@pytest.fixture
def app(store: Store) -> Iterator[Notes]:
    with opened(store) as notes:
        yield notes


def _fill(app: Notes, notes: int = 4, edits: int = 4) -> list[UUID]:
    ids = []
    for n in range(notes):
        note = Note(f"note {n}")
        for e in range(edits):
            note.edit(f"note {n} edit {e}")
        app.save(note)
        ids.append(note.id)
    return ids


def _middle(store: Store) -> int:
    ids = store.ids()
    return ids[len(ids) // 2]


# Written with the events -----------------------------------------------------------------


def test_every_event_gets_a_link_computed_from_the_previous_one_in_log_order(
    store: Store, app: Notes
) -> None:
    _fill(app, notes=3, edits=2)
    assert isinstance(app.recorder, AuditChainStore)
    notifications = app.recorder.select_notifications(None, 100)
    links = app.recorder.select_chain(None, 100)
    assert [n.id for n in notifications] == [link.notification_id for link in links]
    prev = GENESIS
    for n, link in zip(notifications, links, strict=True):
        prev = chain_hash(KEY, prev, n.id, n.originator_id, n.originator_version, n.topic, n.state)
        assert link.hash == prev
    assert app.recorder.chain_head() == links[-1]
    result = verify_chain(app, KEY)
    assert result.ok and result.events_checked == 9 and result.head_id == links[-1].notification_id


def test_a_failed_insert_leaves_no_link_and_the_chain_still_verifies(store: Store, app: Notes) -> None:
    note = Note("first")
    app.save(note)
    stale = app.repository.get(note.id)
    note.edit("second")
    app.save(note)
    stale.edit("conflicting")
    other = Note("saved with the conflicting one, so never stored")
    with pytest.raises(IntegrityError):
        app.save(stale, other)
    assert store.sql("SELECT count(*) FROM {chain}")[0][0] == 2
    app.save(Note("after the failure"))
    assert store.sql("SELECT count(*) FROM {chain}")[0][0] == 3
    assert verify_chain(app, KEY).ok


def test_without_a_key_no_link_is_written(store: Store) -> None:
    env = {k: v for k, v in store.env.items() if k != "AUDIT_CHAIN_KEY"}
    app = Notes(env=env)
    try:
        app.save(Note("unchained"))
        assert app.recorder.chain_head() is None
        result = verify_chain(app, KEY)
        assert result.first_break is not None
        assert result.first_break.reason is BreakReason.EVENT_WITHOUT_HASH
    finally:
        app.close()


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="32"):
        parse_chain_key("too short")
    assert parse_chain_key("base64:" + "QUFB" * 11) == b"AAA" * 11
    assert parse_chain_key("") is None


def test_concurrent_writers_in_threads_keep_one_unbroken_chain(store: Store) -> None:
    apps = [Notes(env=store.env) for _ in range(2)]
    try:
        def write(i: int) -> None:
            app = apps[i % len(apps)]
            note = Note(f"writer {i}")
            note.edit("edited")
            app.save(note)
            for _ in range(2):
                app.save(Note(f"writer {i} single"))

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(write, range(60)))
        result = verify_chain(apps[0], KEY, batch=50)
        assert result.ok, result.first_break
        assert result.events_checked == 60 * 4
    finally:
        for app in apps:
            app.close()


def test_verifying_while_writers_commit_reports_no_false_break(store: Store, app: Notes) -> None:
    import threading

    _fill(app, notes=2)
    done = threading.Event()

    def keep_writing() -> None:
        with opened(store) as writer:
            while not done.is_set():
                writer.save(Note("while verifying"))

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        for _ in range(5):
            result = verify_chain(app.recorder, KEY, batch=3)
            assert result.ok, result.first_break
    finally:
        done.set()
        thread.join(10)
    assert verify_chain(app, KEY).ok


def _write_in_process(env: dict[str, str], count: int) -> None:
    # The parent made the tables: two processes creating them at once race on the insert
    # function PostgreSQL replaces ("tuple concurrently updated"), see ops.stores.schema_lock.
    app = Notes(env={**env, "CREATE_TABLE": "n"})
    try:
        for i in range(count):
            note = Note(f"process note {i}")
            note.edit("edited")
            app.save(note)
    finally:
        app.close()


def test_two_processes_writing_to_postgresql_keep_one_unbroken_chain(pg_env: dict[str, str]) -> None:
    env = {**pg_env, "TRANSCODER_TOPIC": TRANSCODER_TOPIC, "AUDIT_CHAIN_KEY": KEY_TEXT}
    Notes(env=env).close()  # create the tables before the processes race
    ctx = multiprocessing.get_context("spawn")
    processes = [ctx.Process(target=_write_in_process, args=(env, 40)) for _ in range(2)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(60)
        assert p.exitcode == 0
    with closing(Notes(env=env)) as app:
        result = verify_chain(app, KEY)
    assert result.ok, result.first_break
    assert result.events_checked == 2 * 40 * 2


def test_gaps_in_notification_ids_do_not_break_the_chain_on_postgresql(pg_env: dict[str, str]) -> None:
    env = {**pg_env, "TRANSCODER_TOPIC": TRANSCODER_TOPIC, "AUDIT_CHAIN_KEY": KEY_TEXT}
    with closing(Notes(env=env)) as app:
        note = Note("one")
        app.save(note)
        stale = app.repository.get(note.id)
        note.edit("two")
        app.save(note)
        stale.edit("conflict")
        with pytest.raises(IntegrityError):  # takes sequence values, then rolls back
            app.save(Note("a"), Note("b"), stale)
        app.save(Note("after the gap"))
        ids = [n.id for n in app.recorder.select_notifications(None, 10)]
        assert ids[-1] > ids[-2] + 1, ids  # there is a gap
        result = verify_chain(app, KEY)
        assert result.ok and result.events_checked == 3


# Tampering ----------------------------------------------------------------------------------


def _break(app: Notes, **kwargs: Any) -> tuple[int, BreakReason]:
    result = verify_chain(app, KEY, batch=7, **kwargs)
    assert not result.ok and result.first_break is not None
    return result.first_break.notification_id, result.first_break.reason


def test_changed_event_bytes_are_reported_at_that_event(store: Store, app: Notes) -> None:
    _fill(app)
    target = _middle(store)
    state = store.sql("SELECT state FROM {events} WHERE {id}=?", (target,))[0][0]
    changed = bytes(state).replace(b"note", b"nope", 1)
    assert changed != bytes(state)
    store.sql("UPDATE {events} SET state=? WHERE {id}=?", (changed, target))
    assert _break(app) == (target, BreakReason.HASH_MISMATCH)


def test_a_deleted_event_is_reported_at_its_position(store: Store, app: Notes) -> None:
    _fill(app)
    target = _middle(store)
    store.sql("DELETE FROM {events} WHERE {id}=?", (target,))
    assert _break(app) == (target, BreakReason.MISSING_EVENT)


def test_a_deleted_event_with_its_link_is_reported_at_the_next_event(store: Store, app: Notes) -> None:
    _fill(app)
    target = _middle(store)
    following = next(i for i in store.ids() if i > target)
    store.sql("DELETE FROM {events} WHERE {id}=?", (target,))
    store.sql("DELETE FROM {chain} WHERE notification_id=?", (target,))
    assert _break(app) == (following, BreakReason.HASH_MISMATCH)


def test_a_changed_link_is_reported_at_that_link(store: Store, app: Notes) -> None:
    _fill(app)
    target = _middle(store)
    store.sql("UPDATE {chain} SET hash=? WHERE notification_id=?", (bytes(32), target))
    assert _break(app) == (target, BreakReason.HASH_MISMATCH)


def test_an_event_inserted_behind_the_recorders_back_has_no_link(store: Store, app: Notes) -> None:
    _fill(app, notes=2)
    if store.kind == "sqlite":
        store.sql("INSERT INTO {events} VALUES (?,?,?,?)", (uuid4().hex, 1, "forged", b"{}"))
    else:
        store.sql(
            "INSERT INTO {events} (originator_id, originator_version, topic, state) VALUES (?,?,?,?)",
            (uuid4(), 1, "forged", b"{}"),
        )
    forged = store.ids()[-1]
    assert _break(app) == (forged, BreakReason.EVENT_WITHOUT_HASH)


def test_a_chain_recomputed_without_the_key_fails_at_its_first_link(store: Store, app: Notes) -> None:
    _fill(app, notes=2)
    wrong = b"an intruder's guess at the key!!!"
    prev = GENESIS
    for n in app.recorder.select_notifications(None, 100):
        prev = chain_hash(wrong, prev, n.id, n.originator_id, n.originator_version, n.topic, n.state)
        store.sql("UPDATE {chain} SET hash=? WHERE notification_id=?", (prev, n.id))
    assert _break(app) == (store.ids()[0], BreakReason.HASH_MISMATCH)


def test_cutting_the_log_short_after_a_digest_is_reported_at_the_digested_link(
    store: Store, app: Notes, tmp_path: Path
) -> None:
    _fill(app, notes=3)
    digests = JsonlDigestStore(tmp_path / "digests" / "audit-digests.jsonl")
    digest = take_digest("Notes", app.recorder, digests, datetime(2026, 3, 2, 23, 59, tzinfo=HANOI))
    assert digest is not None and digest.day == date(2026, 3, 2)
    assert take_digest("Notes", app.recorder, digests, datetime(2026, 3, 3, 9, tzinfo=HANOI)) is None
    assert verify_chain(app, KEY, digests=digests.list("Notes")).digests_checked == 1
    last = store.ids()[-3:]
    for i in last:
        store.sql("DELETE FROM {events} WHERE {id}=?", (i,))
        store.sql("DELETE FROM {chain} WHERE notification_id=?", (i,))
    # Without the digest the shorter chain verifies (only the snapshot of the cut stream shows it).
    assert verify_chain(app.recorder, KEY).ok
    assert _break(app, digests=digests.list("Notes")) == (
        last[-1], BreakReason.MISSING_AFTER_DIGEST
    )
    assert [d.as_dict()["notificationId"] for d in digests.list()] == [last[-1]]


def test_verifying_part_of_the_log_starts_from_the_link_before_it(store: Store, app: Notes) -> None:
    _fill(app)
    ids = store.ids()
    result = verify_chain(app, KEY, start=ids[5], stop=ids[9], batch=2)
    assert result.ok and result.events_checked == 5 and result.head_id == ids[9]
    store.sql("UPDATE {chain} SET hash=? WHERE notification_id=?", (bytes(32), ids[12]))
    assert verify_chain(app, KEY, start=ids[5], stop=ids[9]).ok
    assert _break(app, start=ids[10]) == (ids[12], BreakReason.HASH_MISMATCH)


# Snapshots ---------------------------------------------------------------------------------


def test_snapshots_equal_to_the_replay_of_their_events_verify(store: Store, app: Notes) -> None:
    _fill(app, notes=3, edits=6)  # versions 1..7 in one save each: snapshots at 3 and 6
    note = Note("saved edit by edit")
    app.save(note)
    for e in range(6):
        note.edit(f"edit {e}")
        app.save(note)
    result = verify_chain(app, KEY)
    assert result.ok and result.snapshots_checked == 4 * 2


def test_a_tampered_snapshot_is_reported(store: Store, app: Notes) -> None:
    note = Note("original text")
    app.save(note)
    for e in range(4):
        note.edit(f"edit {e}")
        app.save(note)
    rows = store.sql("SELECT originator_version, state FROM {snapshots}")
    assert [r[0] for r in rows] == [3]
    changed = bytes(rows[0][1]).replace(b"edit 1", b"edit X")
    assert changed != bytes(rows[0][1])
    store.sql("UPDATE {snapshots} SET state=?", (changed,))
    result = verify_chain(app, KEY)
    assert result.first_break is None and not result.ok
    assert result.snapshot_break is not None
    assert (result.snapshot_break.originator_id, result.snapshot_break.version) == (str(note.id), 3)
    assert "text" in result.snapshot_break.reason


# The library's recorder cases, once more with a chain key ----------------------------------


class WithChainKey:
    """Our recorders with the chain switched on; after each case, what it stored verifies."""

    def create_recorder(self) -> Any:
        recorder = super().create_recorder()  # type: ignore[misc]
        recorder.audit_chain_key = KEY
        self.__dict__.setdefault("chained", []).append(recorder)
        return recorder

    def tearDown(self) -> None:
        for recorder in self.__dict__.get("chained", []):
            result = verify_chain(recorder, KEY)
            assert result.ok, result.first_break
        super().tearDown()  # type: ignore[misc]


class TestOurSQLiteApplicationRecorderWithAChainKey(
    WithChainKey, library.TestOurSQLiteApplicationRecorder
):
    pass


class TestOurSQLiteProcessRecorderWithAChainKey(WithChainKey, library.TestOurSQLiteProcessRecorder):
    pass


class TestOurSQLiteRecorderNeverInterleavesWithAChainKey(
    WithChainKey, library.TestOurSQLiteRecorderNeverInterleavesNotificationIds
):
    pass


class TestOurPostgresApplicationRecorderWithAChainKey(
    WithChainKey, library.TestOurPostgresApplicationRecorder
):
    pass


class TestOurPostgresProcessRecorderWithAChainKey(
    WithChainKey, library.TestOurPostgresProcessRecorder
):
    pass


class TestOurPostgresRecorderNeverInterleavesWithAChainKey(
    WithChainKey, library.TestOurPostgresRecorderNeverInterleavesNotificationIds
):
    pass


class TestOurSQLiteFactoryWithAChainKey(library.TestOurSQLiteFactory):
    def setUp(self) -> None:
        super().setUp()
        self.env["AUDIT_CHAIN_KEY"] = KEY_TEXT


class TestOurPostgresFactoryWithAChainKey(library.TestOurPostgresFactory):
    def setUp(self) -> None:
        super().setUp()
        self.env["AUDIT_CHAIN_KEY"] = KEY_TEXT


def test_the_factories_give_their_recorders_the_key(store: Store, app: Notes) -> None:
    assert isinstance(app.recorder, (MotcuaSQLiteApplicationRecorder, MotcuaPostgresApplicationRecorder))
    assert app.recorder.audit_chain_key == KEY
    app.recorder.insert_events([StoredEvent(uuid4(), 1, "raw", b"raw")])
    assert verify_chain(app.recorder, KEY).ok
