"""Our SQLite recorders and factory: idempotency rows with the events, and ``subscribe()``.

Select with ``PERSISTENCE_MODULE=adapters.eventstore.sqlite``. eventsourcing resolves a module
topic by scanning the module for exactly one concrete ``InfrastructureFactory`` subclass, so
this module must not import any other factory class by name (hence ``import ... as es_sqlite``).

Why subclasses: rows that must commit atomically with events (idempotency keys now, the audit
hash chain and outbox later) can only be written on the insert's cursor, and the SQLite
recorder's ``_insert_events`` is where that cursor is. Rows that need notification ids (the
chain, outbox) go after ``super()``; the idempotency row, which needs none, goes before.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from time import monotonic
from typing import Any

import eventsourcing.sqlite as es_sqlite
from eventsourcing.persistence import (
    ApplicationRecorder,
    ProcessRecorder,
    StoredEvent,
    Subscription,
)
from eventsourcing.utils import Environment, EnvType

from adapters.eventstore.idempotency import (
    DEFAULT_EVENTS_TABLE,
    idempotency_from_kwargs,
    idempotency_table_name,
    parse_utc_text,
    utc_text,
)
from adapters.eventstore.subscription import (
    DEFAULT_POLL_INTERVAL,
    InsertSignal,
    SQLitePollingSubscription,
)
from application.idempotency import DuplicateIdempotencyKey, IdempotencyRecord, IdempotencyStore


class GracefulSQLiteConnectionPool(es_sqlite.SQLiteConnectionPool):
    """Connection pool whose ``close()`` first waits for connections in use to come back.

    The library's pool closes connections that other threads are still using, and closing an
    ``sqlite3`` connection while another thread executes on it crashes CPython (a segfault,
    seen in our tests when an application closed while a reader thread was mid-select). So we
    wait, up to ``close_timeout`` seconds, before closing.
    """

    close_timeout: float = 5.0

    def close(self) -> None:
        deadline = monotonic() + self.close_timeout
        with self._put_condition:
            while self._in_use and not self._closed and monotonic() < deadline:
                self._put_condition.wait(0.05)  # put_connection() notifies; poll as well
        super().close()


class MotcuaSQLiteDatastore(es_sqlite.SQLiteDatastore):
    """``SQLiteDatastore`` with the graceful pool (see :class:`GracefulSQLiteConnectionPool`)."""

    def __init__(self, db_name: str, **kwargs: Any) -> None:
        super().__init__(db_name, **kwargs)
        stock = self.pool  # has opened no connection yet: connections are made on demand
        self.pool = GracefulSQLiteConnectionPool(
            db_name=stock.db_name,
            lock_timeout=stock.lock_timeout,
            pool_size=stock.pool_size,
            max_overflow=stock.max_overflow,
            pool_timeout=stock.pool_timeout,
            max_age=stock.max_age,
            pre_ping=stock.pre_ping,
        )
        stock.close()


class MotcuaSQLiteApplicationRecorder(es_sqlite.SQLiteApplicationRecorder, IdempotencyStore):
    """Application recorder with an idempotency table and a polling ``subscribe()``."""

    poll_interval: float = DEFAULT_POLL_INTERVAL

    def __init__(
        self,
        datastore: es_sqlite.SQLiteDatastore,
        events_table_name: str = DEFAULT_EVENTS_TABLE,
    ) -> None:
        super().__init__(datastore, events_table_name)
        table = self.idempotency_table_name
        self.wake_key = InsertSignal.key(datastore.pool.db_name, events_table_name)
        self.insert_idempotency_statement = (
            f"INSERT INTO {table} (scope, key, body_hash, status_code, response, created_at) "
            "VALUES (?,?,?,?,?,?)"
        )
        self.select_idempotency_statement = (
            f"SELECT scope, key, body_hash, status_code, response, created_at FROM {table} "
            "WHERE scope=? AND key=?"
        )
        self.purge_idempotency_statement = f"DELETE FROM {table} WHERE created_at<?"

    @property
    def idempotency_table_name(self) -> str:
        # A property, because the base __init__ builds the CREATE statements before ours runs.
        return idempotency_table_name(self.events_table_name)

    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        table = self.idempotency_table_name
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {table} ("
            "scope TEXT NOT NULL, key TEXT NOT NULL, body_hash TEXT NOT NULL, "
            "status_code INTEGER NOT NULL, response BLOB NOT NULL, created_at TEXT NOT NULL, "
            "PRIMARY KEY (scope, key)) WITHOUT ROWID"
        )
        statements.append(f"CREATE INDEX IF NOT EXISTS {table}_created_at ON {table} (created_at)")
        return statements

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        notification_ids = super().insert_events(stored_events, **kwargs)
        # The transaction has committed: only now may subscribers read the new rows.
        if stored_events:
            InsertSignal.notify(self.wake_key)
        return notification_ids

    def _insert_events(
        self,
        c: es_sqlite.SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> Sequence[int] | None:
        record = idempotency_from_kwargs(kwargs)
        if record is not None:
            self._insert_idempotency(c, record)
        return super()._insert_events(c, stored_events, **kwargs)

    def _insert_idempotency(self, c: es_sqlite.SQLiteCursor, record: IdempotencyRecord) -> None:
        """Insert the key on the insert's cursor, *before* the events.

        Same transaction, so a duplicate rolls the events back too. Before, not after (the row
        needs no notification id): a retry that also conflicts on an aggregate version then
        reports the key, as on PostgreSQL.
        """
        try:
            c.execute(
                self.insert_idempotency_statement,
                (
                    record.scope,
                    record.key,
                    record.body_hash,
                    record.status_code,
                    record.response,
                    utc_text(record.created_at),
                ),
            )
        except sqlite3.IntegrityError as e:
            if "UNIQUE" not in str(e):
                raise
            msg = f"Idempotency key already used: scope={record.scope!r} key={record.key!r}"
            raise DuplicateIdempotencyKey(msg) from e

    def find_idempotency(self, scope: str, key: str) -> IdempotencyRecord | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.select_idempotency_statement, (scope, key))
            row = c.fetchone()
        if row is None:
            return None
        return IdempotencyRecord(
            scope=row["scope"],
            key=row["key"],
            body_hash=row["body_hash"],
            status_code=row["status_code"],
            response=bytes(row["response"]),
            created_at=parse_utc_text(row["created_at"]),
        )

    def purge_idempotency(self, older_than: datetime) -> int:
        with self.datastore.transaction(commit=True) as c:
            c.execute(self.purge_idempotency_statement, (utc_text(older_than),))
            return int(c.sqlite_cursor.rowcount)

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[ApplicationRecorder]:
        return SQLitePollingSubscription(
            self, gt=gt, topics=topics, poll_interval=self.poll_interval, wake_key=self.wake_key
        )


class MotcuaSQLiteProcessRecorder(es_sqlite.SQLiteProcessRecorder, MotcuaSQLiteApplicationRecorder):
    """Process recorder (event-sourced projections) with the same additions.

    MRO: the library's process ``_insert_events`` runs ours (idempotency row, events) through
    ``super()`` and then inserts the tracking row, all on one cursor.
    """


class MotcuaSQLiteFactory(es_sqlite.SQLiteFactory):
    """SQLite factory that builds our recorders unless a ``*_RECORDER_TOPIC`` says otherwise,
    on a :class:`MotcuaSQLiteDatastore`.

    ``tracking_recorder()`` is inherited unchanged: it accepts any ``SQLiteTrackingRecorder``
    subclass (the projection views), as argument or through ``TRACKING_RECORDER_TOPIC``.
    """

    SQLITE_POLL_INTERVAL = "SQLITE_POLL_INTERVAL"

    application_recorder_class = MotcuaSQLiteApplicationRecorder
    process_recorder_class = MotcuaSQLiteProcessRecorder

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        stock = self.datastore
        self.datastore = MotcuaSQLiteDatastore(
            db_name=stock.pool.db_name,
            lock_timeout=stock.pool.lock_timeout,
            single_row_tracking=stock.single_row_tracking,
            originator_id_type=stock.originator_id_type,
        )
        stock.close()
        raw = (self.env.get(self.SQLITE_POLL_INTERVAL) or "").strip()
        try:
            self.poll_interval = float(raw) if raw else DEFAULT_POLL_INTERVAL
        except ValueError:
            self.poll_interval = -1.0
        if not self.poll_interval > 0:
            msg = (
                f"SQLite environment value for key '{self.SQLITE_POLL_INTERVAL}' is invalid. "
                f"If set, a positive number of seconds is expected: '{raw}'"
            )
            raise OSError(msg)

    def application_recorder(self) -> ApplicationRecorder:
        return self._configure(super().application_recorder())

    def process_recorder(self) -> ProcessRecorder:
        recorder = self._configure(super().process_recorder())
        assert isinstance(recorder, ProcessRecorder)
        return recorder

    def _configure(self, recorder: ApplicationRecorder) -> ApplicationRecorder:
        if isinstance(recorder, MotcuaSQLiteApplicationRecorder):
            recorder.poll_interval = self.poll_interval
        return recorder


Factory = MotcuaSQLiteFactory
