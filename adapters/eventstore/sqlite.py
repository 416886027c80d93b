"""Our SQLite recorders and factory: idempotency rows with the events, and ``subscribe()``.

Select with ``PERSISTENCE_MODULE=adapters.eventstore.sqlite``. eventsourcing resolves a module
topic by scanning the module for exactly one concrete ``InfrastructureFactory`` subclass, so
this module must not import any other factory class by name (hence ``import ... as es_sqlite``).

Why subclasses: rows that must commit atomically with events (idempotency keys, the audit hash
chain, later the outbox) can only be written on the insert's cursor, and the SQLite recorder's
``_insert_events`` is where that cursor is. Rows that need notification ids (the chain, outbox)
go after ``super()``; the idempotency row, which needs none, goes before.
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

from adapters.eventstore.audit_chain import chain_key_from_env, chain_table_name, new_links
from adapters.eventstore.idempotency import (
    record_from_row,
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
from application.audit_chain import GENESIS, AuditChainStore, ChainLink
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


class MotcuaSQLiteApplicationRecorder(
    es_sqlite.SQLiteApplicationRecorder, IdempotencyStore, AuditChainStore
):
    """Application recorder with an idempotency table, the audit hash chain and a polling
    ``subscribe()``.

    The chain's links are written only when ``audit_chain_key`` is set (the factory sets it
    from ``AUDIT_CHAIN_KEY``); its table exists either way.
    """

    poll_interval: float = DEFAULT_POLL_INTERVAL
    audit_chain_key: bytes | None = None
    audit_chain_key_id: str | None = None
    """The current chain key's id (None: the first key, whose links name no id)."""

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
        chain = self.chain_table_name
        self.insert_chain_statement = f"INSERT INTO {chain} (notification_id, hash, key_id) VALUES (?,?,?)"
        self.select_chain_head_statement = (
            f"SELECT notification_id, hash, key_id FROM {chain} ORDER BY notification_id DESC LIMIT 1"
        )
        self.select_chain_before_statement = (
            f"SELECT notification_id, hash, key_id FROM {chain} WHERE notification_id<? "
            "ORDER BY notification_id DESC LIMIT 1"
        )
        self.select_chain_statement = f"SELECT notification_id, hash, key_id FROM {chain} "

    @property
    def idempotency_table_name(self) -> str:
        # A property, because the base __init__ builds the CREATE statements before ours runs.
        return idempotency_table_name(self.events_table_name)

    @property
    def chain_table_name(self) -> str:
        return chain_table_name(self.events_table_name)

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
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {self.chain_table_name} ("
            "notification_id INTEGER PRIMARY KEY, hash BLOB NOT NULL, key_id TEXT)"
        )
        return statements

    def _create_table(self, c: es_sqlite.SQLiteCursor) -> None:
        super()._create_table(c)
        # Chains made before key rotation have no key_id column: add it (NULL: the first key).
        c.execute(f"PRAGMA table_info({self.chain_table_name})")
        if "key_id" not in {row["name"] for row in c.fetchall()}:
            c.execute(f"ALTER TABLE {self.chain_table_name} ADD COLUMN key_id TEXT")

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
        notification_ids = super()._insert_events(c, stored_events, **kwargs)
        if self.audit_chain_key is not None and stored_events and notification_ids:
            self._insert_chain(c, stored_events, notification_ids)
        return notification_ids

    def _insert_chain(
        self,
        c: es_sqlite.SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        notification_ids: Sequence[int],
    ) -> None:
        """Link the new events to the chain head, on the insert's cursor, *after* the events.

        The events' INSERT has taken the database's write lock, so no other writer can add a
        link between reading the head and writing ours.
        """
        assert self.audit_chain_key is not None
        c.execute(self.select_chain_head_statement)
        row = c.fetchone()
        prev = GENESIS if row is None else bytes(row["hash"])
        links = new_links(self.audit_chain_key, prev, notification_ids, stored_events, self.audit_chain_key_id)
        c.executemany(self.insert_chain_statement,
                      [(link.notification_id, link.hash, link.key_id) for link in links])

    def select_chain(
        self, start: int | None, limit: int, stop: int | None = None
    ) -> Sequence[ChainLink]:
        statement = self.select_chain_statement
        conditions, params = [], []
        if start is not None:
            conditions.append("notification_id>=?")
            params.append(start)
        if stop is not None:
            conditions.append("notification_id<=?")
            params.append(stop)
        if conditions:
            statement += "WHERE " + " AND ".join(conditions) + " "
        statement += "ORDER BY notification_id LIMIT ?"
        params.append(limit)
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            return [ChainLink(row["notification_id"], bytes(row["hash"]), row["key_id"]) for row in c.fetchall()]

    def chain_link_before(self, notification_id: int) -> ChainLink | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.select_chain_before_statement, (notification_id,))
            row = c.fetchone()
        return None if row is None else ChainLink(row["notification_id"], bytes(row["hash"]), row["key_id"])

    def chain_head(self) -> ChainLink | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.select_chain_head_statement)
            row = c.fetchone()
        return None if row is None else ChainLink(row["notification_id"], bytes(row["hash"]), row["key_id"])

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
        return record_from_row(row, parse_utc_text(row["created_at"]))

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
        keyring = chain_key_from_env(self.env)
        self.audit_chain_key = keyring.current if keyring is not None else None
        self.audit_chain_key_id = keyring.current_id if keyring is not None else None
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
            recorder.audit_chain_key = self.audit_chain_key
            recorder.audit_chain_key_id = self.audit_chain_key_id
        return recorder


Factory = MotcuaSQLiteFactory
