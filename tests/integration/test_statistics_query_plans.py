"""The report's reads, checked with EXPLAIN: each backed by the table's ordering key.

For a range that ends after every dossier's last event (the current period, the report people
open most) each dossier is one row of `dossier_latest`, and the look-up among all versions in
`dossier_states` is cut to nothing by its primary key. For an earlier range the dossiers with
later events are read in the order of the key, so `LIMIT 1 BY` needs no full sort.
"""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from adapters.clickhouse.engine import Connector, parse_dsn, resolve
from adapters.clickhouse.reports import _FIGURES, ClickHouseStatistics, scoped_query
from adapters.clickhouse.view import ClickHouseStatisticsView
from application.statistics import Scope
from ops.bench.p4 import YEAR, generate
from tests.chdb import chdb_directory, statistics_dsn  # noqa: F401

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def connector(statistics_dsn: str) -> Connector:  # noqa: F811
    connector = Connector(resolve(parse_dsn(statistics_dsn)))
    view = ClickHouseStatisticsView(connector)
    view.migrate()
    generate(view, 20_000)  # 2,000 synthetic dossier lives over the year
    yield connector
    connector.close()


def _plan(connector: Connector, scope: Scope) -> str:
    sql, params = scoped_query(_FIGURES, scope, f"`{connector.database}`", ZONE)
    rows = connector.call(lambda c: c.query("EXPLAIN indexes = 1 " + sql, parameters=params).result_rows)
    return "\n".join(r[0] for r in rows)


def test_the_current_period_reads_one_row_a_dossier_and_skips_every_older_version(connector) -> None:
    plan = _plan(connector, Scope(units=frozenset(), date_from=date(YEAR, 1, 1), date_to=date(YEAR, 12, 31)))
    latest = plan[plan.index(".dossier_latest)"):][:600]
    assert "FINAL: 1" in latest  # right before merges: one row per dossier whatever the parts hold
    states = plan[plan.index(".dossier_states)"):]
    assert re.search(r"Keys:\s+dossier_id", states)
    assert re.search(r"Granules: 0/\d+", states), states  # the primary key leaves nothing to read
    report = ClickHouseStatistics(connector).status_report(
        Scope(units=frozenset(), date_from=date(YEAR, 1, 1), date_to=date(YEAR, 12, 31)))
    assert report.received == 2_000


def test_an_earlier_range_reads_the_dossiers_with_later_events_in_key_order(connector) -> None:
    plan = _plan(connector, Scope(units=frozenset(), date_from=date(YEAR, 3, 1), date_to=date(YEAR, 3, 31)))
    states = plan[plan.index(".dossier_states)"):]
    assert "Read type: InOrder" in states
    assert "Prefix sort description: dossier_id ASC" in plan  # LIMIT 1 BY streams, no full sort
    assert re.search(r"Condition: \(dossier_id in \d+-element set\)", states)
