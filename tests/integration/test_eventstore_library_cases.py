"""eventsourcing's own recorder test cases, run against our recorders and factories.

SQLite runs on a real file under ``tmp_path`` (WAL mode, as in the embedded default);
PostgreSQL in a schema of the test's own (see ``conftest.py``). The library's throughput cases
(``test_performance``, ``test_concurrent_throughput``) are left out by setting them to ``None``:
unittest's loader, which pytest uses for ``TestCase`` classes, collects only callables, so they
are neither run nor reported as skipped.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from itertools import islice
from pathlib import Path
from threading import Event, Thread
from typing import Any, cast
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import (
    InfrastructureFactory,
    Notification,
    ProgrammingError,
    StoredEvent,
    TrackingRecorder,
)
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder
from eventsourcing.tests.persistence import (
    ApplicationRecorderTestCase,
    InfrastructureFactoryTestCase,
    NonInterleavingNotificationIDsBaseCase,
    ProcessRecorderTestCase,
    TrackingRecorderTestCase,
)
from eventsourcing.utils import Environment

from adapters.eventstore.postgres import (
    MotcuaPostgresApplicationRecorder,
    MotcuaPostgresFactory,
    MotcuaPostgresProcessRecorder,
    ProjectionAlreadyRunning,
    advisory_lock,
)
from adapters.eventstore.sqlite import (
    MotcuaSQLiteApplicationRecorder,
    MotcuaSQLiteDatastore,
    MotcuaSQLiteFactory,
    MotcuaSQLiteProcessRecorder,
)
from adapters.eventstore.subscription import SQLitePollingSubscription


class ProjectionViewOnSQLite(SQLiteTrackingRecorder):
    """Stands for a projection's view: the factory must accept tracking recorder subclasses."""


class ProjectionViewOnPostgres(PostgresTrackingRecorder):
    """Stands for a projection's view on PostgreSQL."""


class OnSQLiteFile:
    """Gives each test a fresh SQLite file (WAL) and closes it afterwards."""

    datastore: SQLiteDatastore
    db_path: Path

    @pytest.fixture(autouse=True)
    def _sqlite_file(self, tmp_path: Path) -> Iterator[None]:
        self.db_path = tmp_path / "events.sqlite"
        self.datastore = MotcuaSQLiteDatastore(db_name=str(self.db_path))
        yield
        self.datastore.close()


class InPostgresSchema:
    """Gives each test a datastore in a schema of its own."""

    datastore: Any

    @pytest.fixture(autouse=True)
    def _postgres_schema(self, pg_datastore: PostgresDatastore) -> None:
        self.datastore = pg_datastore


class CreatesOurRecorder:
    """``create_recorder()`` for the library cases: our class, on the test's datastore."""

    recorder_class: Any
    datastore: Any

    def create_recorder(self) -> Any:
        recorder = self.recorder_class(self.datastore)
        recorder.create_table()
        return recorder


class WithoutThroughputCases(CreatesOurRecorder):
    test_performance: Any = None  # not callable, so unittest's loader does not collect it
    test_concurrent_throughput: Any = None


class WithSubscribeCase(WithoutThroughputCases):
    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()  # type: ignore[attr-defined]


class ExpectsOurFactory:
    """The expectations of ``InfrastructureFactoryTestCase`` for one of our factories."""

    factory_class: Any
    application_class: type
    process_class: type
    tracking_class: type
    view_class: type

    def expected_factory_class(self) -> Any:
        return self.factory_class

    def expected_aggregate_recorder_class(self) -> type:
        return cast(type, self.factory_class.aggregate_recorder_class)

    def expected_application_recorder_class(self) -> type:
        return self.application_class

    def expected_tracking_recorder_class(self) -> type:
        return self.tracking_class

    def tracking_recorder_subclass(self) -> type:
        return self.view_class

    def expected_process_recorder_class(self) -> type:
        return self.process_class


# SQLite ---------------------------------------------------------------------------------


