"""The Show test of issue 4: simulated dossiers, projected into chDB, against an independent oracle.

A year of a simulated province's load goes through the application services into a fresh data
dir; the statistics projection writes it into a fresh chDB database; every figure of the status
report and of the Decision 766 indicators, for several units (with sub-units), procedures and
ranges, must equal what `statistics_oracle` computes in plain Python from the event streams.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest

from adapters.clickhouse.engine import Connector, parse_dsn, resolve
from adapters.clickhouse.reports import ClickHouseStatistics
from adapters.clickhouse.view import ClickHouseStatisticsView
from application.clock import SimulatedClock
from application.statistics import Scope
from ops.settings import load_settings
from ops.simulate import LOCAL, LiveStore, ensure_empty, run_simulation
from ops.statistics import StatisticsRunner, open_stream
from ops.wiring import build_container
from tests.fast import FAST_PASSWORD_HASHING
from tests.chdb import chdb_directory, statistics_dsn  # noqa: F401
from tests.integration.statistics_oracle import Oracle

START = date(2026, 1, 1)
DOSSIERS = 1500
ONE_STOP = frozenset({"000.00.01.H22"})
FINANCE = frozenset({"000.00.13.H22", "000.13.01.H22"})  # a department with its sub-unit
JUSTICE = frozenset({"000.00.12.H22", "000.12.01.H22"})
EVERY = frozenset()
RANGES = [(date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 6, 30)),
          (date(2026, 1, 1), date(2026, 12, 31)), (date(2026, 2, 14), date(2026, 2, 24))]  # the last: Tết
SCOPES = [Scope(units, a, b) for units in (ONE_STOP, FINANCE, JUSTICE, EVERY) for a, b in RANGES] + [
    Scope(EVERY, date(2026, 1, 1), date(2026, 12, 31), procedure_code="2.000815"),
    Scope(ONE_STOP, date(2026, 7, 1), date(2026, 9, 30), procedure_code="2.000488"),
]


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Any:
    settings = load_settings({}, data_dir=str(tmp_path_factory.mktemp("sim") / "var"), **FAST_PASSWORD_HASHING)
    clock = SimulatedClock(datetime.combine(START, time(), LOCAL))
    container = build_container(settings, clock=clock, projections=False)
    try:
        summary = run_simulation(container.services, clock, dossiers=DOSSIERS, days=365, start=START, seed=766,
                                 progress=False)
        dossiers = container.services.dossiers
        with pytest.raises(LiveStore):
            ensure_empty(dossiers)
        events, start = [], 1
        while True:
            page = dossiers.recorder.select_notifications(start, 1000)
            if not page:
                break
            events.extend(dossiers.mapper.to_domain_event(n) for n in page)
            start = page[-1].id + 1
    finally:
        container.close()
    return settings, summary, Oracle.of(events)


def test_the_simulation_covers_every_ending(simulated: Any) -> None:
    _, summary, oracle = simulated
    assert len(oracle.streams) == DOSSIERS
    for ending in ("refused", "withdrawn", "stopped", "completed", "returned", "rated"):
        assert summary.endings[ending] > 0, ending
    year = oracle.figures(EVERY, date(2026, 1, 1), date(2026, 12, 31))
    assert year["early"] and year["on_time"] and year["late"] and year["with_fees"] and year["paid_online"]
    assert 0 < year["reused"] < year["digitised"] < year["new"]  # documents submitted, some reused


def test_every_figure_matches_the_independent_computation(simulated: Any, statistics_dsn: str) -> None:
    settings, _, oracle = simulated
    connector = Connector(resolve(parse_dsn(statistics_dsn)))
    view = ClickHouseStatisticsView(connector)
    view.migrate()
    stream = open_stream(settings)
    try:
        StatisticsRunner(stream, view).catch_up()
    finally:
        stream.close()
    stats = ClickHouseStatistics(connector)
    mismatches = []
    for scope in SCOPES:
        want = oracle.figures(scope.units, scope.date_from, scope.date_to, scope.procedure_code, scope.field)
        report, index = stats.status_report(scope), stats.service_index(scope)
        # The report's identities.
        assert report.received == report.carried_over + report.new == report.finished + report.in_progress
        assert report.new == report.new_online + report.new_counter + report.new_postal
        assert report.finished == report.early + report.on_time + report.late
        assert report.finished == report.completed + report.stopped + report.withdrawn
        assert report.in_progress == report.within_deadline + report.overdue
        assert report.waiting <= report.in_progress and report.returned <= report.completed
        got = dict(vars(report))
        got.update(
            on_time_766=(index.on_time_rate.numerator, index.on_time_rate.denominator),
            net_days=(round(index.average_processing_days.numerator, 4), index.average_processing_days.denominator),
            share_online=(index.share_online.numerator, index.share_online.denominator),
            paid_online=(index.share_paid_online.numerator, index.share_paid_online.denominator),
            electronic=(index.share_electronic_result.numerator, index.share_electronic_result.denominator),
            digitised=(index.share_digitised.numerator, index.share_digitised.denominator),
            reused=(index.share_reusing_data.numerator, index.share_reusing_data.denominator),
            satisfied=(index.satisfaction.numerator, index.satisfaction.denominator),
        )
        expected = {k: want[k] for k in vars(report)}
        expected.update(
            on_time_766=(want["on_time_766"], want["received"]),
            net_days=(round(want["net_days"], 4), want["completed"]),
            share_online=(want["new_online"], want["new"]),
            paid_online=(want["paid_online"], want["with_fees"]),
            electronic=(want["electronic"], want["completed"]),
            digitised=(want["digitised"], want["new"]),
            reused=(want["reused"], want["new"]),
            satisfied=(want["satisfied"], want["ratings"]),
        )
        for name, value in expected.items():
            if got[name] != value:
                mismatches.append((scope, name, got[name], value))
        assert report.received > 0 or scope.units != EVERY
    assert not mismatches, mismatches
