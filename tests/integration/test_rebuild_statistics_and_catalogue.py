"""`motcua rebuild statistics` and `motcua rebuild catalogue` give the rows of the live path.

Statistics: rows written by the live `StatisticsRunner` are the reference; a rebuild that
crashes after a few batches, then resumes, must end with exactly those rows and position.
Catalogue: a rebuild in one batch and one in batches of a single event agree, and show every
procedure the store publishes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import Tracking

from adapters.clickhouse.engine import Connector, parse_dsn, resolve
from adapters.clickhouse.reset import reset_statistics
from adapters.clickhouse.view import ClickHouseStatisticsView
from application.catalogue_search import CatalogueQuery
from ops.catalogue_projector import build_catalogue_view
from ops.rebuild import StatisticsBatchWriter, rebuild, rebuild_projection
from ops.settings import load_settings
from ops.statistics import StatisticsRunner, open_stream
from ops.wiring import build_container
from projections.batching import BatchWriter
from projections.dossier_index import TOPICS
from tests.chdb import chdb_directory, statistics_dsn  # noqa: F401
from tests.integration.index_projector_process import write_dossiers


class Crash(RuntimeError):
    pass


class CrashAfter(BatchWriter):
    """Writes `batches` batches, then fails as a killed process would (nothing of the next one)."""

    def __init__(self, inner: BatchWriter, batches: int) -> None:
        self.inner, self.left = inner, batches

    def position(self) -> int:
        return self.inner.position()

    def write(self, batch: Sequence[tuple[int, Any]], tracking: Tracking) -> None:
        if self.left == 0:
            raise Crash
        self.left -= 1
        self.inner.write(batch, tracking)


def rows(view: ClickHouseStatisticsView) -> tuple[list[Any], list[Any]]:
    def read(client: Any) -> tuple[list[Any], list[Any]]:
        events = client.query(f"SELECT * FROM {view.db}.dossier_events FINAL ORDER BY dossier_id, version").result_rows
        states = client.query(f"SELECT * FROM {view.db}.dossier_states FINAL ORDER BY dossier_id, version").result_rows
        return events, states

    return view.connector.call(read)


def test_a_statistics_rebuild_that_crashes_and_resumes_ends_with_the_live_rows(
    tmp_path: Path, statistics_dsn: str  # noqa: F811
) -> None:
    settings = load_settings({}, data_dir=str(tmp_path / "var"), clickhouse_dsn=statistics_dsn)
    stream = open_stream(settings)
    connector = Connector(resolve(parse_dsn(statistics_dsn)))
    try:
        write_dossiers(stream, 60, seed=8)
        last = stream.recorder.max_notification_id() or 0
        view = ClickHouseStatisticsView(connector)
        view.migrate()
        assert StatisticsRunner(stream, view, batch_size=25).catch_up() > 0
        live = rows(view)
        assert view.position() == last and len(live[1]) > 100

        with pytest.raises(Crash):
            rebuild(stream, CrashAfter(StatisticsBatchWriter(view, settings.timezone), 3), topics=TOPICS,
                    name="statistics", reset=lambda: reset_statistics(view), batch_size=40)
        assert 0 < view.position() < last
        assert len(rows(view)[1]) < len(live[1])  # the reset emptied the tables

        resumed = rebuild_projection(settings, "statistics", resume=True, quiet=True, batch_size=40)
        assert resumed.position == view.position() == last
        assert rows(view) == live
    finally:
        connector.close()
        stream.close()


def test_a_catalogue_rebuild_shows_every_published_procedure_whatever_the_batch_size(tmp_path: Path) -> None:
    settings = load_settings({}, data_dir=str(tmp_path / "var"))
    container = build_container(settings, projections=False)  # imports the seed catalogue
    try:
        published = {p.code: p.version for p in container.services.catalogue.list()}
    finally:
        container.close()
    assert published

    def entries() -> dict[str, Any]:
        view = build_catalogue_view(settings)
        try:
            page = view.search(CatalogueQuery(page_size=100))
            return {e.code: e for e in page.items}
        finally:
            view.datastore.close()  # type: ignore[attr-defined]

    whole = rebuild_projection(settings, "catalogue", quiet=True)
    first = entries()
    assert {code: e.version for code, e in first.items()} == published
    assert all(e.status == "published" for e in first.values())
    single = rebuild_projection(settings, "catalogue", quiet=True, batch_size=1)
    assert single.events == whole.events and single.position == whole.position
    assert entries() == first