class TestOurSQLiteApplicationRecorder(
    OnSQLiteFile, WithSubscribeCase, ApplicationRecorderTestCase[Any]
):
    recorder_class = MotcuaSQLiteApplicationRecorder


class TestOurSQLiteProcessRecorder(OnSQLiteFile, WithoutThroughputCases, ProcessRecorderTestCase):
    recorder_class = MotcuaSQLiteProcessRecorder


class TestOurSQLiteRecorderNeverInterleavesNotificationIds(
    OnSQLiteFile, CreatesOurRecorder, NonInterleavingNotificationIDsBaseCase
):
    recorder_class = MotcuaSQLiteApplicationRecorder


class TestSQLiteTrackingRecorderFromOurFactory(OnSQLiteFile, TrackingRecorderTestCase):
    def create_recorder(self) -> TrackingRecorder:
        factory = MotcuaSQLiteFactory({"SQLITE_DBNAME": str(self.db_path)})
        self.datastore = factory.datastore  # closed by the fixture
        return factory.tracking_recorder()


class TestOurSQLiteFactory(OnSQLiteFile, ExpectsOurFactory, InfrastructureFactoryTestCase[Any]):
    factory_class = MotcuaSQLiteFactory
    application_class = MotcuaSQLiteApplicationRecorder
    process_class = MotcuaSQLiteProcessRecorder
    tracking_class = SQLiteTrackingRecorder
    view_class = ProjectionViewOnSQLite

    def setUp(self) -> None:
        self.env = Environment("TestCase")
        self.env[InfrastructureFactory.PERSISTENCE_MODULE] = "adapters.eventstore.sqlite"
        self.env[MotcuaSQLiteFactory.SQLITE_DBNAME] = str(self.db_path)
        super().setUp()


# PostgreSQL -----------------------------------------------------------------------------


class TestOurPostgresApplicationRecorder(
    InPostgresSchema, WithSubscribeCase, ApplicationRecorderTestCase[Any]
):
    recorder_class = MotcuaPostgresApplicationRecorder


class TestOurPostgresProcessRecorder(
    InPostgresSchema, WithoutThroughputCases, ProcessRecorderTestCase
):
    recorder_class = MotcuaPostgresProcessRecorder


class TestOurPostgresRecorderNeverInterleavesNotificationIds(
    InPostgresSchema, CreatesOurRecorder, NonInterleavingNotificationIDsBaseCase
):
    recorder_class = MotcuaPostgresApplicationRecorder


class WithGroupCommit(CreatesOurRecorder):
    """The same cases with every insert going through the group committer."""

    def create_recorder(self) -> Any:
        recorder = super().create_recorder()
        recorder.enable_group_commit()
        return recorder


class TestOurPostgresApplicationRecorderWithGroupCommit(
    InPostgresSchema, WithGroupCommit, WithSubscribeCase, ApplicationRecorderTestCase[Any]
):
    recorder_class = MotcuaPostgresApplicationRecorder


class TestOurPostgresProcessRecorderWithGroupCommit(
    InPostgresSchema, WithGroupCommit, WithoutThroughputCases, ProcessRecorderTestCase
):
    recorder_class = MotcuaPostgresProcessRecorder


class TestGroupCommitNeverInterleavesNotificationIds(
    InPostgresSchema, WithGroupCommit, NonInterleavingNotificationIDsBaseCase
):
    recorder_class = MotcuaPostgresApplicationRecorder


class TestPostgresTrackingRecorderFromOurFactory(TrackingRecorderTestCase):
    @pytest.fixture(autouse=True)
    def _factory(self, pg_env: dict[str, str]) -> Iterator[None]:
        self.factory = MotcuaPostgresFactory(pg_env)
        yield
        self.factory.close()

    def create_recorder(self) -> TrackingRecorder:
        return self.factory.tracking_recorder()


