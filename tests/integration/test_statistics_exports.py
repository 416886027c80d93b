"""Statistics exports against real chDB: flat memory for a large range, rows agree with the report,
idempotent retries, and an unreachable store recorded as the export's failure.

The ClickHouse tables are filled quickly but honestly: the hand-built dossiers of
`test_clickhouse_statistics` (every ending, real domain commands) are copied under new ids and
folded into rows by the statistics projection itself (`StatisticsProjector`, `next_state`).
"""

from __future__ import annotations

import csv
import dataclasses
import gc
import socket
import tracemalloc
import uuid
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from adapters.clickhouse.engine import Connector, parse_dsn, resolve
from adapters.clickhouse.exports import ClickHouseDossierRows
from adapters.clickhouse.reports import ClickHouseStatistics
from adapters.clickhouse.view import ClickHouseStatisticsView
from adapters.exports.filesystem import FilesystemExportFiles
from application.statistics import Scope, StatisticsUnavailable
from application.statistics_exports import ExportExpired, StatisticsExports
from domain.actor import Actor, Role
from ops.stores import TRANSCODER_TOPIC
from projections.statistics import StatisticsProjector
from tests.chdb import chdb_directory, drop, fresh_dsn, statistics_dsn  # noqa: F401
from tests.integration.test_clickhouse_statistics import hand_built_dossiers
from application.clock import WallClock

ANALYST = Actor("analyst-1", Role.ANALYST)
WEEK = dict(date_from=date(2026, 3, 9), date_to=date(2026, 3, 13))
TEMPLATE = [[e for e in d.collect_events()] for d in hand_built_dossiers()]
COPIES = 100
"""N = 11 x COPIES dossiers (900 of them in the exported week); the large export has 8N."""
BLOCK = 200
"""Rows per ClickHouse block: the export holds a block or two at a time, so N must span several."""


def fill(dsn: str, copies: int) -> None:
    """``copies`` copies of the template dossiers, through the projection's own row builder."""
    connector = Connector(resolve(parse_dsn(dsn)))
    view = ClickHouseStatisticsView(connector)
    view.migrate()
    projector = StatisticsProjector(view)
    position = 0
    for start in range(0, copies, 200):
        batch = []
        for k in range(start, min(copies, start + 200)):
            for events in TEMPLATE:
                new_id = uuid.uuid5(events[0].originator_id, str(k))
                for e in events:
                    position += 1
                    extra = {"code": f"{e.code}-{k:05d}"} if hasattr(e, "code") else {}
                    batch.append((position, dataclasses.replace(e, originator_id=new_id, **extra)))
        projector.process(batch, position)
    connector.close()


def exports(dsn: str, directory: Path, **kw: Any) -> StatisticsExports:
    """Records in memory (the application's own POPO store); rows and files are the real adapters."""
    target = resolve(parse_dsn(dsn))
    return StatisticsExports({"TRANSCODER_TOPIC": TRANSCODER_TOPIC}, clock=WallClock(), rows=ClickHouseDossierRows(target, block_rows=BLOCK),
                             files=FilesystemExportFiles(directory), statistics=ClickHouseStatistics(Connector(target)),
                             scope_of=lambda unit: frozenset({unit}), **kw)


def peak_of_export(app: StatisticsExports, format: str) -> tuple[int, str]:
    export_id = str(app.request(ANALYST, format=format, **WEEK))
    gc.collect()
    tracemalloc.start()
    try:
        app.run(export_id)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, export_id


def csv_rows(app: StatisticsExports, export_id: str) -> list[dict[str, str]]:
    _, stream = app.download(ANALYST, export_id)
    with stream:
        return list(csv.DictReader(stream.read().decode("utf-8-sig").splitlines()))


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_a_large_export_keeps_memory_flat_and_its_rows_agree_with_the_report(chdb_directory, tmp_path, format):
    small, large = fresh_dsn(chdb_directory), fresh_dsn(chdb_directory)
    try:
        fill(small, COPIES)
        fill(large, 8 * COPIES)
        apps = {dsn: exports(dsn, tmp_path / dsn[-12:]) for dsn in (small, large)}
        peak_of_export(apps[small], format)  # warm up: imports, caches, first client
        small_peak, _ = peak_of_export(apps[small], format)
        large_peak, large_id = peak_of_export(apps[large], format)
        assert large_peak <= 1.5 * small_peak, (small_peak, large_peak)

        view = apps[large].get(ANALYST, large_id)
        report = apps[large].statistics.status_report(Scope(frozenset(), **WEEK))  # type: ignore[union-attr]
        assert view.status == "completed" and view.rows == report.received + report.refused
        assert view.rows > 8 * COPIES * 7
        if format == "csv":
            rows = csv_rows(apps[large], large_id)
        else:
            _, stream = apps[large].download(ANALYST, large_id)
            with stream:
                sheet = openpyxl.load_workbook(stream, read_only=True)["dossiers"].iter_rows(values_only=True)
                header = next(sheet)
                rows = [dict(zip(header, ("" if v is None else str(v) for v in row))) for row in sheet]
        state = Counter(r["state_at_end"] for r in rows)
        outcomes = Counter(r["outcome"] for r in rows if r["state_at_end"] == "finished")
        assert len(rows) == view.rows
        assert (state["finished"], state["within_deadline"], state["overdue"], state["refused"]) == (
            report.finished, report.within_deadline, report.overdue, report.refused)
        assert (outcomes["early"], outcomes["on_time"], outcomes["late"]) == (report.early, report.on_time, report.late)
        assert Counter(r["population"] for r in rows)["new"] == report.new
    finally:
        drop(small), drop(large)


