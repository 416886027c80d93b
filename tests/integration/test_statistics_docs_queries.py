"""Every ```sql block of docs/statistics.md runs on a populated chDB database and returns its columns.

A block's first line, ``-- columns: a, b, c``, names the columns it must return. The database is
filled by a short simulation (ops/simulate.py) projected by the statistics runner, with its rows
inserted twice (as a replay would) so the queries are exercised on unmerged twins.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path

import pytest

from adapters.clickhouse.access_counts import ClickHouseAccessCountsView
from adapters.clickhouse.engine import Connector, parse_dsn, resolve
from adapters.clickhouse.view import ClickHouseStatisticsView
from application.access_log import AccessEntry
from application.clock import SimulatedClock
from ops.access_counts import open_access_log
from ops.settings import Settings, load_settings
from ops.simulate import LOCAL, run_simulation
from ops.statistics import StatisticsRunner, open_stream
from ops.wiring import build_container
from projections.access_counts import AccessCountsRunner
from tests.chdb import chdb_directory, statistics_dsn  # noqa: F401
from tests.fast import FAST_PASSWORD_HASHING

DOC = Path(__file__).resolve().parents[2] / "docs" / "statistics.md"
BLOCKS = re.findall(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
TABLE = re.compile(r"\bmotcua\.(dossier_states|dossier_latest|dossier_events|projection_tracking|schema_migrations|access_log_counts)\b")


def test_the_doc_has_at_least_ten_queries_each_naming_its_columns() -> None:
    assert len(BLOCKS) >= 10
    for block in BLOCKS:
        assert block.startswith("-- columns: "), block[:80]


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory, chdb_directory: str) -> Connector:  # noqa: F811
    from tests.chdb import drop, fresh_dsn

    settings = load_settings({}, data_dir=str(tmp_path_factory.mktemp("docs") / "var"), **FAST_PASSWORD_HASHING)
    start = date(2026, 1, 1)
    clock = SimulatedClock(datetime.combine(start, time(), LOCAL))
    container = build_container(settings, clock=clock, projections=False)
    try:
        run_simulation(container.services, clock, dossiers=250, days=120, start=start, seed=11, progress=False)
    finally:
        container.close()
    dsn = fresh_dsn(chdb_directory)
    connector = Connector(resolve(parse_dsn(dsn)))
    view = ClickHouseStatisticsView(connector)
    view.migrate()
    stream = open_stream(settings)
    try:
        StatisticsRunner(stream, view).catch_up()
        _project_access_log(settings, connector)
        db = connector.database
        for table in ("dossier_states", "dossier_events"):  # twins, as a replay leaves them before merges
            connector.call(lambda c, t=table: c.command(f"INSERT INTO `{db}`.{t} SELECT * FROM `{db}`.{t}"))
    finally:
        stream.close()
    yield connector
    connector.close()
    drop(dsn)


def _project_access_log(settings: Settings, connector: Connector) -> None:
    """The simulation reads nothing: officers' reads of some of its dossiers, and a failed login."""
    codes = [r[0] for r in connector.call(lambda c: c.query(
        f"SELECT DISTINCT code FROM `{connector.database}`.dossier_states ORDER BY code LIMIT 5").result_rows)]
    log = open_access_log(settings)
    try:
        at = datetime(2026, 3, 2, 9, tzinfo=LOCAL)
        for code in codes:
            log.append(AccessEntry(at=at, actor_id="o1", actor_role="handling_officer", actor_unit="000.00.01.H22",
                                   action="read-dossier", subject=code, ip="203.0.113.1", reason=""))
        log.append(AccessEntry(at=at, actor_id="", actor_role="system", actor_unit=None, action="login-failed",
                               subject="someone", ip="203.0.113.1", reason=""))
        AccessCountsRunner(log, ClickHouseAccessCountsView(connector)).catch_up()
    finally:
        log.close()


@pytest.mark.parametrize("block", BLOCKS, ids=[f"query{i + 1}" for i in range(len(BLOCKS))])
def test_each_query_runs_and_returns_its_columns(populated: Connector, block: str) -> None:
    columns = [c.strip() for c in block.splitlines()[0].removeprefix("-- columns:").split(",")]
    sql = TABLE.sub(lambda m: f"`{populated.database}`.{m.group(1)}", block)
    result = populated.call(lambda c: c.query(sql))
    assert result.result_rows, "a populated database gives rows"
    assert list(result.column_names) == columns


def test_the_docs_status_report_query_gives_the_reports_figures(populated: Connector) -> None:
    from adapters.clickhouse.reports import ClickHouseStatistics
    from application.statistics import Scope

    block = BLOCKS[0]
    assert "AS received" in block and "'000.00.01.H22'" in block and "2026-03-01" in block
    sql = TABLE.sub(lambda m: f"`{populated.database}`.{m.group(1)}", block)
    result = populated.call(lambda c: c.query(sql))
    row = dict(zip(result.column_names, result.result_rows[0], strict=True))
    scope = Scope(frozenset({"000.00.01.H22"}), date(2026, 3, 1), date(2026, 3, 31))
    stats = ClickHouseStatistics(populated)
    report, index = stats.status_report(scope), stats.service_index(scope)
    assert report.received > 0
    assert {k: row[k] for k in vars(report)} == vars(report)
    assert row["on_time_rate"] == pytest.approx(index.on_time_rate.value)
    assert row["average_days"] == pytest.approx(index.average_processing_days.value)
    assert row["satisfaction"] == pytest.approx(index.satisfaction.value)