class TestOurPostgresFactory(ExpectsOurFactory, InfrastructureFactoryTestCase[Any]):
    factory_class = MotcuaPostgresFactory
    application_class = MotcuaPostgresApplicationRecorder
    process_class = MotcuaPostgresProcessRecorder
    tracking_class = PostgresTrackingRecorder
    view_class = ProjectionViewOnPostgres

    @pytest.fixture(autouse=True)
    def _schema_env(self, pg_env: dict[str, str]) -> None:
        self.pg_env = pg_env

    def setUp(self) -> None:
        self.env = Environment("TestCase", self.pg_env)
        super().setUp()


# Beyond the library's cases: what our SQLite subscription and the advisory lock promise -----


def _stored(n: int, topic: str = "topic") -> list[StoredEvent]:
    return [StoredEvent(uuid4(), 1, topic, b"{}") for _ in range(n)]


def _sqlite_recorder(db_path: Path, **env: str) -> MotcuaSQLiteApplicationRecorder:
    recorder = MotcuaSQLiteFactory({"SQLITE_DBNAME": str(db_path), **env}).application_recorder()
    assert isinstance(recorder, MotcuaSQLiteApplicationRecorder)
    return recorder


def _next_in_thread(subscription: Iterator[Notification]) -> tuple[Thread, list[Notification]]:
    received: list[Notification] = []
    thread = Thread(target=lambda: received.extend(islice(subscription, 1)), daemon=True)
    thread.start()
    return thread, received


def test_an_insert_in_this_process_wakes_a_waiting_subscription_before_the_next_poll(
    tmp_path: Path,
) -> None:
    db_path = tmp_path / "events.sqlite"
    reader = _sqlite_recorder(db_path, SQLITE_POLL_INTERVAL="30")
    writer = _sqlite_recorder(db_path)  # another recorder object, as a projection runner has
    with reader.subscribe(gt=None) as subscription:
        thread, received = _next_in_thread(subscription)
        time.sleep(0.2)  # let it find nothing and start waiting
        started = time.monotonic()
        writer.insert_events(_stored(1))
        thread.join(timeout=5)
        assert received and received[0].id == 1
        assert time.monotonic() - started < 1


def test_an_insert_by_another_process_is_found_by_polling(tmp_path: Path) -> None:
    db_path = tmp_path / "events.sqlite"
    recorder = _sqlite_recorder(db_path, SQLITE_POLL_INTERVAL="0.05")
    with recorder.subscribe(gt=None) as subscription:
        thread, received = _next_in_thread(subscription)
        time.sleep(0.2)
        # A plain sqlite3 connection stands for another process: it sends no wake-up call.
        with closing(sqlite3.connect(db_path)) as other, other:
            other.execute(
                "INSERT INTO stored_events VALUES (?,?,?,?)", (uuid4().hex, 1, "topic", b"{}")
            )
        thread.join(timeout=5)
        assert [n.id for n in received] == [1]


def test_stop_from_another_thread_ends_a_waiting_iteration_at_once(tmp_path: Path) -> None:
    recorder = _sqlite_recorder(tmp_path / "events.sqlite", SQLITE_POLL_INTERVAL="30")
    subscription = recorder.subscribe(gt=None)
    with subscription:
        thread, received = _next_in_thread(subscription)
        time.sleep(0.2)
        started = time.monotonic()
        subscription.stop()
        thread.join(timeout=5)
        assert not thread.is_alive() and received == []
        assert time.monotonic() - started < 1


def test_a_subscription_pages_through_the_log_in_order_and_filters_topics(tmp_path: Path) -> None:
    recorder = _sqlite_recorder(tmp_path / "events.sqlite")
    recorder.insert_events(_stored(7, "a") + _stored(3, "b") + _stored(4, "a"))
    with SQLitePollingSubscription(recorder, gt=2, topics=["a"], page_size=3) as subscription:
        ids = [n.id for n in islice(subscription, 9)]
        assert subscription.gt == 14
        assert list(subscription.topics) == ["a"]
    assert ids == [3, 4, 5, 6, 7, 11, 12, 13, 14]


