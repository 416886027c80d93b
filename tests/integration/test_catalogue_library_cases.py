"""eventsourcing's own tracking-recorder cases, run on the public catalogue's views."""

from __future__ import annotations

from eventsourcing.persistence import TrackingRecorder
from eventsourcing.tests import persistence as library_recorder_cases

from adapters.catalogue.postgres_search import PostgresCatalogueView
from adapters.catalogue.sqlite_search import SQLiteCatalogueView
from adapters.eventstore.postgres import MotcuaPostgresFactory
from adapters.eventstore.sqlite import MotcuaSQLiteFactory
from tests.integration.test_index_library_cases import OnOurPostgresStore, OnOurSQLiteStore


class TestOurSQLiteCatalogueViewIsATrackingRecorder(
    OnOurSQLiteStore, library_recorder_cases.TrackingRecorderTestCase
):
    def create_recorder(self) -> TrackingRecorder:
        return MotcuaSQLiteFactory(self.env).tracking_recorder(SQLiteCatalogueView)


class TestOurPostgresCatalogueViewIsATrackingRecorder(
    OnOurPostgresStore, library_recorder_cases.TrackingRecorderTestCase
):
    def create_recorder(self) -> TrackingRecorder:
        return MotcuaPostgresFactory(self.env).tracking_recorder(PostgresCatalogueView)
