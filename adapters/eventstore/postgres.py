"""Our PostgreSQL recorders and factory, and the advisory lock for projection runners.

Select with ``PERSISTENCE_MODULE=adapters.eventstore.postgres``. eventsourcing resolves a module
topic by scanning it for exactly one concrete ``InfrastructureFactory`` subclass, so this module
imports eventsourcing's classes through the module alias ``es_pg`` only.

``POSTGRES_ENABLE_DB_FUNCTIONS`` is refused: that insert path takes no table lock (notification
ids could commit out of order and projections would skip events) and bypasses
``_insert_events``, so idempotency rows would silently not be written.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import eventsourcing.postgres as es_pg
import psycopg
import psycopg.errors
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    Notification,
    OperationalError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.utils import retry
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from adapters.eventstore.audit_chain import (
    CHAIN_HEAD_KWARG,
    KnownHead,
    chain_key_from_env,
    chain_table_name,
    new_links,
)
from adapters.eventstore.group_commit import (
    DEFAULT_MAX_BATCH,
    DEFAULT_MAX_WAIT,
    GroupCommitConfig,
    GroupCommitter,
    metrics_hook,
)
from adapters.eventstore.idempotency import (
    record_from_row,
    DEFAULT_EVENTS_TABLE,
    as_utc,
    idempotency_from_kwargs,
    idempotency_table_name,
)
from adapters.eventstore.postgres_batch import write_batch
from adapters.eventstore.postgres_load import select_events, select_notifications, select_snapshot_and_events
from application.audit_chain import GENESIS, AuditChainStore, ChainLink
from application.idempotency import DuplicateIdempotencyKey, IdempotencyRecord, IdempotencyStore


class MotcuaPostgresApplicationRecorder(
    es_pg.PostgresApplicationRecorder, IdempotencyStore, AuditChainStore
):
    """Application recorder that writes idempotency rows and the audit hash chain in the
    events' transaction.

    The chain's links (only when ``audit_chain_key`` is set; the factory sets it from
    ``AUDIT_CHAIN_KEY``) are written in ``_fetch_ids_after_insert_events``: after the events,
    when their notification ids are known, still under the events table's EXCLUSIVE lock, so
    the chain table's last link is the head and no other writer can add one meanwhile.

    The idempotency row is inserted by overriding ``_insert_events``, which the library runs inside the
    insert transaction *before* it takes the table lock and inserts the events, rather than
    ``_fetch_ids_after_insert_events`` (after the events, under the lock). Reasons:

    - the library pipelines these statements and calls ``pipeline.sync()`` right after the
      events insert, inside its error handling; a duplicate key therefore surfaces there as
      eventsourcing's ``IntegrityError``, like a version conflict. A statement added after that
      sync would only fail at COMMIT, outside that handling;
    - a duplicate fails before ``LOCK TABLE ... IN EXCLUSIVE MODE`` is reached, so a retried
      request never holds the lock that serialises every writer of the application, and two
      concurrent requests with one key wait on the key's index entry, not on the table;
    - the row needs no notification id.

    With group commit on (``group_committer``, see ``adapters.eventstore.group_commit``), a batch
    of saves shares one transaction: it takes the table lock first and then runs these same
    hooks for each save inside a savepoint of its own (``adapters.eventstore.postgres_batch``),
    so there a duplicate key fails under the lock, and fails that save alone.
    """

    audit_chain_key: bytes | None = None
    audit_chain_key_id: str | None = None
    """The current chain key's id (None: the first key, whose links name no id)."""
    group_committer: GroupCommitter | None = None
    """Set by the factory when ``GROUP_COMMIT`` is on: concurrent saves share one transaction
    (see ``adapters.eventstore.group_commit``)."""

    def __init__(
        self,
        datastore: es_pg.PostgresDatastore,
        *,
        events_table_name: str = DEFAULT_EVENTS_TABLE,
    ) -> None:
        if datastore.enable_db_functions:
            msg = (
                "POSTGRES_ENABLE_DB_FUNCTIONS must not be set: that insert path takes no table "
                "lock (projections would skip events) and skips idempotency rows"
            )
            raise ProgrammingError(msg)
        super().__init__(datastore, events_table_name=events_table_name)
        self.batch_paths: Counter[str] = Counter()
        """Group-commit batches committed, by the way they were written (``postgres_batch``)."""
        self.idempotency_table_name = idempotency_table_name(events_table_name)
        index_name = f"{self.idempotency_table_name}_created_at_idx"
        self.idempotency_constraint_name = f"{self.idempotency_table_name}_pkey"
        for name in (self.idempotency_table_name, index_name, self.idempotency_constraint_name):
            self.check_identifier_length(name)
        schema = Identifier(datastore.schema)
        table = Identifier(self.idempotency_table_name)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{table} ("
                "scope text NOT NULL, "
                "key text NOT NULL, "
                "body_hash text NOT NULL, "
                "status_code integer NOT NULL, "
                "response bytea NOT NULL, "
                "created_at timestamptz NOT NULL, "
                "CONSTRAINT {pkey} PRIMARY KEY (scope, key))"
            ).format(schema=schema, table=table, pkey=Identifier(self.idempotency_constraint_name))
        )
        self.sql_create_statements.append(
            SQL("CREATE INDEX IF NOT EXISTS {index} ON {schema}.{table} (created_at)").format(
                index=Identifier(index_name), schema=schema, table=table
            )
        )
        self.insert_idempotency_statement = SQL(
            "INSERT INTO {schema}.{table} "
            "(scope, key, body_hash, status_code, response, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s)"
        ).format(schema=schema, table=table)
        self.select_idempotency_statement = SQL(
            "SELECT scope, key, body_hash, status_code, response, created_at "
            "FROM {schema}.{table} WHERE scope = %s AND key = %s"
        ).format(schema=schema, table=table)
        # The bulk batch path (adapters.eventstore.postgres_bulk): what is taken, many rows at once.
        self.insert_idempotency_rows_statement = SQL(
            "INSERT INTO {schema}.{table} "
            "(scope, key, body_hash, status_code, response, created_at) "
            "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::integer[], %s::bytea[], "
            "%s::timestamptz[])"
        ).format(schema=schema, table=table)
        self.select_taken_keys_statement = SQL(
            "SELECT i.scope, i.key FROM {schema}.{table} i "
            "JOIN unnest(%s::text[], %s::text[]) AS k(scope, key) ON i.scope = k.scope AND i.key = k.key"
        ).format(schema=schema, table=table)
        self.select_taken_versions_statement = SQL(
            "SELECT e.originator_id, e.originator_version FROM {schema}.{events} e "
            "JOIN unnest(%s::{id_type}[], %s::bigint[]) AS k(originator_id, originator_version) "
            "ON e.originator_id = k.originator_id AND e.originator_version = k.originator_version"
        ).format(schema=schema, events=Identifier(self.events_table_name),
                 id_type=SQL(datastore.originator_id_type))
        self.purge_idempotency_statement = SQL(
            "DELETE FROM {schema}.{table} WHERE created_at < %s"
        ).format(schema=schema, table=table)

        self.chain_table_name = chain_table_name(events_table_name)
        self.check_identifier_length(self.chain_table_name)
        chain = Identifier(self.chain_table_name)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{chain} ("
                "notification_id bigint PRIMARY KEY, hash bytea NOT NULL, key_id text)"
            ).format(schema=schema, chain=chain)
        )
        # Chains made before key rotation have no key_id column (NULL: the first key).
        self.sql_create_statements.append(
            SQL("ALTER TABLE {schema}.{chain} ADD COLUMN IF NOT EXISTS key_id text").format(schema=schema, chain=chain)
        )
        self.insert_chain_statement = SQL(
            "INSERT INTO {schema}.{chain} (notification_id, hash, key_id) "
            "SELECT * FROM unnest(%s::bigint[], %s::bytea[], %s::text[])"
        ).format(schema=schema, chain=chain)
        self.select_chain_head_statement = SQL(
            "SELECT notification_id, hash, key_id FROM {schema}.{chain} "
            "ORDER BY notification_id DESC LIMIT 1"
        ).format(schema=schema, chain=chain)
        self.select_chain_before_statement = SQL(
            "SELECT notification_id, hash, key_id FROM {schema}.{chain} WHERE notification_id < %s "
            "ORDER BY notification_id DESC LIMIT 1"
        ).format(schema=schema, chain=chain)
        self.select_chain_statement = SQL(
            "SELECT notification_id, hash, key_id FROM {schema}.{chain} "
            "WHERE notification_id >= %s AND notification_id <= %s "
            "ORDER BY notification_id LIMIT %s"
        ).format(schema=schema, chain=chain)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        try:
            notification_ids: Sequence[int] | None
            if self.group_committer is not None and stored_events:
                notification_ids = self._insert_in_group(stored_events, kwargs)
            else:
                notification_ids = super().insert_events(stored_events, **kwargs)
        except IntegrityError as e:
            # The library reports every constraint violation alike; tell ours apart by name.
            cause = e.__cause__
            if (
                isinstance(cause, psycopg.errors.UniqueViolation)
                and cause.diag.constraint_name == self.idempotency_constraint_name
            ):
                raise DuplicateIdempotencyKey(str(e)) from e
            raise
        return notification_ids

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _insert_in_group(
        self, stored_events: Sequence[StoredEvent], kwargs: dict[str, Any]
    ) -> Sequence[int] | None:
        """The lone path's retry (connection lost, deadlock victim, lock timeout), around a
        place in the next batch."""
        assert self.group_committer is not None
        return self.group_committer.insert(stored_events, kwargs)

    def enable_group_commit(
        self, *, max_wait: float = DEFAULT_MAX_WAIT, max_batch: int = DEFAULT_MAX_BATCH
    ) -> GroupCommitter:
        """Route this recorder's inserts through a :class:`GroupCommitter`; return it."""
        self.group_committer = GroupCommitter(
            lambda batch: write_batch(self, batch),
            max_wait=max_wait,
            max_batch=max_batch,
            observe=metrics_hook(),
        )
        return self.group_committer

    def _insert_events(
        self,
        curs: psycopg.Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        record = idempotency_from_kwargs(kwargs)
        if record is not None:
            # A nested pipeline block syncs when it ends, so a taken key surfaces here as its own
            # UniqueViolation, not later as "pipeline aborted" on whichever statement came next.
            with curs.connection.pipeline():
                curs.execute(
                    self.insert_idempotency_statement,
                    (
                        record.scope,
                        record.key,
                        record.body_hash,
                        record.status_code,
                        record.response,
                        as_utc(record.created_at),
                    ),
                    prepare=True,
                )

    def _fetch_ids_after_insert_events(
        self,
        curs: psycopg.Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> Sequence[int] | None:
        notification_ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if self.audit_chain_key is not None and notification_ids:
            known: KnownHead | None = kwargs.get(CHAIN_HEAD_KWARG)
            if known is not None and known.hash is not None:
                prev = known.hash  # a batch's previous write just wrote it, under this lock
            else:
                curs.execute(self.select_chain_head_statement, prepare=True)
                row = curs.fetchone()  # in pipeline mode, fetching syncs
                prev = GENESIS if row is None else bytes(row["hash"])
            links = new_links(self.audit_chain_key, prev, notification_ids, stored_events, self.audit_chain_key_id)
            curs.execute(
                self.insert_chain_statement,
                ([link.notification_id for link in links], [link.hash for link in links],
                 [link.key_id for link in links]),
                prepare=True,
            )
            if known is not None:
                known.hash = links[-1].hash
        return notification_ids

    def select_snapshot_and_events(
        self, snapshots: Any, originator_id: Any, *, lte: int | None = None
    ) -> tuple[StoredEvent | None, list[StoredEvent]]:
        """One read for a load (``application.repository``); see ``postgres_load``."""
        return select_snapshot_and_events(self, snapshots, originator_id, lte=lte)

    def select_events(
        self, originator_id: Any, *, gt: int | None = None, lte: int | None = None,
        desc: bool = False, limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        """As the library's, with rows as tuples (``postgres_load``)."""
        return select_events(self, originator_id, gt=gt, lte=lte, desc=desc, limit=limit)

    def select_notifications(
        self, start: int | None, limit: int, stop: int | None = None, topics: Sequence[str] = (),
        *, inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        """As the library's, from statements rendered once per shape (``postgres_load``)."""
        return select_notifications(self, start, limit, stop, topics, inclusive_of_start=inclusive_of_start)

    def select_chain(
        self, start: int | None, limit: int, stop: int | None = None
    ) -> Sequence[ChainLink]:
        low = start if start is not None else -(2**63)
        high = stop if stop is not None else 2**63 - 1
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.select_chain_statement, (low, high, limit), prepare=True)
            return [ChainLink(r["notification_id"], bytes(r["hash"]), r["key_id"]) for r in curs.fetchall()]

    def chain_link_before(self, notification_id: int) -> ChainLink | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.select_chain_before_statement, (notification_id,), prepare=True)
            row = curs.fetchone()
        return None if row is None else ChainLink(row["notification_id"], bytes(row["hash"]), row["key_id"])

    def chain_head(self) -> ChainLink | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.select_chain_head_statement, prepare=True)
            row = curs.fetchone()
        return None if row is None else ChainLink(row["notification_id"], bytes(row["hash"]), row["key_id"])

    def find_idempotency(self, scope: str, key: str) -> IdempotencyRecord | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.select_idempotency_statement, (scope, key), prepare=True)
            row = curs.fetchone()
        if row is None:
            return None
        return record_from_row(row, as_utc(row["created_at"]))

    def purge_idempotency(self, older_than: datetime) -> int:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.purge_idempotency_statement, (as_utc(older_than),))
            return curs.rowcount