def test_the_sqlite_factory_reads_the_poll_interval_and_refuses_a_bad_one(tmp_path: Path) -> None:
    db = str(tmp_path / "events.sqlite")
    factory = MotcuaSQLiteFactory({"SQLITE_DBNAME": db, "SQLITE_POLL_INTERVAL": "0.2"})
    assert factory.application_recorder().poll_interval == 0.2  # type: ignore[attr-defined]
    assert factory.process_recorder().poll_interval == 0.2  # type: ignore[attr-defined]
    factory.close()
    for bad in ("soon", "0", "-1"):
        with pytest.raises(OSError, match="SQLITE_POLL_INTERVAL"):
            MotcuaSQLiteFactory({"SQLITE_DBNAME": db, "SQLITE_POLL_INTERVAL": bad})


def test_the_persistence_module_topics_resolve_to_our_factories(
    tmp_path: Path, pg_env: dict[str, str]
) -> None:
    sqlite_env = {"PERSISTENCE_MODULE": "adapters.eventstore.sqlite", "SQLITE_DBNAME": ":memory:"}
    assert type(InfrastructureFactory.construct(sqlite_env)) is MotcuaSQLiteFactory
    factory = InfrastructureFactory.construct(pg_env)
    assert type(factory) is MotcuaPostgresFactory
    factory.close()


def test_postgres_db_functions_are_refused_because_they_take_no_table_lock(
    pg_env: dict[str, str],
) -> None:
    factory = MotcuaPostgresFactory({**pg_env, "POSTGRES_ENABLE_DB_FUNCTIONS": "y"})
    try:
        with pytest.raises(ProgrammingError, match="POSTGRES_ENABLE_DB_FUNCTIONS"):
            factory.application_recorder()
    finally:
        factory.close()


def test_a_second_runner_of_a_projection_is_refused_at_once(
    pg_datastore: PostgresDatastore, pg_conninfo: str, pg_schema: str
) -> None:
    with advisory_lock(pg_datastore, "DossierIndex") as lock:
        assert lock.is_held()
        started = time.monotonic()
        with (
            pytest.raises(ProjectionAlreadyRunning, match="DossierIndex"),
            advisory_lock(pg_conninfo, "DossierIndex", namespace=pg_schema),
        ):
            pass
        assert time.monotonic() - started < 2
        # Other projections, and the same projection in another schema, are not excluded.
        with advisory_lock(pg_datastore, "Statistics"), advisory_lock(pg_conninfo, "DossierIndex"):
            pass
    with advisory_lock(pg_conninfo, "DossierIndex", namespace=pg_schema):
        pass  # released when the first context exited


def test_a_runner_whose_connection_dies_releases_its_projection(
    pg_datastore: PostgresDatastore, pg_conninfo: str
) -> None:
    with advisory_lock(pg_datastore, "DossierIndex") as lock:
        with psycopg.connect(pg_conninfo, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (lock.connection.info.backend_pid,))
        assert not lock.is_held()
        with advisory_lock(pg_datastore, "DossierIndex"):
            pass


def test_closing_an_sqlite_datastore_waits_for_a_connection_in_use(tmp_path: Path) -> None:
    # The stock pool closes in-use connections at once, which crashes CPython's sqlite3.
    datastore = MotcuaSQLiteDatastore(db_name=str(tmp_path / "events.sqlite"))
    holding, release = Event(), Event()

    def read() -> None:
        with datastore.transaction(commit=False) as cursor:
            holding.set()
            release.wait(5)
            cursor.execute("SELECT 1")

    reader = Thread(target=read)
    reader.start()
    holding.wait(5)
    closer = Thread(target=datastore.close)
    closer.start()
    closer.join(0.3)
    assert closer.is_alive()  # still waiting for the reader
    release.set()
    reader.join(5)
    closer.join(5)
    assert not closer.is_alive() and datastore.pool.closed
