"""eventsourcing's projection test cases, run on our stores, our SQLite subscription and our runner.

- `EventCountersViewTestCase`: a materialised view that writes rows and tracking in one
  transaction (the pattern of our index views), built by our factories;
- `AggregateEventCountersProjectionTestCase`: the library's `ProjectionRunner`, and then ours
  (`IsolatedProjectionRunner`, put in its place for the case), following our SQLite store
  through the polling `subscribe()` and our PostgreSQL store through LISTEN/NOTIFY;
- `EventSourcedProjectionTestCase`: a process application on our process recorders;
- `TrackingRecorderTestCase`: our lookup index views are proper tracking recorders.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import Tracking, TrackingRecorder
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteCursor, SQLiteTrackingRecorder
from eventsourcing.tests import persistence as library_recorder_cases
from eventsourcing.tests import projection as library_cases
from eventsourcing.tests.projection import EventCountersView
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from adapters.eventstore.postgres import MotcuaPostgresFactory
from adapters.eventstore.sqlite import MotcuaSQLiteFactory
from adapters.index.postgres import PostgresDossierIndexView
from adapters.index.sqlite import SQLiteDossierIndexView
from projections.runner import IsolatedProjectionRunner

# The library's cases are named through their modules: pytest would collect (and fail to run)
# every abstract TestCase class bound in this module's namespace.
CREATED, SUBSEQUENT = "created", "subsequent"


class SQLiteEventCounters(SQLiteTrackingRecorder, EventCountersView):
    """Counters and tracking in one SQLite transaction (as the library's own test view)."""

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(),
                "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL)"]

    def _incr(self, name: str, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as c:
            self._insert_tracking(c, tracking)
            self._upsert(c, name)

    @staticmethod
    def _upsert(c: SQLiteCursor, name: str) -> None:
        c.execute("INSERT INTO counters VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET n = n + 1",
                  (name,))

    def _get(self, name: str) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT n FROM counters WHERE name = ?", (name,))
            row = c.fetchone()
        return int(row[0]) if row else 0

    def get_created_event_counter(self) -> int:
        return self._get(CREATED)

    def get_subsequent_event_counter(self) -> int:
        return self._get(SUBSEQUENT)

    def incr_created_event_counter(self, tracking: Tracking) -> None:
        self._incr(CREATED, tracking)

    def incr_subsequent_event_counter(self, tracking: Tracking) -> None:
        self._incr(SUBSEQUENT, tracking)


class PostgresEventCounters(PostgresTrackingRecorder, EventCountersView):
    """Counters and tracking in one PostgreSQL transaction, in the test's schema."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.table = SQL("{}.counters").format(Identifier(datastore.schema))
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {} (name text PRIMARY KEY, n integer NOT NULL)"
        ).format(self.table))

    def _incr(self, name: str, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            self._insert_tracking(curs, tracking)
            self._upsert(curs, name)

    def _upsert(self, curs: Cursor[DictRow], name: str) -> None:
        curs.execute(SQL("INSERT INTO {} VALUES (%s, 1) ON CONFLICT (name) DO UPDATE "
                         "SET n = counters.n + 1").format(self.table), (name,))

    def _get(self, name: str) -> int:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT n FROM {} WHERE name = %s").format(self.table), (name,))
            row = curs.fetchone()
        return int(row["n"]) if row else 0

    def get_created_event_counter(self) -> int:
        return self._get(CREATED)

    def get_subsequent_event_counter(self) -> int:
        return self._get(SUBSEQUENT)

    def incr_created_event_counter(self, tracking: Tracking) -> None:
        self._incr(CREATED, tracking)

    def incr_subsequent_event_counter(self, tracking: Tracking) -> None:
        self._incr(SUBSEQUENT, tracking)


class OnOurSQLiteStore:
    """Our SQLite factory (polling subscription) on a fresh file of the test's own."""

    env: dict[str, str]

    @pytest.fixture(autouse=True)
    def _store(self, tmp_path: Path) -> None:
        self.env = {
            "PERSISTENCE_MODULE": "adapters.eventstore.sqlite",
            "SQLITE_DBNAME": str(tmp_path / "store.sqlite"),
            "SQLITE_POLL_INTERVAL": "0.02",
            # An event-sourced projection keeps its own events apart from its upstream's.
            "COUNTERS_SQLITE_DBNAME": str(tmp_path / "counters.sqlite"),
        }


class OnOurPostgresStore:
    env: dict[str, str]

    @pytest.fixture(autouse=True)
    def _store(self, pg_env: dict[str, str]) -> None:
        self.env = dict(pg_env)


class WithOurRunner:
    """Runs the library's runner case with `IsolatedProjectionRunner` in its place."""

    @pytest.fixture(autouse=True)
    def _our_runner(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(library_cases, "ProjectionRunner", IsolatedProjectionRunner)


class TestEventCountersViewFromOurSQLiteFactory(
    OnOurSQLiteStore, library_cases.EventCountersViewTestCase
):
    def construct_event_counters_view(self) -> EventCountersView:
        view = MotcuaSQLiteFactory(self.env).tracking_recorder(SQLiteEventCounters)
        assert isinstance(view, SQLiteEventCounters)
        return view


class TestEventCountersViewFromOurPostgresFactory(
    OnOurPostgresStore, library_cases.EventCountersViewTestCase
):
    def construct_event_counters_view(self) -> EventCountersView:
        view = MotcuaPostgresFactory(self.env).tracking_recorder(PostgresEventCounters)
        assert isinstance(view, PostgresEventCounters)
        return view


class TestLibraryRunnerFollowsOurSQLiteStore(
    OnOurSQLiteStore, library_cases.AggregateEventCountersProjectionTestCase
):
    view_class = SQLiteEventCounters


class TestOurRunnerFollowsOurSQLiteStore(
    WithOurRunner, OnOurSQLiteStore, library_cases.AggregateEventCountersProjectionTestCase
):
    view_class = SQLiteEventCounters


class TestLibraryRunnerFollowsOurPostgresStore(
    OnOurPostgresStore, library_cases.AggregateEventCountersProjectionTestCase
):
    view_class = PostgresEventCounters


class TestOurRunnerFollowsOurPostgresStore(
    WithOurRunner, OnOurPostgresStore, library_cases.AggregateEventCountersProjectionTestCase
):
    view_class = PostgresEventCounters


class TestEventSourcedProjectionOnOurSQLiteStore(
    OnOurSQLiteStore, library_cases.EventSourcedProjectionTestCase
):
    pass


class TestEventSourcedProjectionOnOurPostgresStore(
    OnOurPostgresStore, library_cases.EventSourcedProjectionTestCase
):
    pass


class TestOurSQLiteIndexViewIsATrackingRecorder(
    OnOurSQLiteStore, library_recorder_cases.TrackingRecorderTestCase
):
    def create_recorder(self) -> TrackingRecorder:
        return MotcuaSQLiteFactory(self.env).tracking_recorder(SQLiteDossierIndexView)


class TestOurPostgresIndexViewIsATrackingRecorder(
    OnOurPostgresStore, library_recorder_cases.TrackingRecorderTestCase
):
    def create_recorder(self) -> TrackingRecorder:
        return MotcuaPostgresFactory(self.env).tracking_recorder(PostgresDossierIndexView)