class MotcuaPostgresProcessRecorder(
    es_pg.PostgresProcessRecorder, MotcuaPostgresApplicationRecorder
):
    """Process recorder with the same additions: tracking row, idempotency row, events."""


class MotcuaPostgresFactory(es_pg.PostgresFactory):
    """PostgreSQL factory that builds our recorders unless a ``*_RECORDER_TOPIC`` says otherwise.

    ``tracking_recorder()`` is inherited unchanged and accepts any ``PostgresTrackingRecorder``
    subclass (the projection views).
    """

    application_recorder_class = MotcuaPostgresApplicationRecorder
    process_recorder_class = MotcuaPostgresProcessRecorder

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        keyring = chain_key_from_env(self.env)
        self.audit_chain_key = keyring.current if keyring is not None else None
        self.audit_chain_key_id = keyring.current_id if keyring is not None else None
        self.group_commit = GroupCommitConfig.from_env(self.env)

    def application_recorder(self) -> es_pg.ApplicationRecorder:
        recorder = super().application_recorder()
        if isinstance(recorder, MotcuaPostgresApplicationRecorder):
            self._configure(recorder)
        return recorder

    def process_recorder(self) -> es_pg.ProcessRecorder:
        recorder = super().process_recorder()
        if isinstance(recorder, MotcuaPostgresApplicationRecorder):
            self._configure(recorder)
        return recorder

    def _configure(self, recorder: MotcuaPostgresApplicationRecorder) -> None:
        recorder.audit_chain_key = self.audit_chain_key
        recorder.audit_chain_key_id = self.audit_chain_key_id
        if self.group_commit.enabled:
            recorder.enable_group_commit(
                max_wait=self.group_commit.max_wait, max_batch=self.group_commit.max_batch
            )