def test_a_retried_job_does_no_harm(statistics_dsn, tmp_path):
    fill(statistics_dsn, 2)
    app = exports(statistics_dsn, tmp_path)
    export_id = str(app.request(ANALYST, **WEEK))
    crashed = app.repository.get(uuid.UUID(export_id))  # a first attempt started, then its worker died
    crashed.start(app.clock.now())
    app.save(crashed)
    app.run(export_id)
    done = app.get(ANALYST, export_id)
    assert (done.status, done.attempts) == ("completed", 2)
    app.run(export_id)  # redelivered after completion: nothing changes
    again = app.get(ANALYST, export_id)
    assert (again.sha256, again.attempts) == (done.sha256, 2)
    assert [p.name for p in tmp_path.iterdir()] == [f"{export_id}-2.csv"]  # no partial file, no stray attempt
    assert len(csv_rows(app, export_id)) == done.rows


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_store_is_retried_then_recorded_as_the_exports_failure(tmp_path):
    app = exports(f"http://127.0.0.1:{_closed_port()}/motcua", tmp_path, max_attempts=2)
    export_id = str(app.request(ANALYST, **WEEK))
    with pytest.raises(StatisticsUnavailable):
        app.run(export_id)  # the job is retried by dramatiq
    assert app.get(ANALYST, export_id).status == "running"
    app.run(export_id)  # the last attempt
    failed = app.get(ANALYST, export_id)
    assert failed.status == "failed" and failed.reason.startswith("statistics-unavailable")
    assert list(tmp_path.iterdir()) == []


def test_housekeeping_removes_old_files_and_keeps_the_record(statistics_dsn, tmp_path):
    fill(statistics_dsn, 1)
    app = exports(statistics_dsn, tmp_path)
    export_id = str(app.request(ANALYST, format="xlsx", **WEEK))
    app.run(export_id)
    assert app.purge(timedelta(hours=1)) == 0  # young files stay
    app.download(ANALYST, export_id)[1].close()
    (tmp_path / ".abandoned.part").write_bytes(b"half a file")
    assert app.purge(timedelta(0)) == 2
    with pytest.raises(ExportExpired):
        app.download(ANALYST, export_id)
    assert app.get(ANALYST, export_id).sha256  # the record and its digest remain


class BrokerAway:
    """A Jobs port whose broker is down for the first request, then back."""

    def __init__(self) -> None:
        self.down, self.sent = True, []

    def enqueue(self, name: str, **kwargs: Any) -> None:
        if self.down:
            raise ConnectionError("broker unreachable")
        self.sent.append((name, kwargs))


def test_a_request_made_while_the_broker_is_away_is_kept_and_queued_again_when_polled(statistics_dsn, tmp_path):
    from application.clock import SimulatedClock
    from datetime import UTC, datetime

    app = exports(statistics_dsn, tmp_path)
    app.clock = SimulatedClock(datetime(2026, 3, 16, 2, 0, tzinfo=UTC))
    app.jobs = broker = BrokerAway()  # type: ignore[assignment]
    export_id = str(app.request(ANALYST, **WEEK))  # accepted and recorded though nothing was queued
    broker.down = False
    assert app.get(ANALYST, export_id).status == "requested" and broker.sent == []  # too early to tell
    app.clock.advance(timedelta(minutes=3))
    app.get(ANALYST, export_id)
    assert broker.sent == [("run_statistics_export", {"export_id": export_id})]
    app.run(export_id)
    assert app.get(ANALYST, export_id).status == "completed"
    assert broker.sent == [("run_statistics_export", {"export_id": export_id})]  # done: no more


def test_a_job_for_an_unknown_export_ends_quietly(statistics_dsn, tmp_path):
    app = exports(statistics_dsn, tmp_path)
    app.run(str(uuid.uuid4()))
    app.run("not-a-uuid")
    assert list(tmp_path.iterdir()) == []


def test_replayed_twin_rows_on_unmerged_parts_are_exported_once(statistics_dsn, tmp_path):
    connector = Connector(resolve(parse_dsn(statistics_dsn)))
    ClickHouseStatisticsView(connector).migrate()
    for table in ("dossier_states", "dossier_latest"):
        connector.call(lambda c, t=table: c.command(f"SYSTEM STOP MERGES `{connector.database}`.{t}"))
    fill(statistics_dsn, 3)
    fill(statistics_dsn, 3)  # a replay: every row inserted again, twins left unmerged
    twins = connector.call(lambda c: c.query(
        f"SELECT count(), uniqExact(dossier_id, version) FROM `{connector.database}`.dossier_states").result_rows[0])
    assert twins[0] == 2 * twins[1]
    app = exports(statistics_dsn, tmp_path)
    export_id = str(app.request(ANALYST, **WEEK))
    app.run(export_id)
    rows = csv_rows(app, export_id)
    report = app.statistics.status_report(Scope(frozenset(), **WEEK))  # type: ignore[union-attr]
    assert len(rows) == len({r["code"] for r in rows}) == report.received + report.refused