Factory = MotcuaPostgresFactory


class ProjectionAlreadyRunning(RuntimeError):
    """Another process holds the advisory lock of this projection."""


@dataclass
class AdvisoryLock:
    """A held session-level advisory lock; released when its context exits."""

    name: str
    namespace: str
    connection: psycopg.Connection[Any]

    def is_held(self) -> bool:
        """True while the session is alive (only our session can release a session lock)."""
        if self.connection.closed:
            return False
        try:
            self.connection.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True


@contextlib.contextmanager
def advisory_lock(
    target: es_pg.PostgresDatastore | str, name: str, *, namespace: str | None = None
) -> Iterator[AdvisoryLock]:
    """Hold ``pg_try_advisory_lock`` for ``name`` on a dedicated connection, or raise
    :class:`ProjectionAlreadyRunning` at once.

    So only one runner per projection runs at a time. Session-level and non-blocking: a second
    ``motcua project`` says clearly that one is running instead of queueing, and a crashed
    runner's lock goes with its connection. The connection is our own, not one of the pool's,
    so a long-running runner does not shrink the pool. Advisory locks are per database, so the
    lock is keyed by (``namespace``, ``name``) with the namespace defaulting to the schema:
    test runs and deployments in other schemas of the same database do not exclude each other.
    """
    if isinstance(target, es_pg.PostgresDatastore):
        pool_kwargs = target.pool.kwargs
        kwargs = dict(pool_kwargs() if callable(pool_kwargs) else pool_kwargs or {})
        if target.pool.get_password_func is not None:
            kwargs["password"] = target.pool.get_password_func()
        kwargs.pop("row_factory", None)
        connection = psycopg.connect(autocommit=True, **kwargs)
        namespace = target.schema if namespace is None else namespace
    else:
        connection = psycopg.connect(target, autocommit=True)
        namespace = "public" if namespace is None else namespace
    keys = {"namespace": f"motcua:{namespace}", "name": name}
    try:
        row = connection.execute(
            "SELECT pg_try_advisory_lock(hashtext(%(namespace)s), hashtext(%(name)s))", keys
        ).fetchone()
        if not row or not row[0]:
            msg = f"Projection '{name}' is already running (schema '{namespace}')"
            raise ProjectionAlreadyRunning(msg)
        try:
            yield AdvisoryLock(name=name, namespace=namespace, connection=connection)
        finally:
            with contextlib.suppress(psycopg.Error):
                connection.execute(
                    "SELECT pg_advisory_unlock(hashtext(%(namespace)s), hashtext(%(name)s))", keys
                )
    finally:
        connection.close()
